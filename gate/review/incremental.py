"""Incremental re-review: after new commits on a reviewed PR, send models only what changed since.

The previous run left a `ReviewState` (the head it reviewed, its findings). When that head is an
ancestor of the new one, `git diff OLD NEW` (or GitHub's compare API when the checkout lacks the old
head) tells which lines changed since, in the new head's numbering. A review unit of the current diff
is sent again when its shown lines overlap them; the others are not sent. A previous finding is
carried over when its lines are unchanged, lie in no unit sent again, still read the same (their text
hash), and its file is still in the diff: with its `confirmed_by` kept and its lines moved to where
they are now. Findings in re-sent code are dropped, since the models judge that code again. Anything
that makes this unsure (a rebased head, a head that cannot be compared, other review models) means a
full review, and the stage's details say why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gate.context.commit_id import short_id
from gate.context.compare import NotComparable
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
    hunks: Mapping[str, tuple[tuple[int, int, int], ...]]  # new path -> (old_start, old_count, shift)
    kept: Mapping[str, Mapping[int, int]]  # new path -> old -> new line, for context lines in hunks
    renamed: Mapping[str, str]  # old path -> new path
    gone: frozenset[str]  # old paths deleted since

    def move(self, old_path: str, line: int) -> tuple[str, int] | None:
        """Where an old line is now, or None when it changed."""
        if old_path in self.gone:
            return None
        path = self.renamed.get(old_path, old_path)
        offset = 0
        for old_start, old_count, shift in self.hunks.get(path, ()):
            if old_count == 0:  # pure insertion after old line old_start
                if line <= old_start:
                    break
            elif line < old_start:
                break
            elif line < old_start + old_count:
                moved = self.kept.get(path, {}).get(line)
                return None if moved is None else (path, moved)
            offset += shift
        return path, line + offset


def delta_of(diff: Diff) -> Delta:
    changed: dict[str, frozenset[int]] = {}
    hunks: dict[str, tuple[tuple[int, int, int], ...]] = {}
    kept: dict[str, dict[int, int]] = {}
    renamed: dict[str, str] = {}
    gone: set[str] = set()
    for change in diff.files:
        if change.status is FileStatus.DELETED:
            gone.add(change.old_path or change.path)
            continue
        if change.old_path and change.old_path != change.path:
            renamed[change.old_path] = change.path
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
        hunks[change.path] = tuple(
            (h.old_start, h.old_count, h.new_count - h.old_count) for h in change.hunks
        )
    return Delta(changed, hunks, kept, renamed, frozenset(gone))


@dataclass
class Plan:
    """Which units go to the models again, and which findings stay as they were."""

    send: list[ReviewUnit]
    review: FullReview | IncrementalReview
    carried: list[KeptFinding] = field(default_factory=list)

    @property
    def details(self) -> dict[str, Any]:
        """The review's `details.incremental` in the report."""
        return self.review.model_dump(mode="json")


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
    revisions = changeset.revisions
    if compare is None or revisions is None:
        return full(units, "no repository to compare with the previous review's head")
    try:
        delta = delta_of(compare(previous.head, changeset.head_ref))
    except NotComparable as exc:
        return full(units, str(exc))
    except GateError as exc:
        return full(units, f"cannot compare with the previous head: {exc.message}")
    send = [u for u in units if _touched(u, delta)]
    held = len(units) - len(send)
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
        units_carried=held,
        carried=tuple(carried),
        dropped_fingerprints=tuple(dropped),
    )
    return Plan(send, review, carried)


def _touched(unit: ReviewUnit, delta: Delta) -> bool:
    lines = delta.changed.get(unit.path)
    if lines is None:
        return False
    return 0 in lines or any(unit.start_line <= n <= unit.end_line for n in lines)


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
    if not kept.lines_hash or lines_hash(text.splitlines() if text else None, first, last) != kept.lines_hash:
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
    """This run's findings, then those carried over from the previous run that it did not raise again
    (both fingerprinted from the text of their lines, so a finding raised again matches)."""
    fresh = {f.fingerprint for f in findings}
    return findings + tuple(f for f in carried if f.fingerprint not in fresh)
