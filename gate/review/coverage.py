"""What the review reached of the change and what it did not: the chunks fewer than `quorum` models
reviewed, the model error and the notes that say so, and the review's `StageCoverage` for the report
(the files each model reviewed; binary files, lines too long to send whole and unreviewed chunks as
gaps). Fail closed: code the review was to look at and did not is never counted as reviewed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gate.diff.model import Diff, FileStatus
from gate.redact.hidden import HIDDEN, hidden_added
from gate.review.consensus import STAGE
from gate.review.flow import ReviewRounds
from gate.review.units import Chunk, NotReviewed
from gate.schema.coverage import Gap, ReviewedFile, StageCoverage
from gate.wording import first_of

# How much of the places and reasons a model error quotes: enough to act on, short enough to read.
MAX_WHERE_CHARS = 500
MAX_REASONS_CHARS = 300
# The cut lines a note names one by one; the rest are counted.
CUT_LINES_NAMED = 5
NOT_SENT = "not sent to any model on this run, and no earlier review of the PR was shown it"


@dataclass(frozen=True)
class Unreviewed:
    """A chunk fewer than `quorum` distinct models reviewed (a valid answer), and why each missing model
    did not."""

    chunk: Chunk
    reviewed_by: tuple[str, ...]
    missing: Mapping[str, str]  # model -> why it did not review the chunk

    @property
    def lines(self) -> list[str]:
        return [f"{u.path}:{u.start_line}-{u.end_line}" for u in self.chunk.units]

    def as_json(self) -> dict[str, Any]:
        """The chunk as the review's `details.unreviewed_chunks` shows it."""
        return {
            "chunk": self.chunk.id,
            "paths": list(self.chunk.paths),
            "lines": self.lines,
            "reviewed_by": list(self.reviewed_by),
            "missing": dict(self.missing),
        }


def unreviewed(chunks: Sequence[Chunk], quorum: int, rounds: ReviewRounds) -> list[Unreviewed]:
    """The chunks fewer than `quorum` distinct models reviewed, with why each missing model did not."""
    why: dict[tuple[str, str], str] = {}
    for f in rounds.failures:
        if f.get("schema") == "review":
            why.setdefault((f["unit"], f["model"]), f["error"])
    for n in rounds.not_reviewed:
        if n.get("schema") == "review":
            why.setdefault((n["unit"], n["model"]), n["reason"])
    out = []
    for chunk in chunks:
        by = rounds.reviewed_by.get(chunk.id, set())
        if len(by) < quorum:
            missing = {m: why.get((chunk.id, m), "no answer") for m in rounds.models if m not in by}
            out.append(Unreviewed(chunk, tuple(sorted(by)), missing))
    return out


def coverage_error(
    missed: Sequence[Unreviewed], chunks: Sequence[Chunk], quorum: int, distinct: int
) -> str | None:
    """The model error that says which code fewer than `quorum` models reviewed; None when all was."""
    if not missed:
        return None
    where = "; ".join(", ".join(u.lines) for u in missed)
    reasons = sorted({r for u in missed for r in u.missing.values()})
    lead = (
        f"only {distinct} distinct review model{'s' if distinct != 1 else ''} for review.quorum {quorum}; "
        if distinct < quorum
        else ""
    )
    return (
        f"{lead}{len(missed)} of {len(chunks)} chunk(s) not reviewed by {quorum} distinct models: "
        f"{where[:MAX_WHERE_CHARS]}" + (f" ({'; '.join(reasons)[:MAX_REASONS_CHARS]})" if reasons else "")
    )


def cut_note(cut: Sequence[NotReviewed]) -> str | None:
    """A line too long to send whole was cut: its tail is code no model saw, so the review is incomplete."""
    if not cut:
        return None
    where = first_of([f"{s.what}:{s.line}" for s in cut], CUT_LINES_NAMED)
    return f"not reviewed: the tail of {len(cut)} line(s) too long to send whole ({where})"


def withheld_note(withheld: Mapping[str, str]) -> str | None:
    """Files left out of the prompts, their text not read whole (`gate.redact.unlearned_files`): code no
    model saw, so the review is incomplete."""
    if not withheld:
        return None
    paths = list(withheld)
    where = first_of(paths, CUT_LINES_NAMED)
    return (
        f"not reviewed: {len(paths)} file(s) sent to no model ({where}): their text at head or base "
        "was not read, so the secrets they hold are not all known"
    )


def hidden_rows(diff: Diff, chunks: Sequence[Chunk]) -> list[NotReviewed]:
    """The added lines the sent chunks showed with text hidden by a value remembered elsewhere, not
    found on the line itself (`gate.redact.hidden`): what the models reviewed is not that code."""
    shown = ((unit.path, unit.start_line, unit.end_line) for chunk in chunks for unit in chunk.units)
    return [NotReviewed(path, HIDDEN, line) for path, line in hidden_added(diff, shown)]


def hidden_note(hidden: Sequence[NotReviewed], lead: str = "not reviewed") -> str | None:
    """Lines shown with text a value remembered elsewhere hid: not reviewed (`lead`) as written."""
    if not hidden:
        return None
    where = first_of([f"{s.what}:{s.line}" for s in hidden], CUT_LINES_NAMED)
    return (
        f"{lead}: {len(hidden)} added line(s) shown with text hidden by a value remembered elsewhere "
        f"in the run ({where})"
    )


def hidden_gaps(hidden: Sequence[NotReviewed], stage: str = STAGE) -> list[Gap]:
    return [Gap(stage=stage, kind="failure", reason=s.reason, path=s.what, lines=str(s.line)) for s in hidden]


def partial_note(rounds: ReviewRounds, chunks: Sequence[Chunk]) -> str | None:
    """Say which chunks fewer than all models reviewed (budget, failures), and which calls never started."""
    missed = [n for n in rounds.not_reviewed if n.get("schema") == "review"]
    missed += [f for f in rounds.failures if f.get("schema") == "review"]
    gaps = {(c["unit"], c["model"]) for c in missed}
    units = sorted({unit for unit, _ in gaps})
    budget = [n for n in rounds.not_reviewed if "budget" in n["reason"]]
    parts = []
    if units:
        who = sorted({model for _, model in gaps})
        parts.append(
            f"partial: {len(units)} of {len(chunks)} chunk(s) not reviewed by every model "
            f"({', '.join(units)}; missing: {', '.join(who)})"
        )
    if budget:
        parts.append(f"{len(budget)} call(s) not started: {budget[0]['reason']}")
    return "; ".join(parts) or None


def review_coverage(
    diff: Diff,
    models: tuple[str, ...],
    quorum: int,
    chunks: Sequence[Chunk],
    reviewed_by: Mapping[str, set[str]],
    earlier: Collection[str],
    cut: Sequence[NotReviewed],
    missed: Sequence[Unreviewed] = (),
    withheld: Mapping[str, str] = {},
) -> StageCoverage:
    """What the review reached: per file, the models that reviewed every chunk of it sent this run
    (`reviewed_by`: chunk id -> the models with a valid answer); in an incremental review, the files
    `earlier` names were not sent, every model having been shown all of them on an earlier run. Binary
    files, cut lines, files neither sent nor reviewed earlier (with why, for those `withheld` names: left
    out of the prompts), and unreviewed chunks are gaps, in that order."""
    by_file = _reviewers_by_file(chunks, reviewed_by)
    reviewed: list[ReviewedFile] = []
    binary: list[Gap] = []
    unsent: list[Gap] = []
    for change in diff.files:
        if change.is_binary:
            binary.append(
                Gap(stage=STAGE, kind="binary", reason="binary file: not reviewed", path=change.path)
            )
        elif change.status is not FileStatus.DELETED and change.hunks:
            by = by_file.get(change.path)
            if by is not None:
                reviewed.append(ReviewedFile(path=change.path, models=tuple(sorted(by))))
            elif change.path in earlier and change.path not in withheld:
                reviewed.append(ReviewedFile(path=change.path, models=models, earlier=True))
            else:
                reviewed.append(ReviewedFile(path=change.path))
                reason = withheld.get(change.path, NOT_SENT)
                unsent.append(Gap(stage=STAGE, kind="failure", reason=reason, path=change.path))
    too_long = [Gap(stage=STAGE, kind="size", reason=s.reason, path=s.what, lines=str(s.line)) for s in cut]
    return StageCoverage(
        models=models,
        reviewed=tuple(reviewed),
        gaps=(*binary, *too_long, *unsent, *_unreviewed_gaps(missed, quorum)),
    )


def _reviewers_by_file(chunks: Sequence[Chunk], reviewed_by: Mapping[str, set[str]]) -> dict[str, set[str]]:
    """Per path, the models that reviewed every chunk holding part of it."""
    out: dict[str, set[str]] = {}
    for chunk in chunks:
        by = reviewed_by.get(chunk.id, set())
        for path in chunk.paths:
            seen = out.get(path)
            out[path] = set(by) if seen is None else seen & by
    return out


def _unreviewed_gaps(missed: Sequence[Unreviewed], quorum: int) -> list[Gap]:
    gaps: list[Gap] = []
    for u in missed:
        why = "; ".join(f"{model}: {reason}" for model, reason in u.missing.items())
        reason = f"reviewed by {len(u.reviewed_by)} of the {quorum} models required ({why})"
        gaps.extend(
            Gap(
                stage=STAGE,
                kind="failure",
                reason=reason,
                path=unit.path,
                lines=f"{unit.start_line}-{unit.end_line}",
            )
            for unit in u.chunk.units
        )
    return gaps
