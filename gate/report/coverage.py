"""What a run covered: the files of the change, who reviewed them, and everything left out, with why.

A reviewer's first question about an AI review is what it did not look at. The answer is computed once
from the outcome (`of`), kept in the JSON report as its top-level `coverage`, and read back from there
(`Coverage.model_validate`) by every summary, so a report published by another job says the same.
Fail closed: a file, line or hunk that a stage asked for and did not get is a `Gap`; the summary shows
one line only when there is none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from gate.diff.model import FileStatus
from gate.schema.coverage import (
    MAX_PATH_CHARS,
    MAX_REASON_CHARS,
    Coverage,
    Gap,
    GapKind,
    ReviewedFile,
    ReviewState,
)

__all__ = ["MAX_PATH_CHARS", "MAX_REASON_CHARS", "Coverage", "Gap", "ReviewedFile", "of", "to_json"]

if TYPE_CHECKING:  # the view side (`Coverage`) is read by reporters that never run a pipeline
    from gate.run import Outcome, StageResult

REVIEW = "review"
REGEN = "regen"
# the model stages with their own accounting below (files and hunks); the others are gaps as stages
ACCOUNTED = (REVIEW, REGEN)
_SKIPPED = ": skipped ("
# reasons the re-generation selection gives for a hunk that was never a candidate
_NOT_CANDIDATE = (
    "not AI-authored",
    "not code",
    "trivial",
)  # how the analyzers' shared reader names a file it did not read


def of(outcome: Outcome) -> Coverage:
    diff = outcome.changeset.diff
    stages = {r.stage: r for r in outcome.stages}
    gaps: list[Gap] = []
    unread: dict[str, str] = {}
    for r in outcome.stages:
        if r.stage in ACCOUNTED or r.stage == "provenance":
            continue
        if outcome.escalations.get(r.stage, (True, ""))[0] or r.error or r.model_error:
            gaps.extend(_stage_gap(r))  # a stage its thresholds did not call is not a gap
        for path, why in _skipped_files(r.details.get("skipped_files")):
            unread.setdefault(path, why)
    analysed = [c.path for c in diff.files if c.path not in unread and not c.is_binary]
    for path, why in unread.items():
        gaps.append(Gap(stage="analyzers", kind=_kind(why), reason=f"not analysed: {why}", path=path))
    review, review_why, models, quorum, reviewed = _review(outcome, stages.get(REVIEW), gaps)
    hunks, regenerated = _regen(outcome, stages.get(REGEN), gaps)
    return Coverage(
        files=len(diff.files) + len(diff.ignored_paths),
        analysed=len(analysed),
        ignored=tuple(diff.ignored_paths),
        review=review,
        review_why=review_why,
        models=models,
        quorum=quorum,
        reviewed=reviewed,
        hunks=hunks,
        regenerated=regenerated,
        gaps=tuple(gaps),
    )


def to_json(coverage: Coverage) -> dict[str, Any]:
    return coverage.model_dump(mode="json")


def _stage_gap(r: StageResult) -> list[Gap]:
    if r.error:
        return [Gap(stage=r.stage, kind="failure", reason=f"the stage broke: {r.error}")]
    if r.model_error:
        return [Gap(stage=r.stage, kind="failure", reason=r.model_error)]
    if not r.ran:
        return [Gap(stage=r.stage, kind="not-run", reason=r.skipped_reason or "not run")]
    return []


def _skipped_files(value: object) -> Iterable[tuple[str, str]]:
    """(path, why) of the analyzers' `skipped_files` notes (`<path>: skipped (<why>)`)."""
    for note in value if isinstance(value, list) else ():
        if isinstance(note, str) and _SKIPPED in note and note.endswith(")"):
            path, _, why = note.rpartition(_SKIPPED)
            yield path, why[:-1]


def _kind(why: str) -> GapKind:
    return "binary" if "binary" in why else "size" if "limit" in why or "characters" in why else "failure"


def _review(
    outcome: Outcome, r: StageResult | None, gaps: list[Gap]
) -> tuple[ReviewState, str, tuple[str, ...], int, tuple[ReviewedFile, ...]]:
    called, why = outcome.escalations.get(REVIEW, (False, "not evaluated"))
    if not called:
        return "not-called", why, (), 0, ()
    if r is None or not r.ran:
        reason = (r.error or r.model_error or r.skipped_reason) if r else "not available in this build"
        gaps.append(Gap(stage=REVIEW, kind="not-run", reason=reason or "not run"))
        return "not-run", why, (), 0, ()
    d = r.details
    models = tuple(str(m) for m in d.get("models") or ())
    quorum = int(d.get("quorum") or 0)
    by_chunk: Mapping[str, Any] = d.get("reviewed_by") or {}
    per_file: dict[str, set[str] | None] = {}
    for chunk in d.get("chunks") or ():
        got = set(by_chunk.get(chunk.get("id"), ()))
        for path in chunk.get("paths") or ():
            seen = per_file.get(path)
            per_file[path] = got if seen is None else seen & got
    incremental = (d.get("incremental") or {}).get("mode") == "incremental"
    reviewed: list[ReviewedFile] = []
    for change in outcome.changeset.diff.files:
        if change.is_binary:
            gaps.append(
                Gap(stage=REVIEW, kind="binary", reason="binary file: not reviewed", path=change.path)
            )
            continue
        if change.status is FileStatus.DELETED or not change.hunks:
            continue
        by = per_file.get(change.path)
        if by is not None:
            reviewed.append(ReviewedFile(path=change.path, models=tuple(sorted(by))))
        elif incremental:
            reviewed.append(ReviewedFile(path=change.path, models=models, earlier=True))
    for cut in d.get("cut_lines") or ():
        gaps.append(
            Gap(
                stage=REVIEW,
                kind="size",
                reason=str(cut.get("reason")),
                path=cut.get("path"),
                lines=str(cut.get("line")),
            )
        )
    for chunk in d.get("unreviewed_chunks") or ():
        missing = "; ".join(f"{m}: {why}" for m, why in (chunk.get("missing") or {}).items())
        answered = len(chunk.get("reviewed_by") or ())
        for span in chunk.get("lines") or ():
            path, _, lines = str(span).rpartition(":")
            gaps.append(
                Gap(
                    stage=REVIEW,
                    kind="failure",
                    reason=f"reviewed by {answered} of the {quorum} models required ({missing})",
                    path=path,
                    lines=lines,
                )
            )
    if not d.get("unreviewed_chunks") and r.model_error and not d.get("cut_lines"):
        gaps.append(Gap(stage=REVIEW, kind="failure", reason=r.model_error))
    return "reviewed", why, models, quorum, tuple(reviewed)


def _regen(outcome: Outcome, r: StageResult | None, gaps: list[Gap]) -> tuple[int, int]:
    called, _ = outcome.escalations.get(REGEN, (False, ""))
    if not called:
        return 0, 0
    if r is None or not r.ran:
        reason = (r.error or r.model_error or r.skipped_reason) if r else "not available in this build"
        gaps.append(Gap(stage=REGEN, kind="not-run", reason=reason or "not run"))
        return 0, 0
    checked = list(r.details.get("checked") or ())
    # hunks the selection passed over by design (not AI-authored, not code, trivial) are not gaps
    skipped = [
        h for h in r.details.get("skipped") or () if not str(h.get("reason")).startswith(_NOT_CANDIDATE)
    ]
    for hunk in skipped:
        start, end = hunk.get("start_line"), hunk.get("end_line")
        gaps.append(
            Gap(
                stage=REGEN,
                kind="size" if "too large" in str(hunk.get("reason")) else "failure",
                reason=f"not re-generated: {hunk.get('reason')}",
                path=hunk.get("path"),
                lines=f"{start}-{end}" if start != end else str(start),
            )
        )
    if r.model_error and not skipped:
        gaps.append(Gap(stage=REGEN, kind="failure", reason=r.model_error))
    return len(checked) + len(skipped), len(checked)
