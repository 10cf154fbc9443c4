"""A stage's result as the trace's `run` record keeps it, for a replay to decide the verdict again.

Its usage is the report's `Usage`; its findings are `TraceFinding`s, the whole `Finding`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from gate.schema.base import Schema
from gate.schema.coverage import SkippedFile, StageCoverage
from gate.schema.finding import TraceFinding
from gate.schema.report import Usage
from gate.schema.spec_plan import SpecPlan


class TraceStage(Schema):
    stage: str
    ran: bool
    why: str
    skipped_reason: str | None = None
    model_error: str | None = None
    error: str | None = None
    usage: Usage
    details: dict[str, Any] = Field(default_factory=dict)
    findings: tuple[TraceFinding, ...] = ()
    # what other code reads from a stage (the quorum it needed, what it did not check, the review's state
    # for the next run, the line keys of its findings, the findings it carried over, what it covered, the
    # models it called, the files it did not read and those it read as code, the spec check's plan), typed
    # beside the report's details
    quorum: int = 0
    not_checked: tuple[str, ...] = ()
    review_state: str | None = None
    line_keys: dict[str, str] = Field(default_factory=dict)
    carried: tuple[TraceFinding, ...] = ()
    coverage: StageCoverage | None = None
    models: tuple[str, ...] = ()
    skipped_files: tuple[SkippedFile, ...] = ()
    read_as_code: tuple[str, ...] = ()
    spec_plan: SpecPlan | None = None
