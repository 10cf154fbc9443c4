"""The data a run passes between layers: usage, stage results, the run context and its services, the
outcome, the `Stage` protocol and the exit codes.

This module sits at the bottom of the package: it imports only the standard library and other bottom
modules (config, findings, the diff/change/provenance data models, and those for annotations only), so
every layer can name these types without tying a knot. The concrete services it carries sit above it and
are named for type checking only.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    # Bottom modules, for annotations only so that the command line's first import stays light; and the
    # concrete services (models.*, review.state), which sit above this module.
    from gate.config.models import Config
    from gate.context.model import ChangeSet
    from gate.diff.model import Diff
    from gate.findings import Finding
    from gate.intent.sources import LinkedIssues
    from gate.models.budget import RunBudget
    from gate.models.interface import ModelClient
    from gate.models.trace import TraceWriter
    from gate.provenance.model import ProvenanceResult
    from gate.review.state import ReviewState
    from gate.schema.coverage import SkippedFile, StageCoverage
    from gate.schema.spec_plan import SpecPlan
    from gate.specs.model import SpecSet

# -- exit codes: the process's answer, decided once for every entry point ------------------------------

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2

# The stages whose findings come from models (quorum, cross-check, confirmed_by), in the order they run.
MODEL_STAGES = ("review", "regen", "spec")


def exit_code(verdict: str, strict: bool) -> int:
    """0 pass (and neutral unless `strict`), 1 fail."""
    if verdict == "fail":
        return EXIT_FAIL
    if verdict == "neutral" and strict:
        return EXIT_FAIL
    return EXIT_PASS


# -- what a stage reports -------------------------------------------------------------------------------


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


# Why a model stage did not run on an offline run (`--offline`).
OFFLINE = "offline: no model is called"


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
    # Stage-specific facts for the report (JSON-able): units reviewed and not, regen hunks, lookups. Only
    # what the report shows: what other code reads is in the typed fields below.
    details: Mapping[str, Any] = field(default_factory=dict)
    # Distinct models a model finding of this stage needs (a recorded run's own quorum); 0: the config's.
    quorum: int = 0
    # What the stage could not check (a registry it could not reach): no pass, the verdict is neutral.
    not_checked: tuple[str, ...] = ()
    # The encoded review state the next run of this change starts from (the report's `review_state`).
    review_state: str | None = None
    # The text hash of each finding's lines, by `path:start-end`, so a replay fingerprints them the same.
    line_keys: Mapping[str, str] = field(default_factory=dict)
    # Findings carried over unchanged from the previous review of the change, with their line keys;
    # `findings` holds those this run did not raise again.
    carried: tuple[Finding, ...] = ()
    # What a model stage reached of the change and what it left out (the report's coverage).
    coverage: StageCoverage | None = None
    # The models a model stage called (SARIF names them as the run's tool extensions).
    models: tuple[str, ...] = ()
    # The files an analyzer did not read, with why (the report's coverage lists them as gaps).
    skipped_files: tuple[SkippedFile, ...] = ()
    # The changed files an analyzer read as code of their language (a Python file parsed, its imports
    # read): the coverage counts a Python file as analysed only when one did.
    read_as_code: tuple[str, ...] = ()
    # What the spec check sent: its numbered requirements and each chunk's governing statements (replay).
    spec_plan: SpecPlan | None = None

    @classmethod
    def skipped(cls, stage: str, why: str, reason: str) -> StageResult:
        return cls(stage=stage, ran=False, why=why, skipped_reason=reason)

    @classmethod
    def offline(cls, stage: str, why: str) -> StageResult:
        """A model stage its thresholds call for, on a run with no network: not run, and a model error, so
        the verdict follows gate.on_model_error as when no model is available; never a pass."""
        return cls(
            stage=stage,
            ran=False,
            why=why,
            skipped_reason=OFFLINE,
            model_error=f"the {stage} stage the thresholds call for was not run ({OFFLINE})",
        )


# -- what a stage reads ---------------------------------------------------------------------------------

Progress = Callable[[str], None]


def no_progress(_: str) -> None:
    return None


# Which lines changed from one head to the next (in the newer head's numbering); raises
# `gate.context.compare.NotComparable` when that cannot be told.
HeadDiff = Callable[[str, str], "Diff"]


@dataclass
class Services:
    """The run-scoped services the stages share; the entry point opens and closes them."""

    # The prompt trace (`--trace`), when asked for.
    trace: TraceWriter | None = None
    # The run's budget; its clock starts with the run, so deterministic stages count against it too.
    budget: RunBudget | None = None
    # The model layer, created on first use with the budget and the trace.
    model_client: ModelClient | None = None
    # The review state an earlier run of the same change left, for an incremental review.
    previous_review: ReviewState | None = None
    # What changed since that run's head when the change's git cannot tell (the GitHub API).
    compare_heads: HeadDiff | None = None
    # The issues the PR links to, or how to read them (through the GitHub API, only when the spec stage runs).
    linked_issues: LinkedIssues | Callable[[], LinkedIssues] | None = None
    # The run's spec set, read once by the first stage that needs it.
    specs: SpecSet | None = None
    # Requirements extracted from the specs this run, by key, shared by the stages that ask for them.
    spec_extract_cache: dict[str, Any] = field(default_factory=dict)
    # Held while a service above is created on first use: model stages may run side by side.
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)


@dataclass
class RunContext:
    """Everything a stage may read. Run-scoped services (trace, budget, model client) live in `services`."""

    changeset: ChangeSet
    config: Config
    offline: bool = False
    provenance: ProvenanceResult | None = None
    # Which escalations the thresholds call for: stage id -> (run?, why).
    escalations: Mapping[str, tuple[bool, str]] = field(default_factory=dict)
    services: Services = field(default_factory=Services)
    progress: Progress = no_progress
    # Results of stages that already ran, by id.
    results: dict[str, StageResult] = field(default_factory=dict)
    # The stages this process runs, by id, when a run's stages are split between two processes
    # (`gate.worker`): its own, and the shared group it took; None when every stage runs here. What a
    # stage readies for another (phantom-symbols' facts of a test file, for weakened-tests) is worth
    # making only for one that runs here.
    runs_here: frozenset[str] | None = None


class Stage(Protocol):
    """A stage declares who it is, and what it reads besides the change and the config, which places it
    (`gate.pipeline`, `gate.worker`); findings are made through it so the id cannot drift."""

    id: str
    description: str
    docs: str
    # Reads the change's secrets as learning found them (answers from that scan, or quotes lines through
    # the redaction): in a child process, it runs where the learning runs.
    reads_learning: bool
    # Reads the provenance stage's line attribution: it runs in this process, after provenance.
    reads_provenance: bool
    # Runs before the others in its process (the report keeps the list's order): a single pass over the
    # added lines whose findings (a leaked token to rotate) must not wait on a check that a hostile input
    # keeps busy until the run's time is up. It reads only the change and what learning its secrets
    # found, which each process has before its first stage.
    runs_first: bool

    def run(self, ctx: RunContext) -> StageResult: ...


class SplitStage(Stage, Protocol):
    """A stage whose work splits by the change's files: each part reads its own run of the files and its
    findings depend on nothing the other parts read, so the parts can run in either process, and their
    results merged are the stage's result."""

    # Added lines each part takes at least (`gate.pipeline` splits a change with fewer into no parts).
    lines_per_part: int

    def run_part(self, ctx: RunContext, index: int, count: int) -> StageResult: ...

    def merge(self, parts: Sequence[StageResult]) -> StageResult: ...


class StagePart:
    """Part `index` of `count` of a stage whose work splits (`SplitStage`), placed and run as a stage of
    its own; it reads what its stage reads."""

    def __init__(self, whole: SplitStage, index: int, count: int) -> None:
        self.whole, self.index, self.count = whole, index, count
        self.id = whole.id
        self.description = f"{whole.description} (part {index + 1} of {count})"
        self.docs = whole.docs
        self.reads_learning = whole.reads_learning
        self.reads_provenance = whole.reads_provenance
        self.runs_first = whole.runs_first

    def prepare(self, ctx: RunContext) -> None:
        start = getattr(self.whole, "prepare", None)
        if start is not None and self.index == 0:  # once for the stage
            start(ctx)

    def run(self, ctx: RunContext) -> StageResult:
        return self.whole.run_part(ctx, self.index, self.count)


def prepare(stages: Iterable[Stage], ctx: RunContext) -> None:
    """Have each stage that can start what it will wait on (a git process) start it now (`prepare`),
    before the process's first stage. Never required: a stage whose preparing fails does that work
    when it runs, and meets the failure there."""
    for stage in stages:
        start = getattr(stage, "prepare", None)
        if start is not None:
            with contextlib.suppress(Exception):
                start(ctx)


# -- what a run produces --------------------------------------------------------------------------------


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
    # Loaded here, not with the run's types: a run that calls no model and looks nothing up needs neither.
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
