"""The two rounds of the multi-model review, concurrently within each round.

Round 1: every model reviews every chunk (`review` schema). Findings are grouped across models.
A finding that names no line its chunk showed (another file, past the end) is left out and counted; the
lines shown are read with each path as the prompt spelled it (`gate.review.placing`), and the lines of
the others are narrowed to those their chunk showed.
Round 2 (cross-check): groups whose claim (`Group.claim`) fewer than quorum models raised are sent, with
their ids, to the models that answered the review but did not raise them (`cross_check` schema); an
`agree` adds support. Only a verdict on an id its own call was sent counts: one on a finding the model was
not shown in that call (another batch's, or one it was never asked about) is ignored and counted.
The outcome is a plain record of what was asked and answered; `consensus` turns it into findings.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gate.config.models import Config
from gate.findings import Severity
from gate.models.interface import CallRequest, CallResult, ModelClient
from gate.models.schemas import CrossCheckOutput, CrossCheckVerdict, ReviewOutput
from gate.models.selection import Selection
from gate.review.consensus import Group, Raised, group_findings, norm_path
from gate.review.placing import Places, Unplaced
from gate.review.prompt import (
    CROSS_CHECK_PROMPT,
    REVIEW_PROMPT,
    Contracts,
    Excerpts,
    PrText,
    cross_check_messages,
    load_prompt,
    review_messages,
)
from gate.review.units import Chunk, shown_part
from gate.run import RunContext, StageResult, Usage
from gate.wording import first_of

CROSS_CHECK_BATCH = 20  # findings per cross-check call
OUTSIDE_NAMED = 5  # places of findings left out that a note names one by one
# A model far slower than its peers is abandoned: once all but one model have answered every call of
# a round, the rest get max(GRACE_MIN_S, GRACE_FACTOR x the time the round took so far).
GRACE_MIN_S = 15.0
GRACE_FACTOR = 2.0


def stage_client(ctx: RunContext, given: ModelClient | None) -> ModelClient:
    """The client a model stage calls: the one it was given (tests, replay), else the run's shared one.
    Imported here, on the path that calls a model, since the shared client brings litellm."""
    if given is not None:
        return given
    from gate.models.service import model_client

    return model_client(ctx)


def priced(ctx: RunContext, models: tuple[str, ...]) -> list[str]:
    """Declare a model stage's models to the run's budget, which prices them; notes on those the cost
    map lacks. Imported here, on the path that calls a model."""
    from gate.models.service import run_budget

    return run_budget(ctx).register(models)


def no_model(stage: str, why: str, selection: Selection, what: str) -> StageResult:
    """A model stage its thresholds called for with no model to run it: a model error, never a pass."""
    return StageResult(
        stage, ran=False, why=why, skipped_reason=selection.note, model_error=f"{what}: {selection.note}"
    )


async def call_all(
    client: ModelClient, requests: Sequence[CallRequest], grace_s: float = GRACE_MIN_S
) -> list[CallResult]:
    """Every request concurrently; results in request order. Calls of a straggling model still running
    after the grace period (at least `grace_s`, `models.grace_seconds`) are cancelled and come back as
    errors that say so."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    tasks = [asyncio.ensure_future(client.call(r)) for r in requests]
    by_model: dict[str, list[asyncio.Future[CallResult]]] = defaultdict(list)
    for request, task in zip(requests, tasks, strict=True):
        by_model[request.model].append(task)
    enough = max(1, len(by_model) - 1)
    pending = set(tasks)
    deadline: float | None = None
    while pending:
        timeout = None if deadline is None else max(0.0, deadline - loop.time())
        done, pending = await asyncio.wait(pending, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if not done:
            break  # grace period over
        finished = sum(1 for ts in by_model.values() if all(t.done() for t in ts))
        if deadline is None and pending and finished >= enough:
            deadline = loop.time() + max(grace_s, GRACE_FACTOR * (loop.time() - started))
    grace = 0.0 if deadline is None else deadline - started
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending)
    return [
        task.result()
        if not task.cancelled()
        else CallResult(
            request,
            (),
            f"abandoned: no answer {grace:.0f} s into the round, after the other models had answered",
        )
        for request, task in zip(requests, tasks, strict=True)
    ]


@dataclass
class ReviewRounds:
    raised: list[Raised] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    verdicts: dict[str, list[CrossCheckVerdict]] = field(default_factory=dict)
    answered: set[str] = field(default_factory=set)  # models with at least one valid review answer
    reviewed_by: dict[str, set[str]] = field(default_factory=dict)  # chunk id -> models with a valid answer
    models: tuple[str, ...] = ()  # the models asked to review
    failures: list[dict[str, str]] = field(default_factory=list)  # {model, unit, schema, error}
    not_reviewed: list[dict[str, str]] = field(default_factory=list)  # {unit, model, reason}
    # the findings left out for pointing at code their chunk did not show, or at a path shown alike for
    # more than one file
    outside: list[Unplaced] = field(default_factory=list)
    places: Places = field(default_factory=lambda: Places({}))  # the lines the chunks showed
    asked: dict[str, dict[str, str]] = field(default_factory=dict)  # group id -> model -> cross-check unit
    # model -> cross-check unit -> the group ids that call was sent, in the order sent; the stage's
    # `details.cross_check_sent`, from which a replay counts the same verdicts
    sent: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    cross_checked: int = 0  # groups sent to at least one model
    cross_check_note: str | None = None
    ignored_verdicts: int = 0  # cross-check verdicts on ids their call was not sent
    usage: Usage = field(default_factory=Usage)
    calls: int = 0

    def add(self, result: CallResult) -> None:
        self.usage = self.usage + result.usage
        self.calls += 1
        req = result.request
        if result.skipped:
            self.not_reviewed.append(
                {
                    "unit": req.unit,
                    "model": req.model,
                    "schema": req.schema_name,
                    "reason": result.error or "skipped",
                }
            )
        elif result.error:
            self.failures.append(
                {"unit": req.unit, "model": req.model, "schema": req.schema_name, "error": result.error}
            )


async def review_round(
    client: ModelClient,
    models: Sequence[str],
    chunks: Sequence[Chunk],
    config: Config,
    contracts: Contracts,
    pr: PrText,
    rounds: ReviewRounds,
) -> None:
    """Every model reviews every chunk; the findings are placed on the lines their chunk showed
    (`rounds.places`) and grouped."""
    version = load_prompt(REVIEW_PROMPT).version
    rounds.models = tuple(dict.fromkeys(models))
    requests = []
    for chunk in chunks:
        messages = review_messages(chunk, config, contracts, pr)
        for model in models:
            requests.append(
                CallRequest(
                    stage="review",
                    model=model,
                    schema_name="review",
                    output_type=ReviewOutput,
                    messages=messages,
                    prompt_version=version,
                    temperature=0.0,
                    unit=chunk.id,
                )
            )
    results = await call_all(client, requests, config.models.grace_seconds)
    # Spelled once the calls are done: with every value remembered while the prompts went out hidden,
    # as in the answers, which are redacted when they come back.
    places = rounds.places = Places.of(chunks)
    for result in results:
        rounds.add(result)
        for output in result.outputs:
            assert isinstance(output, ReviewOutput)
            rounds.answered.add(result.request.model)
            rounds.reviewed_by.setdefault(result.request.unit, set()).add(result.request.model)
            kept, outside = raised_in(result.request.model, result.request.unit, output, places)
            rounds.raised.extend(kept)
            rounds.outside.extend(outside)
    rounds.groups = group_findings(rounds.raised)


def raised_in(
    model: str, unit: str, output: ReviewOutput, places: Places
) -> tuple[list[Raised], list[Unplaced]]:
    """The findings of one review answer that name a line of the code its chunk showed (`places`), each
    with its lines narrowed to those the chunk showed (`shown_part`) and the path of the file it is on:
    the spelling the prompt showed (`norm_path` reads a model's other spellings of it), then the file of
    the diff that spelling stands for. The others are left out: on a
    file not in the chunk or on lines past what it showed, no model was shown what they point at; on a
    path shown alike for more than one file, which file is meant is not known. A chunk `places` does not
    know (in a trace that predates the record) keeps all."""
    lines = places.shown.get(unit)
    paths = places.paths
    kept: list[Raised] = []
    outside: list[Unplaced] = []
    for f in output.findings:
        path = norm_path(f.path, paths)
        if lines is None:
            part: tuple[int, int] | None = (f.start_line, f.end_line)
        else:
            part = shown_part(lines, path, f.start_line, f.end_line)
        if part is None:
            outside.append(Unplaced(model, path, f.start_line, f.end_line))
        elif path in places.alike:
            outside.append(Unplaced(model, path, f.start_line, f.end_line, alike=True))
        else:
            path = places.files.get(path, path)
            where: dict[str, object] = {"path": path, "start_line": part[0], "end_line": part[1]}
            if part != (f.start_line, f.end_line):
                where["suggestion"] = None  # written for lines the chunk did not all show
            same = where == {"path": f.path, "start_line": f.start_line, "end_line": f.end_line}
            kept.append(Raised(model, unit, f if same else f.model_copy(update=where)))
    return kept, outside


def outside_note(rounds: ReviewRounds) -> str | None:
    """Say how many findings were left out for naming no line their chunk showed, and where a few point."""
    if not rounds.outside:
        return None
    places = sorted({o.place for o in rounds.outside})
    named = first_of(places, OUTSIDE_NAMED)
    return f"{len(rounds.outside)} finding(s) ignored: on code their chunk did not show ({named})"


async def cross_check_round(
    client: ModelClient,
    chunks: Sequence[Chunk],
    quorum: int,
    fail_on: Severity,
    rounds: ReviewRounds,
    *,
    grace_s: float = GRACE_MIN_S,
    stage: str = "review",
) -> None:
    """Send each group whose claim fewer than `quorum` models raised, as that claim, to the models that
    answered the review and did not raise it. A group its raisers rated on both sides of `fail_on` is
    sent too, as the blocking claim, though enough models raised it: whether it blocks is decided by the
    models that did not raise it, never by a raiser that rated it lower."""
    pending = [g for g in rounds.groups if len(g.claim(fail_on).by) < quorum]
    if not pending:
        return
    voters = sorted(rounds.answered)
    excerpts = Excerpts([u for c in chunks for u in c.units])  # indexed once for every batch
    version = load_prompt(CROSS_CHECK_PROMPT).version
    asked: dict[str, list[Group]] = defaultdict(list)
    for group in pending:
        for model in voters:
            if model not in group.raisers:
                asked[model].append(group)
    if not asked:
        rounds.cross_check_note = "no other model answered the review, so nothing could be cross-checked"
        return
    rounds.cross_checked = sum(1 for g in pending if any(g in gs for gs in asked.values()))
    requests = []
    for model, groups in sorted(asked.items()):
        for start in range(0, len(groups), CROSS_CHECK_BATCH):
            batch = groups[start : start + CROSS_CHECK_BATCH]
            unit = f"cross-check-{start // CROSS_CHECK_BATCH + 1}"
            for group in batch:
                rounds.asked.setdefault(group.id, {})[model] = unit
            rounds.sent.setdefault(model, {})[unit] = [g.id for g in batch]
            requests.append(
                CallRequest(
                    stage=stage,
                    model=model,
                    schema_name="cross_check",
                    output_type=CrossCheckOutput,
                    messages=cross_check_messages([g.claim(fail_on) for g in batch], excerpts),
                    prompt_version=version,
                    temperature=0.0,
                    unit=unit,
                )
            )
    results = await call_all(client, requests, grace_s)
    for result in results:
        rounds.add(result)
        model, unit = result.request.model, result.request.unit
        for output in result.outputs:
            assert isinstance(output, CrossCheckOutput)
            kept, ignored = on_sent(output.verdicts, rounds.sent[model][unit])
            rounds.verdicts.setdefault(model, []).extend(kept)
            rounds.ignored_verdicts += ignored


def on_sent(
    verdicts: Sequence[CrossCheckVerdict], sent: Collection[str] | None
) -> tuple[list[CrossCheckVerdict], int]:
    """The verdicts of one cross-check answer on the ids its call was sent, and how many others it gave.
    A verdict on a finding the model was not shown in that call judged nothing it saw; counted, it would
    refuse or confirm a finding another call was asked about, or stand in for that call when it failed.
    `sent` None (a trace that predates the record) keeps all."""
    if sent is None:
        return list(verdicts), 0
    kept = [v for v in verdicts if v.id in sent]
    return kept, len(verdicts) - len(kept)


def recorded_sent(details: Mapping[str, Any], model: str, unit: str) -> Collection[str] | None:
    """The group ids the cross-check call (`model`, `unit`) was sent, from a recorded stage's
    `details.cross_check_sent`; None for a trace that predates the record."""
    sent = details.get("cross_check_sent")
    if not isinstance(sent, Mapping):
        return None
    units = sent.get(model)
    ids = units.get(unit) if isinstance(units, Mapping) else None
    return frozenset(str(i) for i in ids) if isinstance(ids, list) else frozenset()


def ignored_verdicts_note(rounds: ReviewRounds) -> str | None:
    """Say how many cross-check verdicts were ignored for judging findings their call was not sent."""
    if not rounds.ignored_verdicts:
        return None
    return f"{rounds.ignored_verdicts} cross-check verdict(s) ignored: on findings not sent in that call"
