"""What a run covered: the files of the change, who reviewed them, and everything left out, with why.

A reviewer's first question about an AI review is what it did not look at. The answer is computed once
from the outcome (`of`), kept in the JSON report as its top-level `coverage`, and read back from there
(`Coverage.model_validate`) by every summary, so a report published by another job says the same. The
model stages say what they reached themselves (`StageResult.coverage`); this module gathers it.
Fail closed: a file, line or hunk that a stage asked for and did not get is a `Gap`; the summary shows
one line only when there is none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gate.context.file_kinds import is_python_source, shown_first_line
from gate.diff.model import FileChange, FileStatus
from gate.github.limits import PR_FILES_MAX
from gate.schema.coverage import (
    MAX_PATH_CHARS,
    MAX_REASON_CHARS,
    Coverage,
    Gap,
    GapKind,
    ReviewedFile,
    ReviewState,
    SpecCoverage,
    StageCoverage,
)

__all__ = [
    "MAX_PATH_CHARS",
    "MAX_REASON_CHARS",
    "Coverage",
    "Gap",
    "ReviewedFile",
    "SpecCoverage",
    "of",
    "spec_line",
    "to_json",
]

if TYPE_CHECKING:  # the view side (`Coverage`) is read by reporters that never run a pipeline
    from gate.run import Outcome, StageResult

NOT_READ_AS_PYTHON = "not analysed: Python that no analyzer read as Python"

REVIEW = "review"
REGEN = "regen"
SPEC = "spec"
# the model stages with their own accounting below (files, hunks, requirements); the others are gaps as
# stages
ACCOUNTED = (REVIEW, REGEN, SPEC)


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
        for skipped in r.skipped_files:
            unread.setdefault(skipped.path, skipped.why)
        if r.not_checked and r.ran:  # part of what it looks up (a stage that did not run is a gap above)
            why = r.skipped_reason or "unreachable"
            gaps.append(
                Gap(stage=r.stage, kind="failure", reason=f"not checked: {', '.join(r.not_checked)}: {why}")
            )
    # Read, but as other text than Python reads: a failure whatever the coding's name says.
    misread = {path: why for path, why in outcome.changeset.misread.items() if path not in unread}
    read_as_code = {path for r in outcome.stages for path in r.read_as_code}
    unread_python = [
        c.path
        for c in diff.files
        if c.path not in unread and c.path not in misread and _needs_python_read(c, read_as_code)
    ]
    not_analysed = unread.keys() | misread.keys() | set(unread_python)
    analysed = [c.path for c in diff.files if c.path not in not_analysed and not c.is_binary]
    for path, why in unread.items():
        gaps.append(Gap(stage="analyzers", kind=_kind(why), reason=f"not analysed: {why}", path=path))
    for path, why in misread.items():
        gaps.append(Gap(stage="analyzers", kind="failure", reason=f"not analysed: {why}", path=path))
    for path in unread_python:
        gaps.append(Gap(stage="analyzers", kind="failure", reason=NOT_READ_AS_PYTHON, path=path))
    unlisted = outcome.changeset.unlisted
    if unlisted:
        gaps.append(Gap(stage="analyzers", kind="failure", reason=_unlisted(unlisted)))
    review, review_why, models, quorum, reviewed = _review(outcome, stages.get(REVIEW), gaps)
    hunks, regenerated = _regen(outcome, stages.get(REGEN), gaps)
    spec = _spec(outcome, stages.get(SPEC), gaps)
    return Coverage(
        files=len(diff.files) + len(diff.ignored_paths) + unlisted,
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
        spec=spec,
    )


def spec_line(spec: SpecCoverage | None) -> str | None:
    """What the spec stage checked, in words (counts only: its requirements and files are the report's
    text); None when its thresholds did not call it (the thresholds line says so) or the run had none."""
    if spec is None or spec.state == "not-called":
        return None
    if spec.state == "not-run":
        return "spec check not run"
    if not spec.requirements:
        return f"spec check: no requirement to check against, {len(spec.ungoverned)} files governed by none"
    n = len(spec.sent)
    files = len(spec.files)
    return (
        f"spec check: {len(spec.judged)} of {n} requirement{'s' if n != 1 else ''} judged by the quorum "
        f"on the code they govern ({len(spec.requirements)} drawn from the intent sources), "
        f"{files} file{'s' if files != 1 else ''} checked against them, "
        f"{len(spec.ungoverned)} governed by none"
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


def _needs_python_read(change: FileChange, read_as_code: set[str]) -> bool:
    """A Python file of the change (by its suffix, or a first line the diff shows running Python) that
    no analyzer read as Python: the line scanners read it as text, which checks none of its imports. A
    stub only declares, and no check reads it as code; a deleted file runs no more."""
    if change.status is FileStatus.DELETED or change.is_binary or change.path.endswith(".pyi"):
        return False
    return change.path not in read_as_code and is_python_source(change.path, shown_first_line(change))


def _unlisted(count: int) -> str:
    files = f"{count} file{'s' if count != 1 else ''}"
    return f"not analysed: {files} GitHub did not list (it lists a PR's first {PR_FILES_MAX:,})"


def _kind(why: str) -> GapKind:
    return "binary" if "binary" in why else "size" if "limit" in why or "characters" in why else "failure"


def _review(
    outcome: Outcome, r: StageResult | None, gaps: list[Gap]
) -> tuple[ReviewState, str, tuple[str, ...], int, tuple[ReviewedFile, ...]]:
    called, why = outcome.escalations.get(REVIEW, (False, "not evaluated"))
    if not called:
        return "not-called", why, (), 0, ()
    if r is None or not r.ran:
        gaps.append(_not_run(REVIEW, r))
        return "not-run", why, (), 0, ()
    reached = _reached(r, gaps)
    return "reviewed", why, reached.models, r.quorum, reached.reviewed


def _regen(outcome: Outcome, r: StageResult | None, gaps: list[Gap]) -> tuple[int, int]:
    called, _ = outcome.escalations.get(REGEN, (False, ""))
    if not called:
        return 0, 0
    if r is None or not r.ran:
        gaps.append(_not_run(REGEN, r))
        return 0, 0
    reached = _reached(r, gaps)
    return reached.selected, reached.checked


def _spec(outcome: Outcome, r: StageResult | None, gaps: list[Gap]) -> SpecCoverage | None:
    """What the spec stage checked the change against; None from a run with no spec stage at all."""
    if SPEC not in outcome.escalations and r is None:
        return None
    called, why = outcome.escalations.get(SPEC, (False, "not evaluated"))
    if not called:
        return SpecCoverage(state="not-called", why=why)
    if r is None or not r.ran:
        gaps.append(_not_run(SPEC, r))
        return SpecCoverage(state="not-run", why=why)
    reached = _reached(r, gaps)
    intent = reached.intent
    return SpecCoverage(
        state="reviewed",
        why=why,
        models=reached.models,
        quorum=r.quorum,
        files=reached.reviewed,
        **(intent.model_dump() if intent is not None else {}),
    )


def _not_run(stage: str, r: StageResult | None) -> Gap:
    reason = (r.error or r.model_error or r.skipped_reason) if r else "not available in this build"
    return Gap(stage=stage, kind="not-run", reason=reason or "not run")


def _reached(r: StageResult, gaps: list[Gap]) -> StageCoverage:
    """What a model stage that ran says it reached. Its gaps join the report's; a model error that none
    of them explains (a binary file does not) is a gap of its own, and so is a result that does not say."""
    reached = r.coverage
    if reached is None:
        gaps.append(Gap(stage=r.stage, kind="failure", reason="what the stage covered was not recorded"))
        reached = StageCoverage()
    gaps.extend(reached.gaps)
    if r.model_error and all(g.kind == "binary" for g in reached.gaps):
        gaps.append(Gap(stage=r.stage, kind="failure", reason=r.model_error))
    return reached
