"""The pipeline: read the change, run the stages in order, decide, and hand the outcome to reporters.

Model stages next to each other in the list, when more than one of them will call a model, run side by
side on threads: they read the same change and none reads another's result, and the model layer gives
their calls one bound per model and one budget. Deterministic stages may run in a forked child at the
same time (`gate.worker`): all of them but those that read provenance when a model may be called (this
process then imports litellm and runs the model stages), else those that read what learning the
change's secrets found; each stage declares what it reads (`reads_learning`, `reads_provenance`), and
whether it runs before the others in its process (`runs_first`). Results, and the trace records a broken
stage leaves, still come in the list's order.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import cast

from gate import deadline, policy, syntax, worker
from gate.analyzers import forget_caches as forget_analyzer_caches
from gate.analyzers.catalog import WEAKENED_TESTS
from gate.analyzers.source import clear_parse_cache
from gate.context.lines import head_lines
from gate.findings import LineReader, line_keys, with_line_keys
from gate.memory import limit_heaps, release_freed
from gate.provenance.stage import ProvenanceStage
from gate.redact import learn_changeset, prescan, ready, redact, strings_in
from gate.run import (
    MODEL_STAGES,
    Outcome,
    RunContext,
    SplitStage,
    Stage,
    StagePart,
    StageResult,
    Usage,
    prepare,
)
from gate.worker import Child
from gate.worker import Outcome as StageOutcome

# A broken stage's error is one line of the report: its first line, cut here.
ERROR_MAX_CHARS = 300
# Frames of a broken stage's traceback kept in the trace: the innermost, where the defect usually is.
TRACE_FRAMES = 12


def _contained(stage: Stage, ctx: RunContext, *, limited: bool = True) -> StageOutcome:
    """The stage's result, and the trace's error record when it raised: a stage that raises is recorded
    as broken, so the others' work is kept and the report and trace are still written. The error's
    text is as raised; `_hidden` redacts it once the change's secrets are known.

    A deterministic stage run on this process's main thread is stopped when the run's time is up
    (`gate.deadline`; `limited`), and fails; a model stage's calls keep the run's time themselves."""
    try:
        if not limited or stage.id in MODEL_STAGES:
            return stage.run(ctx), None
        with deadline.limit(_time_left(ctx)):
            return stage.run(ctx), None
    except deadline.TimeUp as up:
        return _failure(stage, ctx, deadline.why_stopped(ctx.config.budget.max_seconds, up.started))
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [""])[0]
        error = f"{type(exc).__name__}: {first}"[:ERROR_MAX_CHARS]
        # Where to look when debugging it: the innermost frames as `file:line in function`, one string
        # each (no traceback text in any output).
        frames = traceback.extract_tb(exc.__traceback__)[-TRACE_FRAMES:]
        where = [f"{_short_path(f.filename)}:{f.lineno} in {f.name}" for f in frames]
        return _failure(stage, ctx, error, where)


def _hidden(outcome: StageOutcome) -> StageOutcome:
    """The outcome with its error's text redacted, like everything else that leaves the gate."""
    result, record = outcome
    if record is None and result.error is None:
        return outcome
    if result.error is not None:
        result = replace(result, error=redact(result.error))
    if record is not None:
        where = record.get("where", [])
        record = {
            **record,
            "error": redact(str(record.get("error", ""))),
            "where": [redact(str(w)) for w in where] if isinstance(where, list) else [],
        }
    return result, record


def _in_child(read: LineReader) -> worker.RunStage:
    """`_contained`, redacted, its findings given their line keys (with `read`): for a child, which
    learns the change's secrets before its stages run, and so sends what this process would otherwise
    work out after it. Its time is kept by this process, which stops the child when it is up (a signal
    could not stop a stage stuck in code that never checks for one)."""

    def run_stage(stage: Stage, ctx: RunContext) -> StageOutcome:
        result, record = _hidden(_contained(stage, ctx, limited=False))
        return _keyed(result, read), record

    return run_stage


def _outcome_texts(outcomes: Sequence[StageOutcome]) -> Iterator[str]:
    return _texts(result for result, _ in outcomes)


def _failed(stage: Stage, ctx: RunContext, error: str) -> StageResult:
    why = ctx.escalations.get(stage.id, (True, "runs on every PR"))[1]
    return StageResult(stage=stage.id, ran=False, why=why, skipped_reason="stage failed", error=error)


def _failure(stage: Stage, ctx: RunContext, error: str, where: Sequence[str] = ()) -> StageOutcome:
    """A failed stage's result, and the trace's error record that says so: `where` the frames of the
    exception it raised, none when it failed without raising (the run's time was up, it ended without
    a result, its process died or could not send it)."""
    record: dict[str, object] = {"type": "error", "stage": stage.id, "error": error, "where": list(where)}
    return _failed(stage, ctx, error), record


def _side_by_side(stages: Sequence[Stage], ctx: RunContext) -> list[StageOutcome]:
    """Run `stages` at once, one thread each; outcomes in their order. The threads are daemons: an
    interrupted run (Ctrl-C) ends without waiting for their model calls."""
    for stage in stages:
        ctx.progress(f"{stage.id}: {stage.description}")
    outcomes: list[StageOutcome | None] = [None] * len(stages)

    def work(index: int, stage: Stage) -> None:
        outcomes[index] = _contained(stage, ctx)

    syntax.guard_stdlib_parser()  # the stages parse Python, and import modules that do, side by side
    threads = [
        threading.Thread(target=work, args=(i, s), name=f"stage-{s.id}", daemon=True)
        for i, s in enumerate(stages)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # None: the thread ended by something `_contained` does not catch (SystemExit): broken too
    return [
        outcome or _failure(stage, ctx, "the stage ended without a result")
        for stage, outcome in zip(stages, outcomes, strict=True)
    ]


def _waves(stages: Sequence[Stage], ctx: RunContext, together: bool) -> list[list[Stage]]:
    """The stages in order, grouped: a group of several is model stages next to each other in the list
    that will each call a model (escalated, not offline), to run side by side."""
    waves: list[list[Stage]] = []
    for stage in stages:
        model = stage.id in MODEL_STAGES
        if together and model and waves and waves[-1][-1].id in MODEL_STAGES:
            waves[-1].append(stage)
        else:
            waves.append([stage])
    out: list[list[Stage]] = []
    for wave in waves:
        calling = sum(1 for s in wave if _calls_a_model(s, ctx))
        out.extend([wave] if calling > 1 else [[s] for s in wave])
    return out


def _calls_a_model(stage: Stage, ctx: RunContext) -> bool:
    return stage.id in MODEL_STAGES and not ctx.offline and ctx.escalations.get(stage.id, (False, ""))[0]


def _short_path(filename: str) -> str:
    """A frame's file from the package root down (`gate/...`, `site-packages/...`), not the machine's path."""
    parts = filename.replace("\\", "/").split("/")
    for anchor in ("gate", "site-packages"):
        if anchor in parts:
            return "/".join(parts[len(parts) - 1 - parts[::-1].index(anchor) :])
    return parts[-1]


def run(ctx: RunContext, stages: Sequence[Stage], *, together: bool = True) -> Outcome:
    """Run provenance, then every stage in order, then the policy. Reads top to bottom. Model stages
    that will call models run side by side unless `together` is False (one after the other, as a
    baseline to compare with)."""
    started = time.monotonic()
    limit_heaps()
    placed = _split(stages, ctx)
    child = worker.start(
        _apart(placed, ctx),
        ctx,
        _in_child(head_lines(ctx.changeset)),
        _outcome_texts,
        shared=_shared(placed, ctx),
    )
    try:
        results = _stages(ctx, placed, together, child)
    except BaseException:
        if child is not None:
            child.stop()
            child.learned()  # what is printed about the error is redacted with the change's secrets
        raise
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
    release_freed()  # what the model stages freed, before the report is built
    decision = policy.decide(results, ctx.changeset, ctx.config)
    assert ctx.provenance is not None
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


# A stage whose work splits (`SplitStage`) runs in at most this many parts.
MAX_PARTS = 4


def _split(stages: Sequence[Stage], ctx: RunContext) -> list[Stage]:
    """`stages`, each deterministic stage whose work splits by the change's files replaced by its parts
    (`StagePart`) when the change's added lines make more than one of `lines_per_part`. The parts depend
    on the change alone: one process or two, a run splits the same way."""
    out: list[Stage] = []
    diff = ctx.changeset.diff
    added = sum(c.added_count for c in (*diff.files, *diff.ignored_files))
    for stage in stages:
        per = getattr(stage, "lines_per_part", 0)
        count = min(MAX_PARTS, added // per) if per > 0 else 1
        if count > 1 and stage.id not in MODEL_STAGES and not stage.reads_provenance:
            whole = cast(SplitStage, stage)
            out.extend(StagePart(whole, index, count) for index in range(count))
        else:
            out.append(stage)
    return out


def _apart(stages: Sequence[Stage], ctx: RunContext) -> list[Stage]:
    """The deterministic stages a child may run: all but those that need provenance when a model may be
    called (this process then has litellm's import and the model stages to run), else those that read
    the learning's findings (this process runs the others meanwhile); of a stage that splits, the first
    half of its parts, whatever it reads (the later half either process runs: `_shared`)."""
    may_call = not ctx.offline and any(s.id in MODEL_STAGES for s in stages)
    return [
        s
        for s in _run_order(stages)
        if s.id not in MODEL_STAGES
        and not s.reads_provenance
        and (may_call or ((s.reads_learning or isinstance(s, StagePart)) and not _either(s)))
    ]


def _either(stage: Stage) -> bool:
    """Whether the stage is one of the later half of a split stage's parts, which either process may run
    when no model will be called (`_shared`)."""
    return isinstance(stage, StagePart) and stage.index >= stage.count // 2


def _run_order(stages: Sequence[Stage]) -> list[Stage]:
    """`stages` in the order they run: those that run first (`Stage.runs_first`), then the rest as
    listed."""
    return sorted(stages, key=lambda s: not s.runs_first)


def _shared(stages: Sequence[Stage], ctx: RunContext) -> list[list[Stage]]:
    """The deterministic stages either process may run when no model will be called: those that read
    neither provenance nor the learning's findings, in groups. This process takes the first group left
    after provenance, the child the next after its own (`_apart`), and each the next again when it is
    free: on a change whose history is long to read, the child takes them all.

    dependencies goes with phantom-symbols: both read the syntax trees of all the change's Python files
    (`parse_python`), which one process parses once. weakened-tests is a group of its own: of those trees
    it needs only the test files', and on a large change it takes about as long as phantom-symbols: the
    two then run at the same time, one in each process, where as one group they ran one after the other.

    A stage that splits (`_split`: injection-text on a large change) reads the learning's findings: the
    child runs the first half of its parts as its own, and the later half are groups of their own,
    after the first group, which this process takes once it is done with that one (and the learning
    has come). The child is mostly still at work on its own parts when provenance is done, so this
    process takes the first group, whose findings then stay here; and the parts left come before any other
    group, so that no check a hostile input keeps busy holds them up (as `runs_first` keeps a whole
    stage from it)."""
    if not ctx.offline and any(s.id in MODEL_STAGES for s in stages):
        return []
    either = [
        s
        for s in stages
        if s.id not in MODEL_STAGES
        and not s.reads_provenance
        and not s.reads_learning
        and not isinstance(s, StagePart)  # placed by halves, whatever they read
    ]
    alone = [[s] for s in either if s.id in _ALONE]
    together = [s for s in either if s.id not in _ALONE]
    parts: list[list[Stage]] = [[s] for s in stages if _either(s)]
    return ([together] if together else []) + parts + alone


# Shared stages each in a group of its own: they parse little of what the others parse.
_ALONE = frozenset({WEAKENED_TESTS.id})


def _stages(
    ctx: RunContext, stages: Sequence[Stage], together: bool, child: Child | None
) -> list[StageResult]:
    """Provenance's result, then each stage's, in the list's order."""
    if child is None:
        prepare([s for s in stages if s.id not in MODEL_STAGES], ctx)
        # Every secret the change carries, read with its file's name, is known before anything leaves
        # the gate: a prompt row, a trace line or a posted comment hides it even where nothing else
        # marks it. (A child learns them first and sends them here.)
        learn_changeset(ctx.changeset)
    if not ctx.offline:
        from gate.models.warmup import warm_up_for_diff

        # When the diff's size alone calls for a model, litellm starts loading now, not after provenance.
        warm_up_for_diff(ctx.changeset.diff, ctx.config)
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

        warm_up(ctx.escalations, ctx.config)  # a model stage will run: litellm loads while the checks run
    outcomes: dict[int, StageOutcome] = {}
    while child is not None and (group := child.claim()) is not None:
        if any(s.reads_learning for s in group):
            ready()
            child.learned(_time_left(ctx))  # the part quotes lines through the redaction, as in the child
        ctx.runs_here = frozenset(s.id for s in (*_own(stages, child), *group))
        for stage in group:
            ctx.progress(f"{stage.id}: {stage.description}")
            outcomes[id(stage)] = _contained(stage, ctx)
    if child is None:
        own = _run_order(stages)
    else:
        own = _run_order(_own(stages, child))
        ctx.runs_here = frozenset(s.id for s in own)
    forgotten = False
    for wave in _waves(own, ctx, together):
        if any(s.id in MODEL_STAGES for s in wave) and not forgotten:
            forgotten = True
            if child is not None:
                ready()  # while the child may still be learning: the prompts' scans need its rules
                child.learned(_time_left(ctx))  # prompts are redacted with every secret the change carries
            # No model stage reads the analyzers' syntax trees and test lines: free them, and hand what
            # the deterministic stages freed back, before the model stages allocate.
            clear_parse_cache()
            forget_analyzer_caches()
            release_freed()
        if len(wave) == 1:
            ctx.progress(f"{wave[0].id}: {wave[0].description}")
            done = [_contained(wave[0], ctx)]
        else:
            done = _side_by_side(wave, ctx)
        outcomes.update((id(stage), outcome) for stage, outcome in zip(wave, done, strict=True))
    read = head_lines(ctx.changeset)
    if child is not None:
        ready()  # while the child may still be learning: the scans below need the detector's rules
        child.learned(_time_left(ctx))
        # While the child works on: this process's findings get their line keys, and their text is
        # scanned for the report's redaction (the child does the same for its own).
        outcomes = {key: (_keyed(result, read), error) for key, (result, error) in outcomes.items()}
        prescan(_outcome_texts(list(outcomes.values())))
        theirs = child.theirs
        sent = child.outcomes(lambda stage, why: _failure(stage, ctx, why), _time_left(ctx))
        outcomes.update((id(stage), outcome) for stage, outcome in zip(theirs, sent, strict=True))
    parts: dict[str, list[StageResult]] = {}  # a split stage's parts' results, by its id
    for stage in stages:
        result, error = _hidden(outcomes[id(stage)])
        if error is not None and ctx.services.trace is not None:
            ctx.services.trace.write(error)
        if isinstance(stage, StagePart):
            parts.setdefault(stage.id, []).append(result)
            if stage.index < stage.count - 1:
                continue
            result = _merged(stage.whole, parts.pop(stage.id))
        keyed = _keyed(result, read)
        results.append(keyed)
        ctx.results[stage.id] = keyed
    return results


def _merged(stage: SplitStage, parts: Sequence[StageResult]) -> StageResult:
    """A split stage's result from its parts' results, in their order. A part that failed fails the
    stage: what it had to read is unchecked, so no verdict may pass on the others' findings alone."""
    failed = next((r for r in parts if r.error is not None or not r.ran), None)
    return failed if failed is not None else stage.merge(parts)


def _own(stages: Sequence[Stage], child: Child) -> list[Stage]:
    """The stages only this process runs: neither the child's nor any shared group's."""
    apart = {id(s) for s in (*child.stages, *(s for g in child.shared for s in g))}
    return [s for s in stages if id(s) not in apart]


def _texts(results: Iterable[StageResult]) -> Iterator[str]:
    """The strings the report will hold of these results that its redaction scans: their details, and
    their findings' texts (not their ids and fingerprints, hashes the gate computes)."""
    for result in results:
        yield from strings_in(result.details)
        for f in result.findings:
            path = f.location.path if f.location else ""
            yield from (f.title, f.body, f.suggestion or "", path)


def _time_left(ctx: RunContext) -> float:
    """Seconds the run may still wait for its stages: what `budget.max_seconds` leaves of it, at most
    what a thread's wait can be given (a budget of `inf` or 1e12 s would raise OverflowError there)."""
    budget = ctx.services.budget
    left = budget.remaining_seconds() if budget is not None else ctx.config.budget.max_seconds
    return min(left, threading.TIMEOUT_MAX)


def _keyed(result: StageResult, read: LineReader) -> StageResult:
    """The result with each finding's `lines_key` set (its fingerprint then follows its code)."""
    if not result.findings or all(f.lines_key for f in result.findings):
        return result
    keys = line_keys((f for f in result.findings if not f.lines_key), read)
    return replace(result, findings=with_line_keys(result.findings, keys))
