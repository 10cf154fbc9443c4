"""What every analyzer is: a Stage that declares its id, description and docs anchor, and makes its
findings and results through that declaration so the stage id cannot drift."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from gate.findings import Confidence, Finding, Location, Severity
from gate.run import RunContext, StageResult
from gate.schema.coverage import SkippedFile

# Deterministic analyzers run on every PR; this is what the report says about why.
ALWAYS = "runs on every PR"


@dataclass(frozen=True)
class AnalyzerMeta:
    id: str  # kebab-case stage id, as in SPEC 5.6
    description: str  # one line
    docs: str  # anchor in the docs, e.g. "#dependencies"
    # What it reads besides the change and the config (`gate.run.Stage`).
    reads_learning: bool = False
    reads_provenance: bool = False
    runs_first: bool = False
    # Added lines per part on a change large enough to split its work into parts (`gate.run.SplitStage`);
    # 0: it runs whole.
    lines_per_part: int = 0

    def finding(
        self,
        rule: str,
        severity: Severity,
        confidence: Confidence,
        title: str,
        body: str,
        location: Location | None = None,
        *,
        suggestion: str | None = None,
        category: str = "",
    ) -> Finding:
        return Finding(
            stage=self.id,
            rule=rule,
            severity=severity,
            confidence=confidence,
            title=title,
            body=body,
            location=location,
            category=category or self.id,
            suggestion=suggestion,
            deterministic=True,
        )

    def result(
        self,
        findings: Iterable[Finding],
        details: Mapping[str, Any] | None = None,
        *,
        skipped_reason: str | None = None,
        why: str = ALWAYS,
        ran: bool = True,
        not_checked: tuple[str, ...] = (),
        skipped_files: tuple[SkippedFile, ...] = (),
        read_as_code: tuple[str, ...] = (),
    ) -> StageResult:
        """What the stage found; `ran=False` with findings when it could do only part of its work
        (e.g. manifests read, but no registry reachable)."""
        return StageResult(
            stage=self.id,
            ran=ran,
            why=why,
            skipped_reason=skipped_reason,
            findings=tuple(findings),
            details=dict(details or {}),
            not_checked=not_checked,
            skipped_files=skipped_files,
            read_as_code=read_as_code,
        )

    def skipped(
        self, reason: str, details: Mapping[str, Any] | None = None, *, why: str = ALWAYS
    ) -> StageResult:
        return StageResult(
            stage=self.id, ran=False, why=why, skipped_reason=reason, details=dict(details or {})
        )


class Analyzer:
    """Base of the analyzers: subclasses set `meta` and implement `run`; id/description/docs follow."""

    meta: ClassVar[AnalyzerMeta]
    id: str
    description: str
    docs: str
    reads_learning: bool
    reads_provenance: bool
    runs_first: bool
    lines_per_part: int

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.id = cls.meta.id
        cls.description = cls.meta.description
        cls.docs = cls.meta.docs
        cls.reads_learning = cls.meta.reads_learning
        cls.reads_provenance = cls.meta.reads_provenance
        cls.runs_first = cls.meta.runs_first
        cls.lines_per_part = cls.meta.lines_per_part

    def prepare(self, ctx: RunContext) -> None:
        """Start what the run will wait on (a git process), before the process's first stage: it then
        works while that process learns the change's secrets. Never required; nothing by default."""

    def run(self, ctx: RunContext) -> StageResult:
        raise NotImplementedError

    def run_part(self, ctx: RunContext, index: int, count: int) -> StageResult:
        """Part `index` of `count` of the work, for an analyzer that declares `lines_per_part`."""
        raise NotImplementedError

    def merge(self, parts: Sequence[StageResult]) -> StageResult:
        """The result of the whole work from its parts' results, in their order."""
        raise NotImplementedError
