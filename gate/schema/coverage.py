"""The report's `coverage`: the files of the change, who reviewed them, and everything left out, with why.

`gate.report.coverage` computes it from the outcome; every summary reads it back from the report.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from gate.schema.base import Schema

GapKind = Literal["size", "binary", "failure", "not-run"]
ReviewState = Literal["reviewed", "not-called", "not-run"]


MAX_REASON_CHARS = 2000
MAX_PATH_CHARS = 4096


def _bounded(value: object, limit: int) -> object:
    """Text cut to `limit` characters: a model's error or a path can be any length, and the report
    must still be written (and read back)."""
    return value[: limit - 1] + "…" if isinstance(value, str) and len(value) > limit else value


class Gap(Schema):
    """Something a stage was asked to check and did not: a file, some lines of it, or (path None) the
    whole change."""

    stage: str = Field(max_length=100)
    kind: GapKind
    reason: str = Field(max_length=MAX_REASON_CHARS)
    path: str | None = Field(default=None, max_length=MAX_PATH_CHARS)
    lines: str | None = Field(default=None, max_length=200)  # "12" or "12-40"

    @field_validator("reason", mode="before")
    @classmethod
    def _reason(cls, value: object) -> object:
        return _bounded(value, MAX_REASON_CHARS)

    @field_validator("path", mode="before")
    @classmethod
    def _path(cls, value: object) -> object:
        return _bounded(value, MAX_PATH_CHARS)


class ReviewedFile(Schema):
    path: str = Field(max_length=MAX_PATH_CHARS)
    # the distinct models that reviewed every part of the file sent this run (a valid answer each)
    models: tuple[str, ...] = ()
    # unchanged since the previous review of the PR: its findings were carried over, not asked again
    earlier: bool = False

    @field_validator("path", mode="before")
    @classmethod
    def _path(cls, value: object) -> object:
        return _bounded(value, MAX_PATH_CHARS)


class IntentReach(Schema):
    """What the spec stage checked the change against: the requirements it drew from the intent sources
    (by id), those some changed file they govern was sent with, those the quorum judged on every chunk
    they were sent with, and the changed files no requirement governs (nothing to check them against, so
    not sent; not a gap)."""

    requirements: tuple[str, ...] = ()
    sent: tuple[str, ...] = ()
    judged: tuple[str, ...] = ()
    ungoverned: tuple[str, ...] = ()

    @field_validator("ungoverned", mode="before")
    @classmethod
    def _paths(cls, value: object) -> object:
        return [_bounded(v, MAX_PATH_CHARS) for v in value] if isinstance(value, list | tuple) else value


class StageCoverage(Schema):
    """What one model stage reached of the change, said by the stage (it knows what it left out):
    the models it asked, the files they reviewed, the units it selected and checked, and what it was to
    check and did not. `gate.report.coverage` gathers these into the report's `Coverage`; the trace keeps
    them so that a replay reports the same."""

    models: tuple[str, ...] = ()
    reviewed: tuple[ReviewedFile, ...] = ()
    selected: int = 0  # the units the stage chose to check (the re-generation check's hunks)
    checked: int = 0  # of them, checked
    gaps: tuple[Gap, ...] = ()
    intent: IntentReach | None = None  # the spec stage's requirements and files


class SpecCoverage(IntentReach):
    """The spec stage's part of the report's coverage: whether its thresholds called it and it ran
    (`state`, `why`), its models and quorum, the files it sent (`files`, each with the models that judged
    every requirement sent with it) and its `IntentReach`. What it was to check and did not is in the
    coverage's gaps, under the stage `spec`."""

    state: ReviewState = "not-called"
    why: str = Field(default="", max_length=MAX_REASON_CHARS)
    models: tuple[str, ...] = ()
    quorum: int = 0
    files: tuple[ReviewedFile, ...] = ()

    @field_validator("why", mode="before")
    @classmethod
    def _why(cls, value: object) -> object:
        return _bounded(value, MAX_REASON_CHARS)


class Coverage(Schema):
    files: int = 0  # in the change, paths.ignore included
    # read by the deterministic analyzers: all but the ignored, the binary, the too large, and Python that no
    # analyzer read as Python
    analysed: int = 0
    ignored: tuple[str, ...] = ()  # left out by paths.ignore (secrets and injection text still read)
    review: ReviewState = "not-called"
    review_why: str = Field(default="", max_length=MAX_REASON_CHARS)
    models: tuple[str, ...] = ()
    quorum: int = 0
    reviewed: tuple[ReviewedFile, ...] = ()
    hunks: int = 0  # AI-authored hunks the re-generation check selected
    regenerated: int = 0  # of them, re-generated and compared
    gaps: tuple[Gap, ...] = ()
    # what the spec stage checked the change against; absent from reports written before it said so
    spec: SpecCoverage | None = None

    @field_validator("review_why", mode="before")
    @classmethod
    def _why(cls, value: object) -> object:
        return _bounded(value, MAX_REASON_CHARS)

    @field_validator("ignored", mode="before")
    @classmethod
    def _ignored(cls, value: object) -> object:
        return [_bounded(v, MAX_PATH_CHARS) for v in value] if isinstance(value, list | tuple) else value

    @property
    def complete(self) -> bool:
        return not self.gaps


class SkippedFile(Schema):
    """A file of the change an analyzer did not read (binary, too large), and why: the analyzers' stages
    say so in `StageResult.skipped_files`, and the coverage lists it as a gap."""

    path: str
    why: str
