"""The pipeline: read the change, run the stages in order, decide, and hand the outcome to reporters."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

from gate.config.models import Config
from gate.context.model import ChangeSet
from gate.errors import GateError
from gate.findings import Finding, LineReader, line_keys, with_line_keys
from gate.provenance.model import ProvenanceResult


@dataclass(frozen=True)
class Usage:
    model_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    wall_seconds: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.model_calls + other.model_calls,
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.cost_usd + other.cost_usd,
            self.wall_seconds + other.wall_seconds,
        )


@dataclass(frozen=True)
class StageResult:
    """What one stage did. A stage that could not run says so here; it never raises past the pipeline."""

    stage: str
    ran: bool
    why: str
    skipped_reason: str | None = None
    findings: tuple[Finding, ...] = ()
    # The stage needed models and could not finish; the verdict then follows gate.on_model_error.
    model_error: str | None = None
    usage: Usage = field(default_factory=Usage)
    # The stage itself broke (a defect or a hostile input): its checks are missing, so the verdict follows
    # gate.on_stage_error (fail by default).
    error: str | None = None
    # Stage-specific facts for the report (JSON-able): units reviewed and not, regen hunks, lookups.
    details: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def skipped(cls, stage: str, why: str, reason: str) -> StageResult:
        return cls(stage=stage, ran=False, why=why, skipped_reason=reason)


Progress = Callable[[str], None]


def _no_progress(_: str) -> None:
    return None


@dataclass
class RunContext:
    """Everything a stage may read. Run-scoped services (trace, budget) live in `services`."""

    changeset: ChangeSet
    config: Config
    offline: bool = False
    provenance: ProvenanceResult | None = None
    # Which escalations the thresholds call for: stage id -> (run?, why).
    escalations: Mapping[str, tuple[bool, str]] = field(default_factory=dict)
    services: dict[str, Any] = field(default_factory=dict)
    progress: Progress = _no_progress
    # Results of stages that already ran, by id.
    results: dict[str, StageResult] = field(default_factory=dict)


class Stage(Protocol):
    """A stage declares who it is; findings are made through it so the id cannot drift."""

    id: str
    description: str
    docs: str

    def run(self, ctx: RunContext) -> StageResult: ...


@dataclass(frozen=True)
class Outcome:
    verdict: str  # "pass" | "fail" | "neutral"
    reasons: tuple[str, ...]
    provenance: ProvenanceResult
    stages: tuple[StageResult, ...]
    findings: tuple[Finding, ...]
    usage: Usage
    changeset: ChangeSet
    config: Config
    notes: tuple[str, ...] = ()
    # Which escalations the thresholds called for: stage id -> (met?, why).
    escalations: Mapping[str, tuple[bool, str]] = field(default_factory=dict)

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocking)


T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a stage's coroutine to completion from its synchronous `run`, also when the caller is already
    inside an event loop (an async host): then on a loop of its own, in a thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _run_stage(stage: Stage, ctx: RunContext) -> StageResult:
    """The stage's result; a stage that raises is recorded as broken, so the others' work is kept and
    the report and trace are still written."""
    try:
        return stage.run(ctx)
    except Exception as exc:
        import traceback

        from gate.redact import redact

        first = (str(exc).strip().splitlines() or [""])[0]
        error = redact(f"{type(exc).__name__}: {first}"[:300])
        trace = ctx.services.get("trace")
        if trace is not None:
            # Where to look when debugging it: the innermost frames as `file:line in function`, one
            # string each (no traceback text in any output), redacted like the rest.
            frames = traceback.extract_tb(exc.__traceback__)[-12:]
            where = [redact(f"{_short_path(f.filename)}:{f.lineno} in {f.name}") for f in frames]
            trace.write({"type": "error", "stage": stage.id, "error": error, "where": where})
        why = ctx.escalations.get(stage.id, (True, "runs on every PR"))[1]
        return StageResult(stage=stage.id, ran=False, why=why, skipped_reason="stage failed", error=error)


def _short_path(filename: str) -> str:
    """A frame's file from the package root down (`gate/...`, `site-packages/...`), not the machine's path."""
    parts = filename.replace("\\", "/").split("/")
    for anchor in ("gate", "site-packages"):
        if anchor in parts:
            return "/".join(parts[len(parts) - 1 - parts[::-1].index(anchor) :])
    return parts[-1]


def run(ctx: RunContext, stages: Sequence[Stage]) -> Outcome:
    """Run provenance, then every stage in order, then the policy. Reads top to bottom."""
    from gate import policy
    from gate.provenance.stage import ProvenanceStage
    from gate.redact import learn_changeset

    started = time.monotonic()
    # Every secret the change carries, read with its file's name, is known before anything leaves the
    # gate: a prompt row, a trace line or a posted comment hides it even where nothing else marks it.
    learn_changeset(ctx.changeset)
    provenance = ProvenanceStage()
    ctx.progress(f"{provenance.id}: {provenance.description}")
    # Not contained like the others: every later stage and the verdict stand on it, so its error ends
    # the run (exit 2, the trace says why) rather than leaving a report without an AI share.
    results: list[StageResult] = [provenance.run(ctx)]
    ctx.results[provenance.id] = results[0]
    assert ctx.provenance is not None
    if not ctx.escalations:
        ctx.escalations = policy.escalations(ctx.provenance, ctx.changeset, ctx.config)
    if not ctx.offline:
        from gate.models.warmup import warm_up

        warm_up(ctx.escalations)  # a model stage will run: litellm loads while the checks run
    read = head_lines(ctx.changeset)
    for stage in stages:
        ctx.progress(f"{stage.id}: {stage.description}")
        result = _keyed(_run_stage(stage, ctx), read)
        results.append(result)
        ctx.results[stage.id] = result
    usage = Usage()
    for r in results:
        usage = usage + r.usage
    usage = Usage(
        usage.model_calls,
        usage.prompt_tokens,
        usage.completion_tokens,
        usage.cost_usd,
        round(time.monotonic() - started, 3),
    )
    decision = policy.decide(results, ctx.changeset, ctx.config)
    return Outcome(
        verdict=decision.verdict,
        reasons=decision.reasons,
        provenance=ctx.provenance,
        stages=tuple(results),
        findings=decision.findings,
        usage=usage,
        changeset=ctx.changeset,
        config=ctx.config,
        notes=ctx.changeset.notes + ctx.changeset.diff.notes,
        escalations=dict(ctx.escalations),
    )


def head_lines(changeset: ChangeSet) -> LineReader:
    """Lines of a file as the change leaves it: from the head revision when the source has one, else
    from the new side of the diff (lines outside its hunks are then unknown). Files are read once."""
    files: dict[str, list[str] | None] = {}
    shown: dict[str, dict[int, str]] = {}

    def read(path: str, start: int, end: int) -> list[str] | None:
        if path not in files:
            text = None
            if changeset.revisions is not None:
                try:
                    text = changeset.revisions.read("head", path)
                except (OSError, ValueError, UnicodeDecodeError, GateError):
                    text = None
            files[path] = text.splitlines() if text is not None else None
        lines = files[path]
        if lines is not None:
            return lines[start - 1 : end] if 1 <= start <= end <= len(lines) else None
        if path not in shown:
            change = next((c for c in changeset.diff.files if c.path == path), None)
            shown[path] = {
                line.new_no: line.text
                for hunk in (change.hunks if change else ())
                for line in hunk.lines
                if line.new_no is not None
            }
        got = [shown[path].get(n) for n in range(start, end + 1)]
        return None if not got or any(g is None for g in got) else [g for g in got if g is not None]

    return read


def _keyed(result: StageResult, read: LineReader) -> StageResult:
    """The result with each finding's `lines_key` set (its fingerprint then follows its code)."""
    if not result.findings or all(f.lines_key for f in result.findings):
        return result
    keys = line_keys((f for f in result.findings if not f.lines_key), read)
    return replace(result, findings=with_line_keys(result.findings, keys))
