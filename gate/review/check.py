"""What the `review` stage does when it runs: pack the change into chunks, have every review model review
each, cross-check the findings below the quorum, and key, carry over and encode what was found.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from gate.context.commit_id import is_full_commit_id, short_id
from gate.context.compare import head_diff
from gate.context.lines import git_lines, head_lines
from gate.findings import Finding, line_keys, with_line_keys
from gate.models.interface import ModelClient
from gate.models.pricing import provider_of, token_counter
from gate.models.selection import Selection, select_models, smallest_window
from gate.review.consensus import STAGE, tally, to_findings
from gate.review.coverage import (
    Unreviewed,
    coverage_error,
    cut_note,
    hidden_gaps,
    hidden_note,
    hidden_rows,
    partial_note,
    review_coverage,
    unreviewed,
    withheld_note,
)
from gate.review.flow import (
    ReviewRounds,
    cross_check_round,
    ignored_verdicts_note,
    no_model,
    outside_note,
    priced,
    review_round,
    stage_client,
)
from gate.review.incremental import Plan, carried_findings, plan, with_carried
from gate.review.placing import Places, unplaced_error, unplaced_gaps
from gate.review.prompt import CROSS_CHECK_PROMPT, REVIEW_PROMPT, Contracts, PrText, load_prompt, pr_text
from gate.review.room import chunk_tokens
from gate.review.state import encode_state, keep, reviewed_lines
from gate.review.undecided import Undecided, undecided, undecided_error, undecided_gaps
from gate.review.units import (
    CHARS_PER_TOKEN,
    Chunk,
    NotReviewed,
    ReviewUnit,
    build_units,
    estimate_tokens,
    measured_chars_per_token,
    pack,
)
from gate.run import RunContext, StageResult, run_sync
from gate.schema.coverage import Gap, StageCoverage
from gate.schema.review_state import IncrementalReview
from gate.specs import load_specs


def run_review(ctx: RunContext, given: ModelClient | None, why: str) -> StageResult:
    """The review, once the thresholds call for it and the run is online: the review models, else a
    model error saying none is available."""
    selection = select_models(ctx.config, "review")
    if not selection.models:
        return no_model(STAGE, why, selection, "no review model available")
    return run_sync(review(ctx, stage_client(ctx, given), selection, why))


@dataclass
class _Prepared:
    """What the review sends, to which models, worked out before any call."""

    selection: Selection
    quorum: int
    notes: list[str]  # for the report, in the order they arose
    contracts: Contracts
    pr: PrText
    chars_per_token: float
    window: int  # tokens: the smallest context window among the models
    budget: int  # tokens of code per chunk
    units: list[ReviewUnit]
    skipped: list[NotReviewed]
    increment: Plan
    chunks: list[Chunk]

    @property
    def models(self) -> tuple[str, ...]:
        return self.selection.models

    @property
    def distinct(self) -> int:
        return len(set(self.models))

    @property
    def cut(self) -> list[NotReviewed]:
        """Lines too long to send whole: their tails were not sent."""
        return [s for s in self.skipped if s.line is not None]

    @property
    def withheld(self) -> dict[str, str]:
        """Files left out of the prompts, their text not read whole, with why."""
        return {s.what: s.reason for s in self.skipped if s.withheld}


async def review(ctx: RunContext, client: ModelClient, selection: Selection, why: str) -> StageResult:
    started = time.monotonic()
    p = _prepare(ctx, selection)
    if not p.chunks:
        return _nothing_to_send(ctx, p, why)
    ctx.progress(f"review: {len(p.chunks)} chunk(s) x {len(p.models)} model(s)")
    rounds = ReviewRounds()
    await review_round(client, p.models, p.chunks, ctx.config, p.contracts, p.pr, rounds)
    missed = unreviewed(p.chunks, p.quorum, rounds)
    # Findings elsewhere can still be confirmed when a chunk went unreviewed: cross-check what can be.
    await _cross_check(ctx, client, p, rounds)
    fail_on = ctx.config.gate.fail_on
    fresh = to_findings(rounds.groups, tally(rounds.groups, rounds.verdicts), p.quorum, fail_on)
    findings, carried, keys = _keyed(ctx, p, fresh)
    # With the cross-check turned off, findings below the quorum are advisory by the config's choice.
    not_decided = undecided(rounds, p.quorum, fail_on) if ctx.config.review.cross_check else []
    # Rows a value remembered elsewhere hid in part were not reviewed as the change writes them: as a
    # line cut short, a model error and a gap (what is remembered only grows: counted after the calls).
    hidden = hidden_rows(ctx.changeset.diff, p.chunks)
    model_error = _joined(
        coverage_error(missed, p.chunks, p.quorum, p.distinct),
        cut_note(p.cut),
        withheld_note(p.withheld),
        hidden_note(hidden),
        undecided_error(not_decided, p.quorum, fail_on),
        unplaced_error(rounds.outside),
    )
    partial = partial_note(rounds, p.chunks)
    p.notes.extend(
        n
        for n in (
            cut_note(p.cut),
            withheld_note(p.withheld),
            hidden_note(hidden),
            partial,
            outside_note(rounds),
            rounds.cross_check_note,
            ignored_verdicts_note(rounds),
        )
        if n
    )
    details = _details(p, keys, p.notes + list(p.contracts.notes), rounds.places)
    details.update(_round_details(p, rounds, missed, not_decided))
    complete = model_error is None and not rounds.failures and not rounds.not_reviewed
    said = [n for n in p.notes if n.startswith("only ")] + ([partial] if partial else [])
    return StageResult(
        STAGE,
        ran=True,
        why="; ".join([why, *said]),
        findings=findings,
        model_error=model_error,
        usage=replace(rounds.usage, wall_seconds=round(time.monotonic() - started, 3)),
        details=details,
        quorum=p.quorum,
        review_state=_state(ctx, p, findings, details["notes"]) if complete else None,
        line_keys=keys,
        carried=carried,
        models=tuple(p.models),
        coverage=_with_gaps(
            review_coverage(
                ctx.changeset.diff,
                p.models,
                p.quorum,
                p.chunks,
                rounds.reviewed_by,
                p.increment.earlier,
                p.cut,
                missed,
                p.withheld,
            ),
            [
                *hidden_gaps(hidden),
                *undecided_gaps(not_decided, p.quorum, STAGE),
                *unplaced_gaps(rounds.outside),
            ],
        ),
    )


def _with_gaps(coverage: StageCoverage, gaps: Sequence[Gap]) -> StageCoverage:
    return coverage.model_copy(update={"gaps": (*coverage.gaps, *gaps)}) if gaps else coverage


def _prepare(ctx: RunContext, selection: Selection) -> _Prepared:
    """Units of the change packed into chunks that fit the smallest context window; in an incremental
    review, only the units changed since the previous review's head."""
    models = selection.models
    quorum = ctx.config.review.required_quorum()
    notes = [*_quorum_note(models, quorum), *selection.notes, *priced(ctx, models)]
    contracts = Contracts.of(load_specs(ctx))
    pr = pr_text(ctx.changeset)
    chars_per_token = measured_chars_per_token(ctx.changeset, token_counter(models))
    changed = [f.path for f in ctx.changeset.diff.files]
    answer = ctx.config.models.max_output_tokens
    window = smallest_window(models, ctx.config)
    budget = chunk_budget(window, contracts, pr, answer, chars_per_token, changed)
    units, skipped = build_units(ctx.changeset, budget, chars_per_token)
    previous = ctx.services.previous_review
    compare = head_diff(ctx.changeset, ctx.services.compare_heads)
    increment = plan(ctx.changeset, units, previous, models, compare)
    notes.extend(_increment_note(increment, previous is not None, len(units)))
    chunks = pack(increment.send, budget)
    return _Prepared(
        selection,
        quorum,
        notes,
        contracts,
        pr,
        chars_per_token,
        window,
        budget,
        units,
        skipped,
        increment,
        chunks,
    )


def _quorum_note(models: tuple[str, ...], quorum: int) -> list[str]:
    distinct = len(set(models))
    if distinct >= quorum:
        return []
    return [
        f"only {distinct} distinct review model{'s' if distinct != 1 else ''} for a quorum of {quorum}: "
        "model findings are advisory and the change is not fully reviewed"
    ]


def _increment_note(increment: Plan, had_previous: bool, units: int) -> list[str]:
    """What an incremental review sent again and carried; why a change reviewed before is reviewed whole."""
    review = increment.review
    if isinstance(review, IncrementalReview):
        unseen = review.units_not_reviewed_before
        return [
            f"incremental review since {short_id(review.previous_head)}: "
            f"{len(increment.send)} unit(s) sent again"
            + (f" ({unseen} unchanged but not shown to the models before)" if unseen else "")
            + f", {units - len(increment.send)} unchanged, {len(increment.carried)} finding(s) carried over"
        ]
    return [f"full review: {review.why}"] if had_previous else []


def _nothing_to_send(ctx: RunContext, p: _Prepared, why: str) -> StageResult:
    """No code to review, or none changed since the previous review: the findings carried over stand."""
    findings, carried, keys = _keyed(ctx, p, ())
    nothing = "no code to review" if not p.units else "no code changed since the previous review"
    withheld = withheld_note(p.withheld)
    details = _details(p, keys, [*p.notes, nothing, *([withheld] if withheld else [])])
    return StageResult(
        STAGE,
        ran=True,
        why=why,
        findings=findings,
        model_error=withheld,
        details=details,
        quorum=p.quorum,
        review_state=_state(ctx, p, findings, details["notes"]),
        line_keys=keys,
        carried=carried,
        models=tuple(p.models),
        coverage=review_coverage(
            ctx.changeset.diff, p.models, p.quorum, (), {}, p.increment.earlier, p.cut, (), p.withheld
        ),
    )


async def _cross_check(ctx: RunContext, client: ModelClient, p: _Prepared, rounds: ReviewRounds) -> None:
    """Ask the models that did not raise a finding whose claim is below the quorum whether they agree."""
    config = ctx.config
    fail_on = config.gate.fail_on
    if len(rounds.answered) > 1 and config.review.cross_check and p.quorum > 1:
        pending = sum(1 for g in rounds.groups if len(g.claim(fail_on).by) < p.quorum)
        ctx.progress(f"review: cross-checking {pending} finding(s)")
        await cross_check_round(
            client, p.chunks, p.quorum, fail_on, rounds, grace_s=config.models.grace_seconds
        )
    elif not config.review.cross_check:
        p.notes.append("cross-check turned off (review.cross_check: false)")


def _keyed(
    ctx: RunContext, p: _Prepared, fresh: tuple[Finding, ...]
) -> tuple[tuple[Finding, ...], tuple[Finding, ...], dict[str, str]]:
    """This run's findings then those carried over that it did not raise again; the carried ones; and
    the text hash of every finding's lines, which a replay (no repository) fingerprints them with."""
    carried = carried_findings(p.increment.review, p.quorum)
    keys = line_keys([*fresh, *carried], head_lines(ctx.changeset))
    # Keyed together: a fresh copy of a carried finding's text is told apart from it (`with_line_keys`).
    keyed = with_line_keys([*carried, *fresh], keys)
    carried, fresh = keyed[: len(carried)], keyed[len(carried) :]
    return with_carried(fresh, carried), carried, keys


def _joined(*errors: str | None) -> str | None:
    return "; ".join(e for e in errors if e) or None


def _details(
    p: _Prepared, keys: dict[str, str], notes: list[str], places: Places | None = None
) -> dict[str, Any]:
    """What the report shows of the plan: models, prompts, chunks (the lines each showed, as `places`
    spells them), what was left out, the notes."""
    places = places if places is not None else Places({})
    return {
        "quorum": p.quorum,
        "models": list(p.models),
        "providers": {m: provider_of(m) for m in p.models},
        "model_source": p.selection.source,
        "prompt_versions": [load_prompt(REVIEW_PROMPT).version, load_prompt(CROSS_CHECK_PROMPT).version],
        "context_window": p.window,
        "chunk_tokens": p.budget,
        "chars_per_token": round(p.chars_per_token, 2),
        "chunks": [_chunk_details(c, p.contracts, places) for c in p.chunks],
        **places.details(),
        "skipped_files": [{"path": s.what, "reason": s.reason} for s in p.skipped if s.line is None],
        "cut_lines": [{"path": s.what, "line": s.line, "reason": s.reason} for s in p.cut],
        "notes": notes,
        "incremental": p.increment.details,
        "line_keys": keys,
    }


def _round_details(
    p: _Prepared, rounds: ReviewRounds, missed: list[Unreviewed], not_decided: list[Undecided]
) -> dict[str, Any]:
    """What the report shows of the rounds: who answered, what failed, what went unreviewed or undecided."""
    return {
        "answered": sorted(rounds.answered),
        "failures": rounds.failures,
        "not_reviewed": rounds.not_reviewed,
        "unreviewed_chunks": [u.as_json() for u in missed],
        # chunk id -> the models with a valid review answer for it: the report's coverage per file
        "reviewed_by": {c.id: sorted(rounds.reviewed_by.get(c.id, ())) for c in p.chunks},
        "groups": len(rounds.groups),
        "cross_checked": rounds.cross_checked,
        "cross_check_sent": rounds.sent,
        "undecided_findings": [u.as_json() for u in not_decided],
        "outside_findings": len(rounds.outside),
        "calls": rounds.calls,
    }


def _state(ctx: RunContext, p: _Prepared, findings: Sequence[Finding], notes: list[str]) -> str | None:
    """The encoded state the next run of this PR starts from, or None (then it reviews everything). Kept
    only once every model has reviewed every unit: sent on this run, or held back as shown before."""
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
            lines[path] = git_lines(text) if text is not None else None
        if (k := keep(f, lines[path])) is not None:
            kept.append(k)
    encoded, why = encode_state(head, p.models, kept, reviewed_lines(p.units))
    if why is not None:
        notes.append(f"{why}: the next run reviews everything")
    return encoded


def chunk_budget(
    window: int,
    contracts: Contracts,
    pr: PrText,
    answer_tokens: int,
    chars_per_token: float = CHARS_PER_TOKEN,
    changed: Sequence[str] = (),
) -> int:
    """Tokens of code per chunk: what the smallest context window of the models (`window`) leaves after
    the prompt and the answer (`answer_tokens`, the `max_tokens` every call asks for)."""
    # The most spec text one prompt can carry: the specs governing any changed file, within the limit.
    spec_chars = contracts.specs.largest_context_chars(changed)
    overhead = estimate_tokens(load_prompt(REVIEW_PROMPT).system + pr.longest, chars_per_token)
    if spec_chars:
        overhead += int(spec_chars / chars_per_token) + 1
    return chunk_tokens(window, overhead, answer_tokens)


def _chunk_details(chunk: Chunk, contracts: Contracts, places: Places) -> dict[str, Any]:
    """A chunk as the report shows it: its units, its code tokens, and the spec documents its prompt
    carried (with the characters of each) and left out."""
    out: dict[str, Any] = {
        "id": chunk.id,
        "units": [u.id for u in chunk.units],
        "paths": list(chunk.paths),
        # the lines shown, each path as the prompt spelled it, which a replay keeps findings within as
        # the run did
        "lines": list(places.shown.get(chunk.id, chunk.shown)),
        "tokens": chunk.tokens,
    }
    if contracts.specs.configured:
        context = contracts.for_chunk(chunk)
        out["specs"] = {spec.path: len(text) for spec, text in context.sections}
        if context.left_out:
            out["specs_left_out"] = list(context.left_out)
    return out
