"""What the `spec` stage does when it runs: extract the requirements of the change's intent sources once,
have every review model judge each chunk against the statements that govern it, cross-check, and list
what was kept, contradicted or not addressed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from gate.context.lines import head_lines
from gate.findings import Finding, Severity, line_keys, with_line_keys
from gate.intent.coverage import intent_coverage, nothing_sent
from gate.intent.extract import Extraction, extract
from gate.intent.judge import Answer, ChunkPlan, Judged, group_by_statement, judge
from gate.intent.prompt import CHECK_PROMPT, EXTRACT_PROMPT, Statement, check_messages
from gate.intent.sources import Intent, IntentSource, LinkedIssues, gather
from gate.models.interface import CallRequest, ModelClient
from gate.models.pricing import token_counter
from gate.models.schemas import SpecCheckOutput
from gate.models.selection import Selection, select_models, smallest_window
from gate.redact import learn_messages
from gate.review.consensus import Group, tally, to_findings
from gate.review.coverage import MAX_REASONS_CHARS, MAX_WHERE_CHARS, hidden_note, hidden_rows
from gate.review.flow import (
    ReviewRounds,
    call_all,
    cross_check_round,
    ignored_verdicts_note,
    no_model,
    priced,
    stage_client,
)
from gate.review.prompt import load_prompt
from gate.review.room import chunk_tokens
from gate.review.undecided import undecided, undecided_error, undecided_gaps
from gate.review.units import Chunk, NotReviewed, build_units, estimate_tokens, measured_chars_per_token, pack
from gate.run import RunContext, StageResult, run_sync
from gate.schema.spec_plan import SpecChunkPlan, SpecPlan, SpecStatement
from gate.specs import SpecSet, load_specs

STAGE = "spec"
# What each call reserves for the answer within the prompt's share of the window (`gate.review.room`).
ANSWER_RESERVE_TOKENS = 4_000
# What each statement's listing in the prompt adds beside its text and source name (id, quotes, layout).
LISTING_CHARS_PER_STATEMENT = 60
# How many chunks and paths a note or a model error names one by one.
UNGOVERNED_NAMED = 10
PATHS_NAMED = 3


def run_spec_check(ctx: RunContext, given: ModelClient | None, why: str) -> StageResult:
    """The check, once the thresholds call for it and the run is online: the change's intent sources
    (the linked issues read only now), and the review models to judge it, else why there is nothing to
    check or no model."""
    linked = ctx.services.linked_issues
    if callable(linked):  # read through the GitHub API only now that the stage runs
        linked = ctx.services.linked_issues = linked()
    if isinstance(linked, LinkedIssues):
        # Learned as the PR's words are, before any of it is cut, sent or reported: a value the issue
        # marks (`POSTGRES_PASSWORD: ...`) is then hidden wherever it comes back, in a model's answer too.
        learn_messages(linked.texts())
    specs = load_specs(ctx)
    intent = gather(ctx.changeset, specs, linked if isinstance(linked, LinkedIssues) else None)
    if not intent.sources:
        # Nothing states an intent, so nothing can be contradicted: checked, with nothing to check. But a
        # spec the revisions did not give may state one: that is a gap (`SpecSet.unread`), not a pass.
        nothing = "no intent sources: no linked issue, pull request description or governing spec"
        return StageResult(
            STAGE,
            ran=True,
            why=why,
            details={"notes": [nothing, *intent.notes]},
            coverage=nothing_sent(ctx.changeset.diff, ()),
            skipped_files=specs.unread,
        )
    selection = select_models(ctx.config, "review")
    if not selection.models:
        return no_model(STAGE, why, selection, "no model available to check the change against its intent")
    result = run_sync(check(ctx, stage_client(ctx, given), selection, intent, specs, why))
    return replace(result, skipped_files=(*result.skipped_files, *specs.unread))


@dataclass(frozen=True)
class _Prepared:
    """What the check sends: the chunks some statement governs, each with the statements that do."""

    statements: tuple[Statement, ...]
    sources: dict[str, IntentSource]  # by id
    plans: Mapping[str, ChunkPlan]  # chunk id -> the statements governing it
    checked: tuple[Chunk, ...]  # the chunks sent: those with a plan
    cut: tuple[NotReviewed, ...]  # lines too long to send whole
    withheld: tuple[NotReviewed, ...]  # files whose text was not read: secrets not all known
    hidden: tuple[NotReviewed, ...]  # added lines sent with text a value remembered elsewhere hid
    ungoverned: tuple[str, ...]  # the paths of the chunks not sent


async def check(
    ctx: RunContext, client: ModelClient, selection: Selection, intent: Intent, specs: SpecSet, why: str
) -> StageResult:
    started = time.monotonic()
    config = ctx.config
    quorum = config.review.required_quorum()
    notes = _model_notes(ctx, selection, intent, quorum)
    extraction = await extract(client, selection.models, intent, ctx.services.spec_extract_cache)
    details = _extraction_details(selection.models, quorum, intent, extraction)
    _trace_requirements(ctx, extraction, details["requirements"])
    unchecked = _nothing_to_check(extraction, details, notes, why)
    if unchecked is not None:
        ids = [s.id for s in extraction.statements]
        return replace(
            unchecked,
            models=tuple(selection.models),
            spec_plan=spec_plan(extraction.statements, ()),
            coverage=nothing_sent(ctx.changeset.diff, selection.models, ids),
        )
    p = _prepare(ctx, selection.models, extraction.statements, intent.by_id(), specs, notes)
    rounds = ReviewRounds(models=tuple(dict.fromkeys(selection.models)), usage=extraction.usage)
    judged = await _judge_round(ctx, client, p, rounds)
    fail_on = config.gate.fail_on
    if len(rounds.answered) > 1 and config.review.cross_check and quorum > 1:
        await cross_check_round(
            client, p.checked, quorum, fail_on, rounds, grace_s=config.models.grace_seconds, stage=STAGE
        )
    findings = findings_of(rounds.groups, rounds.verdicts, quorum, fail_on)
    not_decided = undecided(rounds, quorum, fail_on) if config.review.cross_check else []
    keys = line_keys(findings, head_lines(ctx.changeset))
    findings = with_line_keys(findings, keys)
    unjudged = _unjudged(p, judged, quorum)
    errors = (
        _unjudged_error(unjudged, len(p.checked), quorum, rounds, judged),
        undecided_error(not_decided, quorum, fail_on),
    )
    model_error = "; ".join(e for e in errors if e) or None
    reached = intent_coverage(
        ctx.changeset.diff,
        rounds.models,
        quorum,
        [s.id for s in p.statements],
        p.plans,
        p.checked,
        judged.judged_by,
        p.ungoverned,
        p.cut,
        p.withheld,
        p.hidden,
    )
    # What the cross-check left undecided is as much a gap here as in the review's coverage.
    reached = reached.model_copy(
        update={"gaps": (*reached.gaps, *undecided_gaps(not_decided, quorum, STAGE))}
    )
    notes.extend(_round_notes(p, judged, rounds))
    details.update(
        {
            "chunks": [plan.to_json() for plan in p.plans.values()],
            "line_keys": keys,
            "answered": sorted(rounds.answered),
            "failures": rounds.failures,
            "unjudged_chunks": unjudged,
            "cross_checked": rounds.cross_checked,
            "cross_check_sent": rounds.sent,
            "undecided_findings": [u.as_json() for u in not_decided],
            "calls": rounds.calls + (0 if extraction.cached else 1),
            "compliance": compliance(p.statements, p.sources, judged.said, findings, quorum),
            "notes": notes,
        }
    )
    return StageResult(
        STAGE,
        ran=True,
        why=why,
        findings=findings,
        model_error=model_error,
        usage=replace(rounds.usage, wall_seconds=round(time.monotonic() - started, 3)),
        details=details,
        quorum=quorum,
        line_keys=keys,
        models=tuple(selection.models),
        spec_plan=spec_plan(extraction.statements, p.plans.values()),
        coverage=reached,
    )


def spec_plan(statements: Iterable[Statement], plans: Iterable[ChunkPlan]) -> SpecPlan:
    """What the check sent, as the trace keeps it for a replay."""
    return SpecPlan(
        requirements=tuple(SpecStatement(id=s.id, source=s.source, statement=s.text) for s in statements),
        chunks=tuple(
            SpecChunkPlan(id=c.id, paths=c.paths, statements=c.statements, lines=c.lines) for c in plans
        ),
    )


def _model_notes(ctx: RunContext, selection: Selection, intent: Intent, quorum: int) -> list[str]:
    """What the report says first: the intent sources' and the model selection's notes, a quorum the
    models cannot reach, models the cost map lacks (the run's budget prices them here)."""
    models = selection.models
    distinct = len(set(models))
    notes = [*intent.notes, *selection.notes]
    if distinct < quorum:
        notes.append(
            f"only {distinct} distinct model{'s' if distinct != 1 else ''} for a quorum of {quorum}: "
            "contradictions are advisory and the change is not fully checked"
        )
    notes.extend(priced(ctx, models))
    return notes


def _extraction_details(
    models: Sequence[str], quorum: int, intent: Intent, extraction: Extraction
) -> dict[str, Any]:
    """What the report shows of the sources and the requirements extracted from them."""
    return {
        "quorum": quorum,
        "models": list(models),
        "prompt_versions": [load_prompt(EXTRACT_PROMPT).version, load_prompt(CHECK_PROMPT).version],
        "sources": [
            {"id": s.id, "kind": s.kind, "name": s.name, "chars": len(s.text), "governs": s.governs}
            for s in intent.sources
        ],
        "requirements": [s.to_json() for s in extraction.statements],
        "extraction": {
            "key": extraction.key,
            "cached": extraction.cached,
            "model": extraction.model,
            "dropped": extraction.dropped,
        },
    }


def _nothing_to_check(
    extraction: Extraction, details: dict[str, Any], notes: list[str], why: str
) -> StageResult | None:
    """The result when the extraction leaves nothing to check the change against: it failed (a model
    error), or the sources state no checkable requirement; None when there are statements to check."""
    if extraction.error is not None:
        details["notes"] = notes
        error = f"requirements could not be extracted from the intent sources ({extraction.error})"
        return StageResult(
            STAGE, ran=True, why=why, model_error=error, usage=extraction.usage, details=details
        )
    if extraction.dropped:
        notes.append(
            f"{extraction.dropped} extracted statement(s) dropped (unknown source, or past the limit)"
        )
    if not extraction.statements:
        details["notes"] = [*notes, "the intent sources state no checkable requirement"]
        details["compliance"] = []
        return StageResult(STAGE, ran=True, why=why, usage=extraction.usage, details=details)
    return None


def _trace_requirements(ctx: RunContext, extraction: Extraction, requirements: list[Any]) -> None:
    """The requirements in the trace (`--trace`), so a replay and a reader see what was checked."""
    trace = ctx.services.trace
    if trace is not None:
        trace.write(
            {
                "type": "spec_requirements",
                "key": extraction.key,
                "cached": extraction.cached,
                "requirements": requirements,
            }
        )


def _prepare(
    ctx: RunContext,
    models: tuple[str, ...],
    statements: tuple[Statement, ...],
    sources: dict[str, IntentSource],
    specs: SpecSet,
    notes: list[str],
) -> _Prepared:
    """The change in chunks that fit the smallest context window with the statements listed, each sent
    with the statements that govern its files; a chunk no statement governs is not sent (a note says so)."""
    chars_per_token = measured_chars_per_token(ctx.changeset, token_counter(models))
    window = smallest_window(models, ctx.config)
    budget = _chunk_budget(window, statements, sources, chars_per_token)
    units, skipped = build_units(ctx.changeset, budget, chars_per_token)
    chunks = pack(units, budget)
    plans: dict[str, ChunkPlan] = {}
    for chunk in chunks:
        governing = tuple(s.id for s in statements if sources[s.source].governs_any(chunk.paths, specs))
        if governing:
            plans[chunk.id] = ChunkPlan(chunk.id, chunk.paths, governing, chunk.shown)
    ungoverned = [c.id for c in chunks if c.id not in plans]
    if ungoverned:
        named = ", ".join(ungoverned[:UNGOVERNED_NAMED])
        notes.append(f"{len(ungoverned)} chunk(s) governed by no statement were not sent: {named}")
    checked = tuple(c for c in chunks if c.id in plans)
    cut = tuple(s for s in skipped if s.line is not None)
    withheld = tuple(s for s in skipped if s.withheld)
    hidden = tuple(hidden_rows(ctx.changeset.diff, checked))
    left = tuple(dict.fromkeys(path for c in chunks if c.id not in plans for path in c.paths))
    return _Prepared(statements, sources, plans, checked, cut, withheld, hidden, left)


async def _judge_round(ctx: RunContext, client: ModelClient, p: _Prepared, rounds: ReviewRounds) -> Judged:
    """Every model judges every chunk sent against its statements; the contradictions become the
    rounds' groups, one per statement."""
    models = rounds.models
    by_id = {s.id: s for s in p.statements}
    version = load_prompt(CHECK_PROMPT).version
    requests = [
        CallRequest(
            stage=STAGE,
            model=model,
            schema_name="spec_check",
            output_type=SpecCheckOutput,
            messages=check_messages(chunk, [by_id[i] for i in p.plans[chunk.id].statements], p.sources),
            prompt_version=version,
            temperature=0.0,
            unit=chunk.id,
        )
        for chunk in p.checked
        for model in models
    ]
    if requests:
        ctx.progress(
            f"spec: {len(p.checked)} chunk(s) x {len(models)} model(s), {len(p.statements)} statement(s)"
        )
    answers: list[Answer] = []
    for result in await call_all(client, requests, ctx.config.models.grace_seconds):
        rounds.add(result)
        for output in result.outputs:
            assert isinstance(output, SpecCheckOutput)
            rounds.answered.add(result.request.model)
            answers.append(Answer(result.request.model, result.request.unit, output))
    judged = judge(answers, p.plans, by_id)
    rounds.raised = judged.raised
    rounds.groups = group_by_statement(judged.raised, p.statements)
    for chunk in p.checked:
        # A valid answer judged the chunk only if it gave a verdict on every statement sent with it.
        rounds.reviewed_by[chunk.id] = _judged_whole(p.plans[chunk.id], judged)
    return judged


def _judged_whole(plan: ChunkPlan, judged: Judged) -> set[str]:
    """The models that gave a counted verdict on every statement sent with the chunk."""
    by = judged.judged_by.get(plan.id, {})
    return set.intersection(*(by.get(s, set()) for s in plan.statements)) if plan.statements else set()


def _unjudged(p: _Prepared, judged: Judged, quorum: int) -> list[dict[str, Any]]:
    """The chunks with a statement fewer than `quorum` distinct models judged (a counted verdict on it,
    in a valid answer): each with the models that judged all of its statements, and the statements
    short of the quorum with the models that did judge them. A valid answer that leaves statements out
    (`{"judgments": []}`) judges none of them."""
    out = []
    for c in p.checked:
        plan = p.plans[c.id]
        by = judged.judged_by.get(c.id, {})
        missing = [
            {"id": s, "judged_by": sorted(by.get(s, set()))}
            for s in plan.statements
            if len(by.get(s, set())) < quorum
        ]
        if missing:
            whole = sorted(_judged_whole(plan, judged))
            out.append({"chunk": c.id, "paths": list(c.paths), "judged_by": whole, "missing": missing})
    return out


def _unjudged_error(
    unjudged: list[dict[str, Any]], checked: int, quorum: int, rounds: ReviewRounds, judged: Judged
) -> str | None:
    """The model error naming the chunks, and in each the statements, fewer than `quorum` models
    judged; None when every statement sent was judged by the quorum."""
    if not unjudged:
        return None
    where = "; ".join(
        f"{u['chunk']} ({', '.join(u['paths'][:PATHS_NAMED])}: {', '.join(m['id'] for m in u['missing'])})"
        for u in unjudged
    )
    reasons = sorted(
        {f["error"] for f in rounds.failures}
        | {n["reason"] for n in rounds.not_reviewed}
        | _silent(unjudged, judged)
    )
    return (
        f"{len(unjudged)} of {checked} chunk(s) not checked against the intent by {quorum} distinct "
        f"models: {where[:MAX_WHERE_CHARS]}"
        + (f" ({'; '.join(reasons)[:MAX_REASONS_CHARS]})" if reasons else "")
    )


def _silent(unjudged: list[dict[str, Any]], judged: Judged) -> set[str]:
    """A reason for each model whose valid answers left statements short of the quorum without a counted
    verdict (left out, or a judgment the check ignored), with how many."""
    left: dict[str, int] = {}
    for u in unjudged:
        by = judged.judged_by.get(u["chunk"], {})
        for model in judged.answered_by.get(u["chunk"], set()):
            short = sum(1 for m in u["missing"] if model not in by.get(m["id"], set()))
            if short:
                left[model] = left.get(model, 0) + short
    return {f"{model} answered without a verdict on {n} statement(s) sent" for model, n in left.items()}


def _round_notes(p: _Prepared, judged: Judged, rounds: ReviewRounds) -> list[str]:
    """What the report says of what was not sent or not counted."""
    notes = []
    if p.cut:
        notes.append(f"not checked: the tail of {len(p.cut)} line(s) too long to send whole")
    if p.withheld:
        named = ", ".join(s.what for s in p.withheld[:UNGOVERNED_NAMED])
        notes.append(
            f"not checked: {len(p.withheld)} file(s) sent to no model ({named}): their text at head or "
            "base was not read, so the secrets they hold are not all known"
        )
    hidden = hidden_note(p.hidden, "not checked")
    if hidden:
        notes.append(hidden)
    if judged.ignored:
        notes.append(
            f"{judged.ignored} judgment(s) ignored: on statements not sent, or with no lines of the chunk"
        )
    notes.extend(n for n in (rounds.cross_check_note, ignored_verdicts_note(rounds)) if n)
    return notes


def findings_of(
    groups: Sequence[Group], verdicts: Mapping[str, Sequence[Any]], quorum: int, fail_on: Severity
) -> tuple[Finding, ...]:
    return to_findings(groups, tally(groups, verdicts), quorum, fail_on, stage=STAGE)


def compliance(
    statements: Sequence[Statement],
    sources: Mapping[str, Any],
    said: Mapping[str, Mapping[str, set[str]]],
    findings: Sequence[Finding],
    quorum: int,
) -> list[dict[str, Any]]:
    """Per statement: what the models judged, decided by code. `contradicted` needs a finding (confirmed
    or not, said which); `kept` a model that saw it kept; `not addressed` only models that saw neither."""
    rows = []
    for s in statements:
        mine = [f for f in findings if f.title.startswith(f"Contradicts {s.id}: ")]
        votes = said.get(s.id, {})
        kept, missing = sorted(votes.get("kept", ())), sorted(votes.get("not_addressed", ()))
        if mine:
            confirmed = any(len(set(f.confirmed_by)) >= quorum for f in mine)
            status = "contradicted" if confirmed else "contradicted (unconfirmed)"
        elif kept:
            status = "kept"
        elif missing:
            status = "not addressed"
        else:
            status = "not judged"
        source = sources.get(s.source)
        rows.append(
            {
                "id": s.id,
                "source": getattr(source, "name", s.source),
                "kind": getattr(source, "kind", ""),
                "statement": s.text,
                "status": status,
                "kept_by": kept,
                "not_addressed_by": missing,
            }
        )
    return rows


def _chunk_budget(
    window: int, statements: Sequence[Statement], sources: Mapping[str, Any], chars_per_token: float
) -> int:
    listing = "".join(
        s.text + sources[s.source].name for s in statements
    ) + " " * LISTING_CHARS_PER_STATEMENT * len(statements)
    overhead = estimate_tokens(load_prompt(CHECK_PROMPT).system + listing, chars_per_token)
    return chunk_tokens(window, overhead, ANSWER_RESERVE_TOKENS)
