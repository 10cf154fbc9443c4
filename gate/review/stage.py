"""The `review` stage: several models review the change and cross-check each other (SPEC 4, 5.3).

Runs only when the review thresholds are met and not offline. Findings carry `confirmed_by` (the
distinct models that raised or agreed with them); the policy confirms those with at least `quorum`
of them, and only confirmed findings can block. The effective quorum is the result's `quorum`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from gate.context.commit_id import is_full_commit_id, short_id
from gate.context.compare import head_diff
from gate.context.lines import head_lines
from gate.findings import Finding, line_keys, with_line_keys
from gate.models.interface import ModelClient
from gate.models.pricing import facts, provider_of, token_counter
from gate.models.selection import Selection, select_models
from gate.review.consensus import tally, to_findings
from gate.review.flow import ReviewRounds, cross_check_round, no_model, review_round, stage_client
from gate.review.incremental import carried_findings, plan, with_carried
from gate.review.prompt import CROSS_CHECK_PROMPT, REVIEW_PROMPT, Contracts, PrText, load_prompt, pr_text
from gate.review.state import encode_state, keep
from gate.review.units import (
    CHARS_PER_TOKEN,
    Chunk,
    build_units,
    estimate_tokens,
    measured_chars_per_token,
    pack,
)
from gate.run import RunContext, StageResult, Usage, run_sync
from gate.specs import load_specs

# Share of the smallest context window that the prompt (instructions, PR text and code) may fill; the
# answer's reserve (`models.max_output_tokens`, what each call asks for) comes out of it too. The rest is
# margin for tokenizers counting differently.
CONTEXT_SHARE = 0.75
MAX_CHUNK_TOKENS = 24_000  # beyond this, review quality drops faster than the calls saved
MIN_CHUNK_TOKENS = 1_000


class ReviewStage:
    id = "review"
    description = "several models review the change, then cross-check each other's findings"
    docs = "#review"

    def __init__(self, client: ModelClient | None = None) -> None:
        # A client may be given (tests, replay); else the run's shared client is used.
        self._client = client

    def run(self, ctx: RunContext) -> StageResult:
        wanted, why = ctx.escalations.get(self.id, (False, "review thresholds not evaluated"))
        if not wanted:
            return StageResult.skipped(self.id, why, "below the review thresholds")
        if ctx.offline:
            return StageResult.skipped(self.id, why, "offline: no model is called")
        selection = select_models(ctx.config, "review")
        if not selection.models:
            return no_model(self.id, why, selection, "no review model available")
        return run_sync(review(ctx, stage_client(ctx, self._client), selection, why))


async def review(ctx: RunContext, client: ModelClient, selection: Selection, why: str) -> StageResult:
    started = time.monotonic()
    config = ctx.config
    models = selection.models
    quorum = config.review.required_quorum()
    notes: list[str] = []
    distinct = len(set(models))
    if distinct < quorum:
        notes.append(
            f"only {distinct} distinct review model{'s' if distinct != 1 else ''} for a quorum of {quorum}: "
            "model findings are advisory and the change is not fully reviewed"
        )
    notes.extend(selection.notes)
    notes.extend(_priced(ctx, models))
    contracts = Contracts.of(load_specs(ctx))
    pr = pr_text(ctx.changeset)
    chars_per_token = measured_chars_per_token(ctx.changeset, token_counter(models))
    changed = [f.path for f in ctx.changeset.diff.files]
    budget = chunk_budget(models, contracts, pr, config.models.max_output_tokens, chars_per_token, changed)
    units, skipped = build_units(ctx.changeset, budget, chars_per_token)
    previous = ctx.services.previous_review
    compare = head_diff(ctx.changeset, ctx.services.compare_heads)
    increment = plan(ctx.changeset, units, previous, models, compare)
    chunks = pack(increment.send, budget)
    rounds = ReviewRounds()
    details: dict[str, Any] = {
        "quorum": quorum,
        "models": list(models),
        "providers": {m: provider_of(m) for m in models},
        "model_source": selection.source,
        "prompt_versions": [load_prompt(REVIEW_PROMPT).version, load_prompt(CROSS_CHECK_PROMPT).version],
        "chunk_tokens": budget,
        "chars_per_token": round(chars_per_token, 2),
        "chunks": [_chunk_details(c, contracts) for c in chunks],
        "skipped_files": [{"path": s.what, "reason": s.reason} for s in skipped if s.line is None],
        "cut_lines": [{"path": s.what, "line": s.line, "reason": s.reason} for s in skipped if s.line],
        "notes": notes + list(contracts.notes),
        "incremental": increment.details,
    }
    if increment.details["mode"] == "incremental":
        notes.append(
            f"incremental review since {short_id(increment.details['previous_head'])}: "
            f"{len(increment.send)} unit(s) sent again, {len(units) - len(increment.send)} unchanged, "
            f"{len(increment.carried)} finding(s) carried over"
        )
    elif previous is not None:
        notes.append(f"full review: {increment.details['why']}")
    if not chunks:
        _line_keys(ctx, (), details, quorum)
        carried = with_carried((), details, quorum)
        nothing = "no code to review" if not units else "no code changed since the previous review"
        details = {**details, "notes": [*notes, nothing]}
        state = _state(ctx, models, carried, details["notes"])
        return StageResult("review", ran=True, why=why, findings=carried, details=details, quorum=quorum,
                           review_state=state, line_keys=details["line_keys"])  # fmt: skip

    ctx.progress(f"review: {len(chunks)} chunk(s) x {len(models)} model(s)")
    await review_round(client, models, chunks, config, contracts, pr, rounds)
    unreviewed = _unreviewed(chunks, quorum, rounds)
    model_error = _coverage_error(unreviewed, chunks, quorum, distinct)
    # Findings elsewhere can still be confirmed when a chunk went unreviewed: cross-check what can be.
    if len(rounds.answered) > 1 and config.review.cross_check and quorum > 1:
        ctx.progress(
            f"review: cross-checking {sum(1 for g in rounds.groups if len(g.raisers) < quorum)} finding(s)"
        )
        await cross_check_round(client, chunks, quorum, rounds, grace_s=config.models.grace_seconds)
    elif not config.review.cross_check:
        notes.append("cross-check turned off (review.cross_check: false)")
    findings = to_findings(rounds.groups, tally(rounds.groups, rounds.verdicts), quorum)
    findings = with_line_keys(findings, _line_keys(ctx, findings, details, quorum))
    findings = with_carried(findings, details, quorum)

    # A line too long to send whole was cut: its tail is code no model saw, so the review is incomplete.
    cut = [s for s in skipped if s.line is not None]
    if cut:
        where = ", ".join(f"{s.what}:{s.line}" for s in cut[:5]) + (
            f" and {len(cut) - 5} more" if len(cut) > 5 else ""
        )
        cut_note = f"not reviewed: the tail of {len(cut)} line(s) too long to send whole ({where})"
        notes.append(cut_note)
        model_error = f"{model_error}; {cut_note}" if model_error else cut_note
    partial = _partial(rounds, chunks, models)
    if partial:
        notes.append(partial)
    if rounds.cross_check_note:
        notes.append(rounds.cross_check_note)
    details.update(
        {
            "answered": sorted(rounds.answered),
            "failures": rounds.failures,
            "not_reviewed": rounds.not_reviewed,
            "unreviewed_chunks": unreviewed,
            # chunk id -> the models with a valid review answer for it: the report's coverage per file
            "reviewed_by": {c.id: sorted(rounds.reviewed_by.get(c.id, ())) for c in chunks},
            "groups": len(rounds.groups),
            "cross_checked": rounds.cross_checked,
            "calls": rounds.calls,
            "notes": notes + list(contracts.notes),
        }
    )
    complete = model_error is None and not rounds.failures and not rounds.not_reviewed
    state = _state(ctx, models, findings, details["notes"]) if complete else None
    usage = rounds.usage
    usage = Usage(
        usage.model_calls,
        usage.prompt_tokens,
        usage.completion_tokens,
        usage.cost_usd,
        round(time.monotonic() - started, 3),
    )
    said = [n for n in notes if n.startswith("only ")] + ([partial] if partial else [])
    shown_why = "; ".join([why, *said])
    return StageResult(
        "review",
        ran=True,
        why=shown_why,
        findings=findings,
        model_error=model_error,
        usage=usage,
        details=details,
        quorum=quorum,
        review_state=state,
        line_keys=details["line_keys"],
    )


def _priced(ctx: RunContext, models: tuple[str, ...]) -> list[str]:
    """Declare the models to the run's budget, which prices them; notes on those the cost map lacks."""
    from gate.models.service import run_budget

    return run_budget(ctx).register(models)


def _line_keys(
    ctx: RunContext, findings: Sequence[Finding], details: dict[str, Any], quorum: int
) -> dict[str, str]:
    """The text hashes of the fresh and carried findings' lines, kept in the details so that a replay
    (which has no repository) gives the findings the same fingerprints."""
    carried = carried_findings(details, quorum)
    keys = line_keys([*findings, *carried], head_lines(ctx.changeset))
    details["line_keys"] = keys
    return keys


def _state(
    ctx: RunContext, models: tuple[str, ...], findings: Sequence[Finding], notes: list[str]
) -> str | None:
    """The encoded state the next run of this PR starts from, or None (then it reviews everything)."""
    head = ctx.changeset.head_ref
    if not is_full_commit_id(head):
        return None
    lines: dict[str, list[str] | None] = {}
    kept = []
    for f in findings:
        if f.location is None:
            continue
        path = f.location.path
        if path not in lines:
            text = ctx.changeset.revisions.read("head", path) if ctx.changeset.revisions else None
            lines[path] = text.splitlines() if text is not None else None
        if (k := keep(f, lines[path])) is not None:
            kept.append(k)
    encoded, why = encode_state(head, models, kept)
    if why is not None:
        notes.append(f"{why}: the next run reviews everything")
    return encoded


def chunk_budget(
    models: tuple[str, ...],
    contracts: Contracts,
    pr: PrText,
    answer_tokens: int,
    chars_per_token: float = CHARS_PER_TOKEN,
    changed: Sequence[str] = (),
) -> int:
    """Tokens of code per chunk: what the smallest context window leaves after the prompt and the answer
    (`answer_tokens`, the `max_tokens` every call asks for)."""
    window = min(facts(m).max_input_tokens for m in models)
    # The most spec text one prompt can carry: the specs governing any changed file, within the limit.
    spec_chars = contracts.specs.largest_context_chars(changed)
    overhead = estimate_tokens(load_prompt(REVIEW_PROMPT).system + pr.longest, chars_per_token)
    if spec_chars:
        overhead += int(spec_chars / chars_per_token) + 1
    room = int(window * CONTEXT_SHARE) - overhead - answer_tokens
    return max(MIN_CHUNK_TOKENS, min(MAX_CHUNK_TOKENS, room))


def _chunk_details(chunk: Chunk, contracts: Contracts) -> dict[str, Any]:
    """A chunk as the report shows it: its units, its code tokens, and the spec documents its prompt
    carried (with the characters of each) and left out."""
    out: dict[str, Any] = {
        "id": chunk.id,
        "units": [u.id for u in chunk.units],
        "paths": list(chunk.paths),
        "tokens": chunk.tokens,
    }
    if contracts.specs.configured:
        context = contracts.for_chunk(chunk)
        out["specs"] = {spec.path: len(text) for spec, text in context.sections}
        if context.left_out:
            out["specs_left_out"] = list(context.left_out)
    return out


def _unreviewed(chunks: Sequence[Chunk], quorum: int, rounds: ReviewRounds) -> list[dict[str, Any]]:
    """The chunks fewer than `quorum` distinct models reviewed (a valid answer), with what they hold and
    why each missing model did not review them."""
    why: dict[tuple[str, str], str] = {}
    for f in rounds.failures:
        if f.get("schema") == "review":
            why.setdefault((f["unit"], f["model"]), f["error"])
    for n in rounds.not_reviewed:
        if n.get("schema") == "review":
            why.setdefault((n["unit"], n["model"]), n["reason"])
    out = []
    for chunk in chunks:
        by = rounds.reviewed_by.get(chunk.id, set())
        if len(by) >= quorum:
            continue
        missing = {
            model: why.get((chunk.id, model), "no answer") for model in rounds.models if model not in by
        }
        out.append(
            {
                "chunk": chunk.id,
                "paths": list(chunk.paths),
                "lines": [f"{u.path}:{u.start_line}-{u.end_line}" for u in chunk.units],
                "reviewed_by": sorted(by),
                "missing": missing,
            }
        )
    return out


def _coverage_error(
    unreviewed: list[dict[str, Any]], chunks: Sequence[Chunk], quorum: int, distinct: int
) -> str | None:
    """The model error that says which code fewer than `quorum` models reviewed; None when all was."""
    if not unreviewed:
        return None
    where = "; ".join(", ".join(u["lines"]) for u in unreviewed)
    reasons = sorted({r for u in unreviewed for r in u["missing"].values()})
    lead = (
        f"only {distinct} distinct review model{'s' if distinct != 1 else ''} for review.quorum {quorum}; "
        if distinct < quorum
        else ""
    )
    text = (
        f"{lead}{len(unreviewed)} of {len(chunks)} chunk(s) not reviewed by {quorum} distinct models: "
        f"{where[:500]}" + (f" ({'; '.join(reasons)[:300]})" if reasons else "")
    )
    return text


def _partial(rounds: ReviewRounds, chunks: list[Any], models: tuple[str, ...]) -> str | None:
    """Say which chunks fewer than all models reviewed (budget, failures), and which calls never started."""
    missed = [n for n in rounds.not_reviewed if n.get("schema") == "review"]
    missed += [f for f in rounds.failures if f.get("schema") == "review"]
    gaps = {(c["unit"], c["model"]) for c in missed}
    units = sorted({unit for unit, _ in gaps})
    budget = [n for n in rounds.not_reviewed if "budget" in n["reason"]]
    parts = []
    if units:
        who = sorted({model for _, model in gaps})
        parts.append(
            f"partial: {len(units)} of {len(chunks)} chunk(s) not reviewed by every model "
            f"({', '.join(units)}; missing: {', '.join(who)})"
        )
    if budget:
        parts.append(f"{len(budget)} call(s) not started: {budget[0]['reason']}")
    return "; ".join(parts) or None
