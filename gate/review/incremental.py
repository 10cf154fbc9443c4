"""Incremental re-review: after new commits on a reviewed PR, send models only what changed since.

The previous run left a `ReviewState` (the head it reviewed, its findings, the lines every model was
shown). When that head is an ancestor of the new one, `git diff OLD NEW` (or GitHub's compare API when
the checkout lacks the old head) tells which lines changed since, in the new head's numbering. A review
unit of the current diff is held back only when none of its shown lines changed since and every one of
them was shown to the models then; all others are sent. So code the previous review never saw (a file
`paths.ignore` left out until an import made it first-party, a hunk a moved base brought in) is sent
though it did not change. A previous finding is carried over when its lines are unchanged, lie in no
unit sent again, still read the same (their text hash), and its file is still in the diff: with its
`confirmed_by` kept and its lines moved to where they are now. Findings in re-sent code are dropped,
since the models judge that code again. Anything that makes this unsure (a rebased head, a head that
cannot be compared, other review models, a state that does not say what was shown) means a full
review, and the stage's details say why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gate.context.commit_id import short_id
from gate.context.compare import NotComparable
from gate.context.lines import git_lines
from gate.context.model import ChangeSet, RevisionReader
from gate.diff.model import Diff, FileStatus, LineKind
from gate.errors import GateError
from gate.findings import Finding, Location, Severity
from gate.review.consensus import STAGE, confidence
from gate.review.state import KeptFinding, ReviewState, lines_hash
from gate.review.units import ReviewUnit
from gate.run import HeadDiff
from gate.schema.review_state import FullReview, IncrementalReview


@dataclass(frozen=True)
class Delta:
    """What changed between two heads, in the newer head's line numbers."""

    changed: Mapping[str, frozenset[int]]  # new path -> lines added, or next to removed ones
    # new path -> (old_start, old_count, new_start, new_count) of each hunk, in order
    hunks: Mapping[str, tuple[tuple[int, int, int, int], ...]]
    kept: Mapping[str, Mapping[int, int]]  # new path -> old -> new line, for context lines in hunks
    renamed: Mapping[str, str]  # old path -> new path
    gone: frozenset[str]  # old paths deleted since
    sources: Mapping[str, str]  # new path -> old path, for the renamed ones

    def move(self, old_path: str, line: int) -> tuple[str, int] | None:
        """Where an old line is now, or None when it changed."""
        if old_path in self.gone:
            return None
        path = self.renamed.get(old_path, old_path)
        offset = 0
        for old_start, old_count, _, new_count in self.hunks.get(path, ()):
            if old_count == 0:  # pure insertion after old line old_start
                if line <= old_start:
                    break
            elif line < old_start:
                break
            elif line < old_start + old_count:
                moved = self.kept.get(path, {}).get(line)
                return None if moved is None else (path, moved)
            offset += new_count - old_count
        return path, line + offset

    def origin(self, path: str, line: int) -> tuple[str, int] | None:
        """Where a line of the newer head was at the older one, or None when it is new or changed."""
        if 0 in self.changed.get(path, ()):
            return None
        old_path = self.sources.get(path, path)
        offset = 0
        for _, old_count, new_start, new_count in self.hunks.get(path, ()):
            if new_count == 0:  # pure removal after new line new_start
                if line <= new_start:
                    break
            elif line < new_start:
                break
            elif line < new_start + new_count:
                back = next((old for old, new in self.kept.get(path, {}).items() if new == line), None)
                return None if back is None else (old_path, back)
            offset += new_count - old_count
        return old_path, line - offset


def delta_of(diff: Diff) -> Delta:
    changed: dict[str, frozenset[int]] = {}
    hunks: dict[str, tuple[tuple[int, int, int, int], ...]] = {}
    kept: dict[str, dict[int, int]] = {}
    renamed: dict[str, str] = {}
    gone: set[str] = set()
    sources: dict[str, str] = {}
    for change in diff.files:
        if change.status is FileStatus.DELETED:
            gone.add(change.old_path or change.path)
            continue
        if change.old_path and change.old_path != change.path:
            renamed[change.old_path] = change.path
            sources[change.path] = change.old_path
        lines: set[int] = set()
        for h in change.hunks:
            lines.update(line.new_no for line in h.added if line.new_no is not None)
            if not any(True for _ in h.added):  # a removal: the lines around it read differently now
                lines.update(range(max(1, h.new_start), h.new_start + max(h.new_count, 1) + 1))
            kept.setdefault(change.path, {}).update(
                {
                    line.old_no: line.new_no
                    for line in h.lines
                    if line.kind is LineKind.CONTEXT and line.old_no is not None and line.new_no is not None
                }
            )
        if change.status is FileStatus.ADDED or change.is_binary or not change.hunks:
            lines.add(0)  # the whole file is new (or unreadable): every line counts as changed
        changed[change.path] = frozenset(lines)
        hunks[change.path] = tuple((h.old_start, h.old_count, h.new_start, h.new_count) for h in change.hunks)
    return Delta(changed, hunks, kept, renamed, frozenset(gone), sources)


@dataclass
class Plan:
    """Which units go to the models again, which are held back as reviewed before, and which findings
    stay as they were."""

    send: list[ReviewUnit]
    review: FullReview | IncrementalReview
    carried: list[KeptFinding] = field(default_factory=list)
    held: list[ReviewUnit] = field(default_factory=list)

    @property
    def details(self) -> dict[str, Any]:
        """The review's `details.incremental` in the report."""
        return self.review.model_dump(mode="json")

    @property
    def earlier(self) -> frozenset[str]:
        """The files none of whose units were sent: every model reviewed all of them on an earlier run."""
        return frozenset(u.path for u in self.held) - {u.path for u in self.send}


def full(units: Sequence[ReviewUnit], why: str) -> Plan:
    return Plan(list(units), FullReview(why=why))


def plan(
    changeset: ChangeSet,
    units: Sequence[ReviewUnit],
    previous: ReviewState | None,
    models: Sequence[str],
    compare: HeadDiff | None,
) -> Plan:
    if previous is None:
        return full(units, "no previous review of this PR")
    if set(previous.models) != set(models):
        return full(units, "the review models changed since the previous review")
    if previous.reviewed is None:
        return full(units, "the previous review state does not say which code the models were shown")
    revisions = changeset.revisions
    if compare is None or revisions is None:
        return full(units, "no repository to compare with the previous review's head")
    try:
        delta = delta_of(compare(previous.head, changeset.head_ref))
    except NotComparable as exc:
        return full(units, str(exc))
    except GateError as exc:
        return full(units, f"cannot compare with the previous head: {exc.message}")
    shown = {r.path: r.lines for r in previous.reviewed}
    send: list[ReviewUnit] = []
    held: list[ReviewUnit] = []
    unseen = 0
    for unit in units:
        if _touched(unit, delta):
            send.append(unit)
        elif not _shown_before(unit, delta, shown):
            send.append(unit)  # unchanged, but no model was shown it: a file no longer ignored, say
            unseen += 1
        else:
            held.append(unit)
    carried: list[KeptFinding] = []
    dropped: list[str] = []
    in_diff = {u.path for u in units}
    for kept in previous.findings:
        moved = _carry(kept, delta, send, in_diff, revisions)
        if moved is None:
            dropped.append(kept.fingerprint)
        else:
            carried.append(moved)
    review = IncrementalReview(
        previous_head=previous.head,
        units_sent=len(send),
        units_carried=len(held),
        units_not_reviewed_before=unseen,
        carried=tuple(carried),
        dropped_fingerprints=tuple(dropped),
    )
    return Plan(send, review, carried, held)


def _touched(unit: ReviewUnit, delta: Delta) -> bool:
    lines = delta.changed.get(unit.path)
    if lines is None:
        return False
    return 0 in lines or any(unit.start_line <= n <= unit.end_line for n in lines)


def _shown_before(unit: ReviewUnit, delta: Delta, shown: Mapping[str, tuple[tuple[int, int], ...]]) -> bool:
    """Whether every line the unit shows was shown to the models by the previous review, where it was
    then. A unit showing no numbered line (a file emptied) needs its file to have been sent."""
    old_path = delta.sources.get(unit.path, unit.path)
    if old_path not in shown:
        return False
    for no in {no for no, _ in unit.rows if no is not None}:
        was = delta.origin(unit.path, no)
        if was is None or not any(first <= was[1] <= last for first, last in shown.get(was[0], ())):
            return False
    return True


def _carry(
    kept: KeptFinding,
    delta: Delta,
    send: Sequence[ReviewUnit],
    in_diff: set[str],
    revisions: RevisionReader,
) -> KeptFinding | None:
    start, end = delta.move(kept.path, kept.start_line), delta.move(kept.path, kept.end_line)
    if start is None or end is None or start[0] not in in_diff:
        return None
    path, (first, last) = start[0], (start[1], end[1])
    if 0 in delta.changed.get(path, ()):
        return None
    if any(u.path == path and u.start_line <= last and first <= u.end_line for u in send):
        return None  # the models see this code again and judge it afresh
    text = revisions.read("head", path)
    if not kept.lines_hash or lines_hash(git_lines(text) if text else None, first, last) != kept.lines_hash:
        return None
    return kept.model_copy(update={"path": path, "start_line": first, "end_line": last})


def carried_findings(review: FullReview | IncrementalReview, quorum: int) -> tuple[Finding, ...]:
    """The findings an incremental review carried over, as Findings; none for a full review."""
    if not isinstance(review, IncrementalReview):
        return ()
    previous = review.previous_head
    out = []
    for k in review.carried:
        out.append(
            Finding(
                stage=STAGE,
                rule=f"review/{k.category}",
                severity=Severity(k.severity),
                confidence=confidence(len(k.confirmed_by), quorum),
                title=k.title,
                body=k.body,
                location=Location(k.path, k.start_line, k.end_line),
                category=k.category,
                suggestion=k.suggestion,
                confirmed_by=k.confirmed_by,
                deterministic=False,
                extra=(("carried_from", short_id(previous)),),
            )
        )
    return tuple(out)


def with_carried(findings: tuple[Finding, ...], carried: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """This run's findings and those carried over from the previous run. Both are fingerprinted from the
    text of their lines, not their numbers, so one body of code written twice gives two findings one
    fingerprint: a fresh finding replaces a carried one only at the same lines, and only when at least
    as many models stand behind it. Elsewhere, both are kept."""
    fresh = {(f.fingerprint, f.location): f for f in findings}
    kept = []
    replaced = set()
    for f in carried:
        where = (f.fingerprint, f.location)
        again = fresh.get(where)
        if again is None:
            kept.append(f)
        elif len(set(again.confirmed_by)) < len(set(f.confirmed_by)):
            kept.append(f)  # its lines read as they did when more models confirmed it
            replaced.add(where)
    return tuple(f for f in findings if (f.fingerprint, f.location) not in replaced) + tuple(kept)
