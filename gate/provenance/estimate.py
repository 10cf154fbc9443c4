"""Combine commit classification, PR-level signals and line-level records into the AI share.

Order of precedence, weakest first (pull_request.py documents the PR rules):
1. each added line belongs to the commit in `line_origins` (a line with no origin belongs to the last
   commit that added lines to its file, else to no commit);
2. the commit's own evidence (classify.py) or, failing that, PR-level signals decide whether its
   lines are AI and which tool wrote them; a line with no commit is AI only under an `ai_labels` label;
3. Agent Trace records at the head revision override that for the lines they cover;
4. git-ai notes override both for the lines their commit really added (they are written at commit
   time from the exact committed content). Untracked lines keep the commit-level verdict.
`ai_share = ai_lines / added_lines` (0 when nothing is added).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import compress, repeat

from gate.config.models import Provenance
from gate.context.model import ChangeSet, Commit
from gate.diff.model import FileChange, LineKind
from gate.provenance.classify import CommitClass, classify
from gate.provenance.line_records import AGENT_TRACE_PATH, LineSpan, parse_agent_traces, parse_git_ai_note
from gate.provenance.model import CommitAttribution, Evidence, ProvenanceResult
from gate.provenance.pull_request import PullRequestSignals, by_pr_author, pr_signals

MAX_LINE_EVIDENCE = 6  # line-level records quoted per commit; the rest are counted in its notes
MIN_SHA = 7

_BASIS = {
    "configured identity": "configured identities",
    "author": "author identities",
    "trailer": "commit trailers",
    "message": "commit message markers",
    "commit login": "commit author logins",
    "PR label": "PR labels",
    "PR author": "PR-level marks",
    "PR body": "PR-level marks",
    "PR branch": "PR-level marks",
    "plan commit": "PR-level marks",
    "git-ai note": "git-ai notes",
    "agent trace": "Agent Trace records",
}


# A file's added line numbers and, for each, the commit it belongs to (None = no commit).
_Owned = tuple[list[int], list[str | None]]


@dataclass(frozen=True)
class _Verdict:
    tool: str | None  # None = human
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class _Mark:
    """A line-level record's say on one head line: its tool (None = human) and the evidence."""

    tool: str | None
    evidence: Evidence
    commit: str | None  # git-ai: the commit whose note said it


def _verdicts(
    commits: tuple[Commit, ...],
    classes: Mapping[str, CommitClass],
    signals: PullRequestSignals,
    changeset: ChangeSet,
    notes: list[str],
) -> dict[str, _Verdict]:
    out: dict[str, _Verdict] = {}
    unknown_author = attributed = 0
    for c in commits:
        cls = classes[c.sha]
        if cls.ai:
            out[c.sha] = _Verdict(cls.tool, cls.evidence)
        elif signals.whole_pr is not None:
            out[c.sha] = _Verdict(signals.whole_pr.tool, signals.marks)
        elif signals.tool is not None:
            who = by_pr_author(c, changeset.pr)
            if who:
                attributed += 1
                out[c.sha] = _Verdict(signals.tool, signals.marks)
            else:
                if who is None and changeset.pr is not None:
                    unknown_author += 1
                out[c.sha] = _Verdict(None, ())
        else:
            out[c.sha] = _Verdict(None, ())
    if attributed:
        notes.append(
            f"{attributed} commits by the PR author with no marks of their own were attributed "
            f"to {signals.tool} by the PR-level marks"
        )
    if unknown_author:
        notes.append(
            f"{unknown_author} commits with no marks of their own could not be matched to the PR "
            "author and were counted human"
        )
    return out


def _owners(changeset: ChangeSet, order: Mapping[str, int]) -> dict[str, _Owned]:
    """For each file: its added line numbers and the commit each belongs to (None = no commit)."""
    out: dict[str, _Owned] = {}
    for change in changeset.diff.files:
        added = _added_numbers(change)
        if not added:
            continue
        origins = changeset.line_origins.get(change.path) or {}
        present = set(origins.values())
        known = {sha for sha in present if sha in order}
        fallback = max(known, key=order.__getitem__) if known else None
        owners: list[str | None] = list(map(origins.get, added, repeat(fallback, len(added))))
        if len(known) != len(present):
            owners = [s if s in order else fallback for s in owners]
        out[change.path] = (added, owners)
    return out


def _added_numbers(change: FileChange) -> list[int]:
    added: list[int] = []
    kind = LineKind.ADDED
    for h in change.hunks:
        if h.old_count == 0 and len(h.lines) == h.new_count:
            # A hunk that only adds (every new file) numbers its lines consecutively.
            added.extend(range(h.new_start, h.new_start + h.new_count))
        else:
            added.extend(ln.new_no for ln in h.lines if ln.kind is kind and ln.new_no)
    return added


def _head_names(changeset: ChangeSet) -> tuple[str, ...]:
    names = [changeset.head_ref, changeset.pr.head_sha if changeset.pr else ""]
    if changeset.commits:
        names.append(changeset.commits[-1].sha)
    return tuple(n.lower() for n in names if n)


def _same_rev(a: str, b: str) -> bool:
    return min(len(a), len(b)) >= MIN_SHA and (a.startswith(b) or b.startswith(a))


def _trace_text(changeset: ChangeSet) -> str | None:
    if changeset.revisions is not None:
        text = changeset.revisions.read("head", AGENT_TRACE_PATH)
        if text is not None:
            return text
    change = changeset.diff.by_path.get(AGENT_TRACE_PATH)
    if change is None:
        return None
    return "\n".join(line.text for line in change.added_lines())


class _CommitLines:
    """Per file and commit: the commit's own line numbers of the head lines it really added."""

    def __init__(self, changeset: ChangeSet, owners: Mapping[str, _Owned]) -> None:
        self._changeset = changeset
        self._owners = owners
        self._cache: dict[tuple[str, str], dict[int, int]] = {}

    def head_lines(self, span: LineSpan, sha: str) -> list[int]:
        """Head line numbers of the span's lines (numbered in `sha`'s file) that `sha` added."""
        key = (span.path, sha)
        by_origin = self._cache.get(key)
        if by_origin is None:
            numbers = self._changeset.line_origin_numbers.get(span.path)
            added, owner = self._owners[span.path]
            if numbers:
                pairs = zip(added, owner, strict=True)
                by_origin = {numbers[n]: n for n, s in pairs if s == sha and n in numbers}
            else:
                by_origin = {n: n for n, s in zip(added, owner, strict=True) if s == sha}
            self._cache[key] = by_origin
        return [by_origin[n] for n in span.hits(by_origin.keys())]


def _line_marks(
    changeset: ChangeSet, owners: Mapping[str, _Owned], notes: list[str]
) -> dict[str, dict[int, _Mark]]:
    marks: dict[str, dict[int, _Mark]] = defaultdict(dict)
    heads = _head_names(changeset)
    in_range = {c.sha.lower(): c.sha for c in changeset.commits}
    commit_lines = _CommitLines(changeset, owners)
    added_sets: dict[str, frozenset[int]] = {}
    trace = _trace_text(changeset)
    if trace:
        parsed = parse_agent_traces(trace)
        notes.extend(parsed.problems)
        skipped = 0
        for span in parsed.spans:
            if span.path not in owners:
                continue
            ev = Evidence("agent trace", span.text, span.tool or "human", AGENT_TRACE_PATH)
            if span.path not in added_sets:
                added_sets[span.path] = frozenset(owners[span.path][0])
            rev = (span.revision or "").lower()
            if not rev or any(_same_rev(rev, h) for h in heads):
                file_marks = marks[span.path]
                for n in span.hits(added_sets[span.path]):
                    file_marks[n] = _Mark(span.tool, ev, None)
                continue
            sha = next((full for low, full in in_range.items() if _same_rev(rev, low)), None)
            if sha is None or not changeset.line_origin_numbers.get(span.path):
                skipped += 1
                continue
            for head_no in commit_lines.head_lines(span, sha):
                marks[span.path][head_no] = _Mark(span.tool, ev, None)
        if skipped:
            notes.append(
                f"{skipped} Agent Trace ranges recorded at a revision other than the head "
                "could not be placed on head lines and were skipped"
            )
    direct = 0
    for commit in changeset.commits:
        if not commit.ai_note:
            continue
        parsed = parse_git_ai_note(commit.ai_note)
        notes.extend(f"{commit.sha[:12]}: {p}" for p in parsed.problems)
        for span in parsed.spans:
            if span.path not in owners:
                continue
            if not changeset.line_origin_numbers.get(span.path) and len(set(owners[span.path][1])) > 1:
                direct += 1
            ev = Evidence("git-ai note", span.text, span.tool or "human", "refs/notes/ai")
            for head_no in commit_lines.head_lines(span, commit.sha):
                marks[span.path][head_no] = _Mark(span.tool, ev, commit.sha)
    if direct:
        notes.append(
            f"{direct} git-ai attestations on files changed by several commits were read at head "
            "line numbers (the source gave no per-commit line numbers)"
        )
    return marks


def estimate(changeset: ChangeSet, config: Provenance) -> ProvenanceResult:
    commits = changeset.commits
    order = {c.sha: i for i, c in enumerate(commits)}
    classes = {c.sha: classify(c, config, changeset.pr) for c in commits}
    plan_marks = [cls.plan_mark for cls in classes.values() if cls.plan_mark is not None]
    signals = pr_signals(changeset.pr, config, plan_marks)
    notes: list[str] = list(signals.notes)
    verdicts = _verdicts(commits, classes, signals, changeset, notes)
    owners = _owners(changeset, order)
    marks = _line_marks(changeset, owners, notes)

    sha_tool = {sha: v.tool for sha, v in verdicts.items()}
    loose_tool = signals.whole_pr.tool if signals.whole_pr is not None else None
    added_by: Counter[str | None] = Counter()
    ai_by: Counter[str | None] = Counter()
    tools: Counter[str] = Counter()
    line_tools: dict[str, Counter[str]] = defaultdict(Counter)
    line_evidence: dict[str, list[Evidence]] = defaultdict(list)
    ai_line_map: dict[str, frozenset[int]] = {}
    human_attested = no_origin = 0
    used_kinds: set[str] = set()
    # The tool of each owner (None = the lines with no commit); owners without a tool are human.
    owner_tool: dict[str | None, str] = {s: t for s, t in sha_tool.items() if t is not None}
    if loose_tool is not None:
        owner_tool[None] = loose_tool
    for path, (added, owner) in owners.items():
        per_owner = Counter(owner)
        added_by.update(per_owner)
        no_origin += per_owner.get(None, 0)
        file_marks = marks.get(path)
        if not file_marks:
            # The common case, kept free of per-line Python work: whole owners are AI or not.
            ai_owners = [s for s in per_owner if s in owner_tool]
            for s in ai_owners:
                ai_by[s] += per_owner[s]
                tools[owner_tool[s]] += per_owner[s]
            if len(ai_owners) == len(per_owner):
                ai_line_map[path] = frozenset(added)
            elif ai_owners:
                ai_line_map[path] = frozenset(compress(added, map(owner_tool.__contains__, owner)))
            continue
        ai_lines: list[int] = []
        for n, s in zip(added, owner, strict=True):
            mark = file_marks.get(n)
            if mark is None:
                tool = sha_tool.get(s) if s else loose_tool
            else:
                tool = mark.tool
                used_kinds.add(mark.evidence.kind)
                if tool is None:
                    human_attested += 1
                elif s is not None:
                    line_tools[s][tool] += 1
                    if mark.evidence not in line_evidence[s]:
                        line_evidence[s].append(mark.evidence)
            if tool is not None:
                ai_lines.append(n)
                ai_by[s] += 1
                tools[tool] += 1
        if ai_lines:
            ai_line_map[path] = frozenset(ai_lines)

    attributions = []
    for c in commits:
        v, cls = verdicts[c.sha], classes[c.sha]
        extra = line_evidence.get(c.sha, [])
        tool = v.tool or (line_tools[c.sha].most_common(1)[0][0] if line_tools.get(c.sha) else None)
        commit_notes = list(cls.notes)
        if len(extra) > MAX_LINE_EVIDENCE:
            commit_notes.append(f"{len(extra) - MAX_LINE_EVIDENCE} more line-level records not quoted")
        if v.tool is not None or ai_by[c.sha]:
            used_kinds.update(e.kind for e in v.evidence)
        attributions.append(
            CommitAttribution(
                sha=c.sha,
                subject=c.subject,
                ai=tool is not None,
                tool=tool,
                evidence=v.evidence + tuple(extra[:MAX_LINE_EVIDENCE]),
                added_lines=added_by[c.sha],
                ai_lines=ai_by[c.sha],
                notes=tuple(commit_notes),
            )
        )
    if loose_tool is not None and ai_by[None]:
        used_kinds.add("PR label")
    notes.extend(_summary_notes(commits, classes, no_origin, human_attested, changeset))
    total = sum(added_by.values())
    ai_total = sum(ai_by.values())
    rank = list(_BASIS)
    ordered = sorted(used_kinds, key=lambda k: rank.index(k) if k in rank else len(rank))
    basis = tuple(dict.fromkeys(_BASIS.get(k, k) for k in ordered))
    if not basis:
        basis = ("commit metadata: no AI marks found",) if commits else ("no commit metadata (plain diff)",)
    return ProvenanceResult(
        ai_share=ai_total / total if total else 0.0,
        ai_lines=ai_total,
        added_lines=total,
        commits=tuple(attributions),
        ai_line_map=ai_line_map,
        pr_evidence=signals.evidence,
        tools=dict(tools.most_common()),
        basis=basis,
        notes=tuple(dict.fromkeys(notes)),
    )


def _summary_notes(
    commits: tuple[Commit, ...],
    classes: Mapping[str, CommitClass],
    no_origin: int,
    human_attested: int,
    changeset: ChangeSet,
) -> list[str]:
    out: list[str] = []
    committer_only = Counter(cls.committer_only for cls in classes.values() if cls.committer_only)
    for tool, n in sorted(committer_only.items()):
        what = "an aider-suffixed committer" if tool == "aider" else f"a {tool} committer"
        out.append(f"{n} commits by {what} with no other {tool} mark were counted human (the author decides)")
    plans = sum(1 for cls in classes.values() if cls.plan_mark is not None)
    if plans:
        out.append(f"{plans} empty agent planning commits mark the PR but add no lines")
    if human_attested:
        out.append(f"{human_attested} lines are attested human by line-level records")
    if no_origin and commits:
        out.append(f"{no_origin} added lines could not be tied to a commit of the range")
    if not commits and changeset.source == "diff":
        out.append("a plain diff carries no commit metadata: only line-level records and PR signals apply")
    return out
