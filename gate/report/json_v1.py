"""The frozen, versioned JSON report of SPEC 5.6 (`schema_version: 1`). Internal types are never dumped."""

from __future__ import annotations

import json
from typing import Any

from gate.findings import Finding
from gate.report import coverage
from gate.run import Outcome, StageResult
from gate.sanitize import json_inert

SCHEMA_VERSION = 1
ALL_STAGES = (
    "provenance",
    "dependencies",
    "phantom-symbols",
    "weakened-tests",
    "secrets",
    "injection-text",
    "review",
    "regen",
    "spec",
)


def finding_json(f: Finding) -> dict[str, Any]:
    loc = f.location
    return {
        "id": f.id,
        "stage": f.stage,
        "rule": f.rule,
        "path": loc.path if loc else None,
        "start_line": loc.start_line if loc else None,
        "end_line": loc.end_line if loc else None,
        "severity": f.severity.value,
        "confidence": f.confidence.value,
        "category": f.category or f.rule,
        "title": f.title,
        "body": f.body,
        "confirmed_by": list(f.confirmed_by),
        "confirmed": f.confirmed,
        "blocking": f.blocking,
        "advisory": f.advisory,
        "commentable": f.commentable,
        "inline": f.inline,
        "disputed": f.disputed,
        "raised_by": list(f.said("raised_by")),
        "refused_by": list(f.said("disagreed_by")),
        "suggestion": f.suggestion,
        "fingerprint": f.fingerprint,
    }


def _stage_json(r: StageResult, escalation: tuple[bool, str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ran": r.ran,
        "why": r.why,
        "skipped_reason": r.skipped_reason,
        "findings": len(r.findings),
    }
    if r.model_error:
        out["model_error"] = r.model_error
    if r.error:
        out["error"] = r.error
    if r.details:
        out["details"] = dict(r.details)
    if escalation is not None:
        out["threshold"] = {"met": escalation[0], "why": escalation[1]}
    return out


def to_dict(outcome: Outcome) -> dict[str, Any]:
    prov = outcome.provenance
    stages: dict[str, Any] = {}
    esc = outcome.escalations
    for r in outcome.stages:
        stages[r.stage] = _stage_json(r, esc.get(r.stage))
    for stage in ALL_STAGES:
        if stage not in stages:
            why = esc.get(stage, (False, "not available in this build"))[1]
            stages[stage] = {"ran": False, "why": why, "skipped_reason": "not run", "findings": 0}
    cs = outcome.changeset
    return {
        "schema_version": SCHEMA_VERSION,
        "verdict": outcome.verdict,
        "reasons": list(outcome.reasons),
        "source": {
            "kind": cs.source,
            "base": cs.base_ref or None,
            "head": cs.head_ref or None,
            "pull_request": cs.pr.number if cs.pr else None,
            "head_sha": (cs.pr.head_sha if cs.pr and cs.pr.head_sha else cs.head_ref) or None,
            "files": len(cs.diff.files),
            "added_lines": cs.diff.added_count,
            "removed_lines": cs.diff.removed_count,
            "ignored_paths": list(cs.diff.ignored_paths),
            # Matched by paths.ignore but analysed: first-party code that other changed code imports.
            "unignored": list(cs.diff.unignored_paths),
        },
        "provenance": {
            "ai_share": round(prov.ai_share, 4),
            "ai_lines": prov.ai_lines,
            "added_lines": prov.added_lines,
            "code_ai_share": round(prov.code_ai_share, 4),
            "code_ai_lines": prov.code_ai_lines,
            "code_added_lines": prov.code_added_lines,
            "share_of": outcome.config.thresholds.share_of.value,
            "threshold_share": round(prov.threshold_share(outcome.config.thresholds.share_of.value), 4),
            "disregarded_records": list(prov.disregarded),
            "tools": dict(prov.tools),
            "basis": list(prov.basis),
            "pr_evidence": [str(e) for e in prov.pr_evidence],
            "notes": list(prov.notes),
            "commits": [
                {
                    "sha": c.sha,
                    "subject": c.subject,
                    "ai": c.ai,
                    "tool": c.tool,
                    "evidence": [str(e) for e in c.evidence],
                    "added_lines": c.added_lines,
                    "ai_lines": c.ai_lines,
                    **({"notes": list(c.notes)} if c.notes else {}),
                }
                for c in prov.commits
            ],
        },
        "stages": stages,
        # what was reviewed, by how many models, and what was not (with why): `gate.report.coverage`
        "coverage": coverage.to_json(coverage.of(outcome)),
        "findings": [finding_json(f) for f in outcome.findings],
        "usage": {
            "model_calls": outcome.usage.model_calls,
            "prompt_tokens": outcome.usage.prompt_tokens,
            "completion_tokens": outcome.usage.completion_tokens,
            "cost_usd": round(outcome.usage.cost_usd, 6),
            "wall_seconds": outcome.usage.wall_seconds,
        },
        "notes": list(outcome.notes),
        "post": {"unconfirmed": outcome.config.post.unconfirmed.value},
        "review_state": review_state(outcome),
    }


def review_state(outcome: Outcome) -> str | None:
    """The encoded state an incremental re-review of this PR starts from (`--previous-report`)."""
    review = next((r for r in outcome.stages if r.stage == "review"), None)
    return review.review_state if review is not None else None


def render(outcome: Outcome) -> str:
    from gate.redact import redact_tree

    return json_inert(json.dumps(redact_tree(to_dict(outcome)), indent=2, ensure_ascii=False)) + "\n"
