"""The `review` stage: several models review the change and cross-check each other (SPEC 4, 5.3).

Runs only when the review thresholds are met and not offline. Findings carry `confirmed_by` (the
distinct models that raised or agreed with them); the policy confirms those with at least `quorum`
of them, and only confirmed findings can block. The effective quorum is in `details["quorum"]`.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

from gate.models.interface import ModelClient
from gate.models.pricing import facts
from gate.models.selection import Selection, select_models
from gate.pipeline import RunContext, StageResult, Usage
from gate.policy import effective_quorum
from gate.review.consensus import tally, to_findings
from gate.review.flow import ReviewRounds, cross_check_round, review_round
from gate.review.prompt import CROSS_CHECK_PROMPT, REVIEW_PROMPT, Contracts, load_prompt, pr_text
from gate.review.units import build_units, estimate_tokens, pack

# Share of the smallest context window a chunk may use; the rest is for the prompt and the answer.
CONTEXT_SHARE = 0.5
MAX_CHUNK_TOKENS = 24_000  # beyond this, review quality drops faster than the calls saved
MIN_CHUNK_TOKENS = 1_000
ANSWER_RESERVE_TOKENS = 4_000

T = TypeVar("T")


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
            return StageResult(
                self.id,
                ran=False,
                why=why,
                skipped_reason=selection.note,
                model_error=f"no review model available: {selection.note}",
            )
        if self._client is None:
            from gate.models.service import model_client

            client: ModelClient = model_client(ctx)
        else:
            client = self._client
        return run_sync(review(ctx, client, selection, why))


async def review(ctx: RunContext, client: ModelClient, selection: Selection, why: str) -> StageResult:
    started = time.monotonic()
    config = ctx.config
    models = selection.models
    quorum = effective_quorum(config, len(models))
    notes: list[str] = []
    if quorum < config.review.quorum:
        notes.append(
            f"quorum capped at {quorum}: only {len(models)} model{'s' if len(models) != 1 else ''} "
            f"configured (review.quorum is {config.review.quorum})"
        )
    unpriced = [m for m in models if not facts(m).known]
    if unpriced:
        notes.append(f"not in litellm's cost map, counted at $0: {', '.join(unpriced)}")
    contracts = Contracts.gather(ctx.changeset, config)
    pr = pr_text(ctx.changeset)
    budget = chunk_budget(models, contracts, pr)
    units, skipped = build_units(ctx.changeset, budget)
    chunks = pack(units, budget)
    rounds = ReviewRounds()
    details: dict[str, Any] = {
        "quorum": quorum,
        "models": list(models),
        "model_source": selection.source,
        "prompt_versions": [load_prompt(REVIEW_PROMPT).version, load_prompt(CROSS_CHECK_PROMPT).version],
        "chunk_tokens": budget,
        "chunks": [{"id": c.id, "units": [u.id for u in c.units], "tokens": c.tokens} for c in chunks],
        "skipped_files": [{"path": s.what, "reason": s.reason} for s in skipped],
        "notes": notes + list(contracts.notes),
    }
    if not chunks:
        return StageResult(
            "review", ran=True, why=why, details={**details, "notes": [*notes, "no code to review"]}
        )

    ctx.progress(f"review: {len(chunks)} chunk(s) x {len(models)} model(s)")
    await review_round(client, models, chunks, config, contracts, pr, rounds)
    model_error = _quorum_unreachable(models, quorum, rounds)
    if model_error is None and config.review.cross_check and quorum > 1:
        ctx.progress(
            f"review: cross-checking {sum(1 for g in rounds.groups if len(g.raisers) < quorum)} finding(s)"
        )
        await cross_check_round(client, chunks, quorum, rounds)
    elif not config.review.cross_check:
        notes.append("cross-check turned off (review.cross_check: false)")
    findings = to_findings(rounds.groups, tally(rounds.groups, rounds.verdicts), quorum)

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
            "groups": len(rounds.groups),
            "cross_checked": rounds.cross_checked,
            "calls": rounds.calls,
            "notes": notes + list(contracts.notes),
        }
    )
    usage = rounds.usage
    usage = Usage(
        usage.model_calls,
        usage.prompt_tokens,
        usage.completion_tokens,
        usage.cost_usd,
        round(time.monotonic() - started, 3),
    )
    said = [n for n in notes if n.startswith("quorum capped")] + ([partial] if partial else [])
    shown_why = "; ".join([why, *said])
    return StageResult(
        "review",
        ran=True,
        why=shown_why,
        findings=findings,
        model_error=model_error,
        usage=usage,
        details=details,
    )


def chunk_budget(models: tuple[str, ...], contracts: Contracts, pr: str) -> int:
    """Tokens of code per chunk: what the smallest context window leaves after the prompt and answer."""
    window = min(facts(m).max_input_tokens for m in models)
    overhead = estimate_tokens(
        load_prompt(REVIEW_PROMPT).system + pr + "".join(t for _, t in contracts.specs)
    )
    room = int(window * CONTEXT_SHARE) - overhead - ANSWER_RESERVE_TOKENS
    return max(MIN_CHUNK_TOKENS, min(MAX_CHUNK_TOKENS, room))


def _quorum_unreachable(models: tuple[str, ...], quorum: int, rounds: ReviewRounds) -> str | None:
    if len(rounds.answered) >= quorum:
        return None
    silent = [m for m in models if m not in rounds.answered]
    reasons = sorted(
        {f["error"] for f in rounds.failures if f["model"] in silent}
        | {n["reason"] for n in rounds.not_reviewed if n["model"] in silent}
    )
    return (
        f"{len(rounds.answered)} of {len(models)} models answered the review, fewer than the quorum of "
        f"{quorum} ({', '.join(silent)} failed: {'; '.join(reasons)[:400] or 'no answer'})"
    )


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


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, also when an event loop is already running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]
