"""The report's `coverage`: the files of the change, who reviewed them, and everything left out, with why.

`gate.report.coverage` computes it from the outcome; every summary reads it back from the report.
"""

from __future__ import annotations

from typing import Annotated, Literal

from gate.schema.base import PathText, Schema, StageId, at_most

GapKind = Literal["size", "binary", "failure", "not-run"]
ReviewState = Literal["reviewed", "not-called", "not-run"]
ReasonText = Annotated[str, at_most(2000)]
LinesText = Annotated[str, at_most(200)]


class Gap(Schema):
    """Something a stage was asked to check and did not: a file, some lines of it, or (path None) the
    whole change."""

    stage: StageId
    kind: GapKind
    reason: ReasonText
    path: PathText | None = None
    lines: LinesText | None = None  # "12" or "12-40"


class ReviewedFile(Schema):
    path: PathText
    # the distinct models that reviewed every part of the file sent this run (a valid answer each)
    models: tuple[str, ...] = ()
    # unchanged since the previous review of the PR: its findings were carried over, not asked again
    earlier: bool = False


class Coverage(Schema):
    files: int = 0  # in the change, paths.ignore included
    analysed: int = 0  # read by the deterministic analyzers (all but the ignored, binary and too large)
    ignored: tuple[str, ...] = ()  # left out by paths.ignore (secrets and injection text still read)
    review: ReviewState = "not-called"
    review_why: ReasonText = ""
    models: tuple[str, ...] = ()
    quorum: int = 0
    reviewed: tuple[ReviewedFile, ...] = ()
    hunks: int = 0  # AI-authored hunks the re-generation check selected
    regenerated: int = 0  # of them, re-generated and compared
    gaps: tuple[Gap, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.gaps
