"""The `run` record of the trace: the non-model inputs of a verdict, to JSON and back.

Written once the pipeline ends; read by replay. The diff is kept as its shape only (files, hunks, line
kinds and numbers: what the policy needs to tell which findings sit on diff lines); the code itself is
in the recorded prompts. Commit messages, the PR title and body, and each hunk's section text are
redacted.
"""

from __future__ import annotations

from typing import Any

from gate.config.models import Config
from gate.context.model import ChangeSet, Commit, Person, PullRequestInfo
from gate.diff.model import Diff, DiffLine, FileChange, FileStatus, Hunk, LineKind
from gate.provenance.model import CommitAttribution, Evidence, ProvenanceResult
from gate.redact import MESSAGE_FILENAME, redact, redact_lines
from gate.run import Outcome, StageResult, Usage
from gate.schema.base import UNTRUSTED
from gate.schema.finding import TraceFinding
from gate.schema.report import Usage as UsageRecord
from gate.schema.trace import TraceStage


def encode_run(outcome: Outcome) -> dict[str, Any]:
    return {
        "type": "run",
        "config": outcome.config.model_dump(mode="json"),
        "changeset": _changeset(outcome.changeset),
        "provenance": _provenance(outcome.provenance),
        "escalations": {k: list(v) for k, v in outcome.escalations.items()},
        "stages": [encode_stage(r) for r in outcome.stages],
        "verdict": outcome.verdict,
        "reasons": list(outcome.reasons),
        "usage": _usage(outcome.usage),
        "notes": list(outcome.notes),
    }


def _usage(u: Usage) -> dict[str, Any]:
    return UsageRecord.of(u).model_dump(mode="json")


def decode_usage(d: dict[str, Any]) -> Usage:
    return _usage_of(UsageRecord.model_validate(d, context=UNTRUSTED))


def _usage_of(u: UsageRecord) -> Usage:
    return Usage(u.model_calls, u.prompt_tokens, u.completion_tokens, u.cost_usd, u.wall_seconds)


def encode_stage(r: StageResult) -> dict[str, Any]:
    return TraceStage(
        stage=r.stage,
        ran=r.ran,
        why=r.why,
        skipped_reason=r.skipped_reason,
        model_error=r.model_error,
        error=r.error,
        usage=UsageRecord.of(r.usage),
        details=dict(r.details),
        findings=tuple(TraceFinding.of(f) for f in r.findings),
        quorum=r.quorum,
        not_checked=tuple(r.not_checked),
        review_state=r.review_state,
        line_keys=dict(r.line_keys),
        carried=tuple(TraceFinding.of(f) for f in r.carried),
        coverage=r.coverage,
        models=r.models,
        skipped_files=r.skipped_files,
        read_as_code=r.read_as_code,
        spec_plan=r.spec_plan,
    ).model_dump(mode="json")


def decode_stage(d: dict[str, Any]) -> StageResult:
    s = TraceStage.model_validate(d, context=UNTRUSTED)
    return StageResult(
        stage=s.stage,
        ran=s.ran,
        why=s.why,
        skipped_reason=s.skipped_reason,
        findings=tuple(f.finding() for f in s.findings),
        model_error=s.model_error,
        error=s.error,
        usage=_usage_of(s.usage),
        details=s.details,
        quorum=s.quorum,
        not_checked=s.not_checked,
        review_state=s.review_state,
        line_keys=dict(s.line_keys),
        carried=tuple(f.finding() for f in s.carried),
        coverage=s.coverage,
        models=s.models,
        skipped_files=s.skipped_files,
        read_as_code=s.read_as_code,
        spec_plan=s.spec_plan,
    )


def _changeset(cs: ChangeSet) -> dict[str, Any]:
    pr = cs.pr
    return {
        "source": cs.source,
        "base_ref": cs.base_ref,
        "head_ref": cs.head_ref,
        "notes": list(cs.notes),
        "unread": list(cs.unread),
        "refused": list(cs.refused),
        "misread": dict(cs.misread),
        "unlisted": cs.unlisted,
        "diff": {
            "notes": list(cs.diff.notes),
            "ignored_paths": list(cs.diff.ignored_paths),
            "unignored_paths": list(cs.diff.unignored_paths),
            "maybe_text": list(cs.diff.maybe_text),
            "files": [_file(f) for f in cs.diff.files],
        },
        "commits": [
            {
                "sha": c.sha,
                "author": [c.author.name, c.author.email],
                "committer": None if c.committer is None else [c.committer.name, c.committer.email],
                "message": redact(c.message, filename=MESSAGE_FILENAME),
                "parents": list(c.parents),
                "added_lines": c.added_lines,
            }
            for c in cs.commits
        ],
        "pr": None
        if pr is None
        else {
            "number": pr.number,
            "title": redact(pr.title, filename=MESSAGE_FILENAME),
            "body": redact(pr.body, filename=MESSAGE_FILENAME),
            "author_login": pr.author_login,
            "labels": list(pr.labels),
            "head_branch": pr.head_branch,
            "base_branch": pr.base_branch,
            "head_sha": pr.head_sha,
            "base_sha": pr.base_sha,
            "draft": pr.draft,
        },
    }


def _file(f: FileChange) -> dict[str, Any]:
    # git's text of the line its funcname rule picked above each hunk: a line of the file that no hunk
    # holds, so learning the change never read it with the file's name (`DB_PASSWORD=...` in a .env)
    sections = redact_lines([h.section for h in f.hunks], filename=f.path)
    return {
        "path": f.path,
        "old_path": f.old_path,
        "status": f.status.value,
        "is_binary": f.is_binary,
        "old_mode": f.old_mode,
        "new_mode": f.new_mode,
        "notes": list(f.notes),
        "shown": f.shown,
        "hunks": [
            {
                "old": [h.old_start, h.old_count],
                "new": [h.new_start, h.new_count],
                "section": section,
                "missing_newline": [h.old_missing_newline, h.new_missing_newline],
                "lines": [[line.kind.value, line.old_no, line.new_no] for line in h.lines],
            }
            for h, section in zip(f.hunks, sections, strict=True)
        ],
    }


def decode_changeset(d: dict[str, Any]) -> ChangeSet:
    diff = d["diff"]
    p = d.get("pr")
    return ChangeSet(
        source=d["source"],
        diff=Diff(
            tuple(_decode_file(f) for f in diff["files"]),
            tuple(diff["notes"]),
            tuple(diff["ignored_paths"]),
            unignored_paths=tuple(diff.get("unignored_paths", ())),
            maybe_text=tuple(diff.get("maybe_text", ())),
        ),
        commits=tuple(_decode_commit(c) for c in d["commits"]),
        pr=None if p is None else _decode_pr(p),
        base_ref=d["base_ref"],
        head_ref=d["head_ref"],
        notes=tuple(d["notes"]),
        unread=tuple(d.get("unread", ())),
        refused=tuple(d.get("refused", ())),
        misread=dict(d.get("misread", {})),
        unlisted=int(d.get("unlisted", 0)),
    )


def _decode_file(f: dict[str, Any]) -> FileChange:
    hunks = tuple(
        Hunk(
            h["old"][0],
            h["old"][1],
            h["new"][0],
            h["new"][1],
            h["section"],
            tuple(DiffLine(LineKind(k), o, n, "") for k, o, n in h["lines"]),
            new_missing_newline=h["missing_newline"][1],
            old_missing_newline=h["missing_newline"][0],
        )
        for h in f["hunks"]
    )
    return FileChange(
        f["path"],
        f["old_path"],
        FileStatus(f["status"]),
        hunks,
        f["is_binary"],
        f["old_mode"],
        f["new_mode"],
        tuple(f["notes"]),
        shown=f.get("shown", True),
    )


def _decode_commit(c: dict[str, Any]) -> Commit:
    return Commit(
        c["sha"],
        Person(*c["author"]),
        None if c["committer"] is None else Person(*c["committer"]),
        c["message"],
        tuple(c["parents"]),
        added_lines=c["added_lines"],
    )


def _decode_pr(p: dict[str, Any]) -> PullRequestInfo:
    return PullRequestInfo(
        number=p["number"],
        title=p["title"],
        body=p["body"],
        author_login=p["author_login"],
        labels=tuple(p["labels"]),
        head_branch=p["head_branch"],
        base_branch=p["base_branch"],
        head_sha=p["head_sha"],
        base_sha=p["base_sha"],
        draft=p["draft"],
    )


def _evidence(e: Evidence) -> list[str]:
    return [e.kind, e.text, e.tool, e.source]


def _provenance(p: ProvenanceResult) -> dict[str, Any]:
    return {
        "ai_share": p.ai_share,
        "ai_lines": p.ai_lines,
        "added_lines": p.added_lines,
        "commits": [
            {
                "sha": c.sha,
                "subject": redact(c.subject, filename=MESSAGE_FILENAME),
                "ai": c.ai,
                "tool": c.tool,
                "evidence": [_evidence(e) for e in c.evidence],
                "added_lines": c.added_lines,
                "ai_lines": c.ai_lines,
                "notes": list(c.notes),
            }
            for c in p.commits
        ],
        "ai_line_map": {path: sorted(lines) for path, lines in p.ai_line_map.items()},
        "pr_evidence": [_evidence(e) for e in p.pr_evidence],
        "tools": dict(p.tools),
        "basis": list(p.basis),
        "notes": list(p.notes),
        "code_ai_lines": p.code_ai_lines,
        "code_added_lines": p.code_added_lines,
        "code_left_out": dict(p.code_left_out),
        "disregarded": list(p.disregarded),
        "unknown_lines": p.unknown_lines,
        "code_unknown_lines": p.code_unknown_lines,
    }


def decode_provenance(d: dict[str, Any]) -> ProvenanceResult:
    return ProvenanceResult(
        ai_share=float(d["ai_share"]),
        ai_lines=int(d["ai_lines"]),
        added_lines=int(d["added_lines"]),
        commits=tuple(
            CommitAttribution(
                c["sha"],
                c["subject"],
                c["ai"],
                c["tool"],
                tuple(Evidence(*e) for e in c["evidence"]),
                c["added_lines"],
                c["ai_lines"],
                tuple(c["notes"]),
            )
            for c in d["commits"]
        ),
        ai_line_map={path: frozenset(lines) for path, lines in d["ai_line_map"].items()},
        pr_evidence=tuple(Evidence(*e) for e in d["pr_evidence"]),
        tools=dict(d["tools"]),
        basis=tuple(d["basis"]),
        notes=tuple(d["notes"]),
        # traces written before code lines were counted apart: every line counted as code
        code_ai_lines=int(d.get("code_ai_lines", d["ai_lines"])),
        code_added_lines=int(d.get("code_added_lines", d["added_lines"])),
        code_left_out={str(k): int(v) for k, v in d.get("code_left_out", {}).items()},
        disregarded=tuple(d.get("disregarded", ())),
        # traces written before lines of unknown origin were counted: none
        unknown_lines=int(d.get("unknown_lines", 0)),
        code_unknown_lines=int(d.get("code_unknown_lines", 0)),
    )


def decode_config(d: dict[str, Any]) -> Config:
    return Config.model_validate(d)
