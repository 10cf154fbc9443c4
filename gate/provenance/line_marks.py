"""Who owns each added line, and what line-level records (git-ai notes, Agent Trace) say about it.

Line ownership: each added line belongs to the commit in `line_origins`; a line whose origin is a
commit before the range belongs to no commit (the base had it, but for whitespace: a re-indented
existing line is no commit's new code); a line with no origin (a source that could not tell) belongs to
the last commit that added lines to its file, else to no commit, and to no commit when the source's
origins are exhaustive (its commit is unknown). Line-level records are placed on
head lines: Agent Trace records at the head revision directly, records at a commit of the range (and
every git-ai note) through the commit's own line numbers (`line_origin_numbers`), and only on lines
that commit really added. A git-ai note wins over an Agent Trace record for the same line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import repeat

from gate.context.model import ChangeSet
from gate.diff.model import FileChange, FileStatus, LineKind
from gate.provenance.line_records import AGENT_TRACE_PATH, LineSpan, parse_agent_traces, parse_git_ai_note
from gate.provenance.model import Evidence

MIN_SHA = 7  # shortest abbreviated sha compared with a full one
MAX_PLACEMENTS = 2_000_000  # lines placed by every record of a run together

# A file's added line numbers and, for each, the commit it belongs to (None = no commit).
Owned = tuple[list[int], list[str | None]]


@dataclass(frozen=True)
class LineMark:
    """A line-level record's say on one head line: its tool (None = human) and the evidence."""

    tool: str | None
    evidence: Evidence


def line_owners(changeset: ChangeSet, order: Mapping[str, int]) -> dict[str, Owned]:
    """For each file: its added line numbers and the commit each belongs to (None = no commit)."""
    out: dict[str, Owned] = {}
    for change in changeset.diff.files:
        added = _added_numbers(change)
        if not added:
            continue
        origins = changeset.line_origins.get(change.path) or {}
        present = set(origins.values())
        known = {sha for sha in present if sha in order}
        guess = known and not changeset.origins_exhaustive
        fallback = max(known, key=order.__getitem__) if guess else None
        owners: list[str | None] = list(map(origins.get, added, repeat(fallback, len(added))))
        if len(known) != len(present):
            owners = [s if s in order else None for s in owners]
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
            added.extend([n for ln in h.lines if ln.kind is kind and (n := ln.new_no) is not None])
    return added


def _head_names(changeset: ChangeSet) -> tuple[str, ...]:
    names = [changeset.head_ref, changeset.pr.head_sha if changeset.pr else ""]
    if changeset.commits:
        names.append(changeset.commits[-1].sha)
    return tuple(n.lower() for n in names if n)


def _same_rev(a: str, b: str) -> bool:
    return min(len(a), len(b)) >= MIN_SHA and (a.startswith(b) or b.startswith(a))


def unread_trace(changeset: ChangeSet) -> str | None:
    """Why the Agent Trace file at head was not read, when the revisions hold it but could not give it
    (over the size limit of a file read, a blob git could not read) and the change does not add it
    whole; None when it was read or is not there. Its records may mark any added line AI: the lines
    nothing else marks AI are then of unknown origin, not a person's."""
    revisions = changeset.revisions
    if revisions is None or revisions.read("head", AGENT_TRACE_PATH) is not None:
        return None
    change = changeset.diff.by_path.get(AGENT_TRACE_PATH)
    if change is not None and change.status is FileStatus.ADDED and not change.is_binary:
        return None  # whole in its hunk, read from there
    return revisions.why_unread("head", AGENT_TRACE_PATH)


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

    def __init__(self, changeset: ChangeSet, owners: Mapping[str, Owned]) -> None:
        self._changeset = changeset
        self._owners = owners
        self._cache: dict[tuple[str, str], tuple[dict[int, int], list[int]]] = {}

    def head_lines(self, span: LineSpan, sha: str) -> list[int]:
        """Head line numbers of the span's lines (numbered in `sha`'s file) that `sha` added."""
        key = (span.path, sha)
        cached = self._cache.get(key)
        if cached is None:
            numbers = self._changeset.line_origin_numbers.get(span.path)
            added, owner = self._owners[span.path]
            if numbers:
                pairs = zip(added, owner, strict=True)
                by_origin = {numbers[n]: n for n, s in pairs if s == sha and n in numbers}
            else:
                by_origin = {n: n for n, s in zip(added, owner, strict=True) if s == sha}
            cached = self._cache[key] = (by_origin, sorted(by_origin))
        by_origin, ordered = cached
        return [by_origin[n] for n in span.hits(ordered)]


class _Budget:
    """Line placements left for line-level records: overlapping ranges repeated by a hostile record
    would otherwise cost records x lines."""

    def __init__(self, limit: int) -> None:
        self.left = limit
        self.spent = ""

    def take(self, n: int) -> bool:
        self.left -= n
        if self.left >= 0:
            return True
        self.spent = (
            f"line-level records place more than {MAX_PLACEMENTS:,} lines (overlapping ranges): "
            "the remaining records are disregarded"
        )
        return False


def _read_at_head(changeset: ChangeSet, owners: Mapping[str, Owned], span: LineSpan) -> bool:
    """True when a per-commit record must be read at head numbers though several commits changed the
    file. The git sources give per-commit numbers for every such file, so this is only hand-made input."""
    return not changeset.line_origin_numbers.get(span.path) and len(set(owners[span.path][1])) > 1


def line_marks(
    changeset: ChangeSet, owners: Mapping[str, Owned], notes: list[str]
) -> dict[str, dict[int, LineMark]]:
    placer = _Placer(changeset, owners)
    trace = _trace_text(changeset)
    if trace:
        _place_agent_trace(placer, trace, notes)
    _place_git_ai_notes(placer, notes)
    if placer.budget.spent:
        notes.append(placer.budget.spent)
    if placer.direct:
        notes.append(
            f"{placer.direct} line-level records on files changed by several commits were read at head "
            "line numbers (the source gave no per-commit line numbers)"
        )
    return placer.marks


class _Placer:
    """Puts line-level records on head lines, within one budget of placements for the run."""

    def __init__(self, changeset: ChangeSet, owners: Mapping[str, Owned]) -> None:
        self.changeset = changeset
        self.owners = owners
        self.marks: dict[str, dict[int, LineMark]] = defaultdict(dict)
        self.commit_lines = _CommitLines(changeset, owners)
        self.budget = _Budget(MAX_PLACEMENTS)
        self.direct = 0  # per-commit records read at head numbers
        self._added_sorted: dict[str, list[int]] = {}

    def at_head(self, span: LineSpan) -> list[int]:
        """The added lines of a span numbered at the head revision."""
        added = self._added_sorted.get(span.path)
        if added is None:
            added = self._added_sorted[span.path] = sorted(self.owners[span.path][0])
        return span.hits(added)

    def at_commit(self, span: LineSpan, sha: str) -> list[int]:
        """The head lines of a span numbered in commit `sha`'s file, that `sha` added."""
        self.direct += _read_at_head(self.changeset, self.owners, span)
        return self.commit_lines.head_lines(span, sha)

    def place(self, path: str, lines: list[int], mark: LineMark) -> bool:
        """Mark the lines; False once the budget is spent (the remaining records are disregarded)."""
        if not self.budget.take(len(lines)):
            return False
        file_marks = self.marks[path]
        for n in lines:
            file_marks[n] = mark
        return True


def _place_agent_trace(placer: _Placer, trace: str, notes: list[str]) -> None:
    """Agent Trace records: at the head revision directly, at a commit of the range through its lines."""
    changeset = placer.changeset
    heads = _head_names(changeset)
    in_range = {c.sha.lower(): c.sha for c in changeset.commits}
    parsed = parse_agent_traces(trace)
    notes.extend(parsed.problems)
    skipped = 0
    for span in parsed.spans:
        if span.path not in placer.owners:
            continue
        ev = Evidence("agent trace", span.text, span.tool or "human", AGENT_TRACE_PATH)
        rev = (span.revision or "").lower()
        if not rev or any(_same_rev(rev, h) for h in heads):
            lines = placer.at_head(span)
        else:
            sha = next((full for low, full in in_range.items() if _same_rev(rev, low)), None)
            if sha is None:
                skipped += 1
                continue
            lines = placer.at_commit(span, sha)
        if not placer.place(span.path, lines, LineMark(span.tool, ev)):
            break
    if skipped:
        notes.append(
            f"{skipped} Agent Trace ranges recorded at a revision other than the head "
            "that is not a commit of the range were skipped"
        )


def _place_git_ai_notes(placer: _Placer, notes: list[str]) -> None:
    """git-ai notes, read after Agent Trace so that a note wins for the same line."""
    for commit in placer.changeset.commits:
        if not commit.ai_note:
            continue
        parsed = parse_git_ai_note(commit.ai_note)
        notes.extend(f"{commit.sha[:12]}: {p}" for p in parsed.problems)
        for span in parsed.spans:
            if span.path not in placer.owners:
                continue
            ev = Evidence("git-ai note", span.text, span.tool or "human", "refs/notes/ai")
            if not placer.place(span.path, placer.at_commit(span, commit.sha), LineMark(span.tool, ev)):
                break
