"""What the `regen` stage does when it runs: select the AI-authored hunks, re-generate each with the
chosen models, and judge each hunk (stable, unstable, outlier) as its samples come in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from gate.config.models import Regen
from gate.context.model import ChangeSet
from gate.findings import Finding
from gate.models.interface import CallRequest, CallResult, ModelClient
from gate.models.pricing import provider_of
from gate.models.schemas import EquivalenceOutput
from gate.models.selection import Selection as ModelSelection
from gate.models.selection import select_models
from gate.regen.context import (
    EQUIVALENCE_PROMPT,
    MARKERS,
    REGEN_PROMPT,
    RegenPrompt,
    equivalence_messages,
    regeneration_prompt,
)
from gate.regen.findings import Assessment, assess, consensus_models, outlier_finding, unstable_finding
from gate.regen.sampling import Sample, SampleJob, Sampling, sample, trim_echo
from gate.regen.selection import Region, Selection, SkippedHunk, select_regions
from gate.regen.similarity import Measures, measure
from gate.review.flow import no_model, priced, stage_client
from gate.review.prompt import load_prompt
from gate.run import RunContext, StageResult, Usage, run_sync
from gate.schema.coverage import Gap, StageCoverage


@dataclass(frozen=True)
class _Checked:
    region: Region
    measures: Measures
    samples: int
    models: tuple[str, ...]
    # "consistent" | "unstable" | "unsettled" | "outlier" | "equivalent" | "outlier candidate; <why>"
    outcome: str

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.region.path,
            "start_line": self.region.start_line,
            "end_line": self.region.end_line,
            "stability": round(self.measures.stability, 3),
            "agreement_max": round(self.measures.agreement_max, 3),
            "agreement_mean": round(self.measures.agreement_mean, 3),
            "samples": self.samples,
            "models": list(self.models),
            "outcome": self.outcome,
        }


@dataclass(frozen=True)
class _Run:
    checked: tuple[_Checked, ...]
    not_checked: tuple[SkippedHunk, ...]
    findings: tuple[Finding, ...]
    usage: Usage
    model_errors: tuple[str, ...]
    budget_stopped: bool


def run_regen(ctx: RunContext, given: ModelClient | None, why: str) -> StageResult:
    """The check, once the thresholds call for it and the run is online: the AI-authored hunks it can
    re-generate, and the models to do it, else why there is nothing to check or no model."""
    assert ctx.provenance is not None, "provenance runs before every other stage"
    cfg = ctx.config.regen
    selection = select_regions(ctx.changeset.diff, ctx.provenance, cfg)
    if not selection.regions:
        skipped = [s.as_json() for s in selection.skipped]
        nothing = {"checked": [], "skipped": skipped, "usage": asdict(Usage())}
        reached = _reached((), 0, selection.skipped)
        return StageResult("regen", ran=True, why=why, details=nothing, coverage=reached)
    chosen = select_models(ctx.config, "regen")
    if not chosen.models:
        unrun = no_model("regen", why, chosen, "no regen model available")
        return replace(unrun, details={"checked": [], "skipped": [s.as_json() for s in selection.skipped]})
    return _regenerate(ctx, given, selection, chosen, why)


def _regenerate(
    ctx: RunContext, given: ModelClient | None, selection: Selection, chosen: ModelSelection, why: str
) -> StageResult:
    """Re-generate the selected hunks with the chosen models; each is judged as its samples come in."""
    cfg = ctx.config.regen
    models = chosen.models
    quorum = ctx.config.review.required_quorum()
    details: dict[str, Any] = {
        "models": list(models),
        "providers": {m: provider_of(m) for m in models},
        "model_source": chosen.source,
        "notes": [*chosen.notes, *priced(ctx, models)],
        "prompt_versions": [load_prompt(REGEN_PROMPT).version, load_prompt(EQUIVALENCE_PROMPT).version],
        "samples": cfg.samples,
        "temperature": cfg.temperature,
        "quorum": quorum,
    }
    ctx.progress(f"regen: {len(selection.regions)} hunks x {cfg.samples} samples over {len(models)} models")
    client = stage_client(ctx, given)
    done = run_sync(_check(client, selection.regions, ctx.changeset, models, cfg))
    details.update(
        checked=[c.as_json() for c in done.checked],
        skipped=[s.as_json() for s in (*done.not_checked, *selection.skipped)],
        usage=asdict(done.usage),
        budget_stopped=done.budget_stopped,
    )
    summary = f"{len(done.checked)} of {len(selection.regions)} AI-authored hunks checked"
    if done.budget_stopped:
        summary += "; the budget stopped some model calls"
    return StageResult(
        "regen",
        ran=True,
        why=f"{why}; {summary}",
        findings=done.findings,
        model_error=_coverage_error(done, len(selection.regions)),
        usage=done.usage,
        details=details,
        quorum=quorum,
        coverage=_reached(models, len(done.checked), (*done.not_checked, *selection.skipped)),
        models=tuple(models),
    )


async def _check(
    client: ModelClient,
    regions: Sequence[Region],
    changeset: ChangeSet,
    models: Sequence[str],
    cfg: Regen,
) -> _Run:
    """Sample every region at once; each region is judged (and compared) as soon as its samples are in."""
    prompts = [regeneration_prompt(region, changeset) for region in regions]
    shared: dict[str, asyncio.Task[Sampling]] = {}
    for region, made in zip(regions, prompts, strict=True):
        if made.content_key not in shared:
            job = SampleJob(region.id, made.messages, made.prompt.version)
            shared[made.content_key] = asyncio.create_task(
                sample(client, job, models, cfg.samples, cfg.temperature)
            )
    judged = await asyncio.gather(
        *(
            _judge(client, r, made, shared[made.content_key], changeset, cfg)
            for r, made in zip(regions, prompts, strict=True)
        )
    )
    samplings = [task.result() for task in shared.values()]
    usage = sum((s.usage for s in samplings), Usage()) + sum((j.usage for j in judged), Usage())
    return _Run(
        checked=tuple(j.checked for j in judged if j.checked is not None),
        not_checked=tuple(j.not_checked for j in judged if j.not_checked is not None),
        findings=tuple(j.finding for j in judged if j.finding is not None),
        usage=usage,
        model_errors=tuple(e for s in samplings for e in s.errors),
        budget_stopped=any(s.budget_stopped for s in samplings) or any(j.budget_stopped for j in judged),
    )


@dataclass(frozen=True)
class _Judged:
    checked: _Checked | None = None
    not_checked: SkippedHunk | None = None
    finding: Finding | None = None
    usage: Usage = field(default_factory=Usage)  # of the equivalence call
    budget_stopped: bool = False


async def _judge(
    client: ModelClient,
    region: Region,
    made: RegenPrompt,
    sampled: asyncio.Task[Sampling],
    changeset: ChangeSet,
    cfg: Regen,
) -> _Judged:
    sampling = _trimmed(await sampled, made)
    if len(sampling.samples) < 2:
        reason = _why_not_checked(sampling)
        return _Judged(not_checked=SkippedHunk(region.path, region.start_line, region.end_line, reason))
    m = measure(region.code, [s.code for s in sampling.samples], region.language)
    assessment = assess(m, cfg)
    models_used = tuple(dict.fromkeys(s.model for s in sampling.samples))

    def checked(outcome: str) -> _Checked:
        return _Checked(region, m, len(sampling.samples), models_used, outcome)

    if assessment is Assessment.UNSTABLE:
        return _Judged(checked(assessment.value), finding=unstable_finding(region, m, sampling.samples, cfg))
    if assessment is not Assessment.OUTLIER_CANDIDATE:
        return _Judged(checked(assessment.value))
    result = await _equivalence(client, region, m, sampling, changeset)
    outcome = _equivalence_outcome(result)
    finding = None
    if outcome == "outlier":
        output = result.outputs[0]
        assert isinstance(output, EquivalenceOutput)
        finding = outlier_finding(region, m, sampling.samples, output.difference, cfg)
    return _Judged(checked(outcome), finding=finding, usage=result.usage, budget_stopped=result.skipped)


async def _equivalence(
    client: ModelClient, region: Region, m: Measures, sampling: Sampling, changeset: ChangeSet
) -> CallResult:
    consensus = sampling.samples[m.medoid]
    prompt, messages = equivalence_messages(region, changeset, region.code, consensus.code)
    model = consensus_models(m, sampling.samples)[0]
    request = CallRequest(
        stage="regen",
        model=model,
        schema_name="equivalence",
        output_type=EquivalenceOutput,
        messages=messages,
        prompt_version=prompt.version,
        temperature=0.0,
        n=1,
        unit=region.id,
    )
    return await client.call(request)


def _equivalence_outcome(result: CallResult) -> str:
    if result.skipped:
        return "outlier candidate; not compared: budget exhausted"
    output = result.outputs[0] if result.outputs else None
    if not isinstance(output, EquivalenceOutput):
        return f"outlier candidate; comparison failed: {result.error or 'no valid answer'}"
    return "equivalent" if output.equivalent else "outlier"


def _trimmed(sampling: Sampling, made: RegenPrompt) -> Sampling:
    """Samples cut back to the region: no repeated surrounding lines, no copied marker lines."""
    samples = []
    for s in sampling.samples:
        kept = "".join(line for line in s.code.splitlines(keepends=True) if line.strip() not in MARKERS)
        code = trim_echo(kept, made.before, made.after)
        if code.strip():
            samples.append(Sample(s.model, code))
    return replace(sampling, samples=tuple(samples))


def _coverage_error(done: _Run, selected: int) -> str | None:
    """The model error naming the selected hunks that were not checked (a call failed, the budget
    stopped it) or not compared; None when every selected hunk was. Advisory or not, a hunk the stage
    chose and could not check is not a pass."""
    missed = [f"{s.path}:{s.start_line}-{s.end_line}" for s in done.not_checked]
    missed += [
        f"{c.region.path}:{c.region.start_line}-{c.region.end_line}"
        for c in done.checked
        if c.outcome.startswith("outlier candidate;")
    ]
    if not missed:
        return None
    reasons = sorted(
        {s.reason for s in done.not_checked}
        | {c.outcome for c in done.checked if c.outcome.startswith("outlier candidate;")}
    )
    lead = "no hunk could be re-generated: " if not done.checked else ""
    return (
        f"{lead}{len(missed)} of {selected} selected hunk(s) not checked: {', '.join(missed)[:500]} "
        f"({'; '.join(reasons)[:300]})"
    )


def _reached(models: Sequence[str], checked: int, skipped: Sequence[SkippedHunk]) -> StageCoverage:
    """The hunks the check selected (those it checked and the candidates it left out) and, as gaps, the
    candidates it left out; a hunk that was never a candidate is neither."""
    missed = [h for h in skipped if h.candidate]
    gaps = tuple(
        Gap(
            stage="regen",
            kind="size" if "too large" in h.reason else "failure",
            reason=f"not re-generated: {h.reason}",
            path=h.path,
            lines=h.lines,
        )
        for h in missed
    )
    return StageCoverage(models=tuple(models), selected=checked + len(missed), checked=checked, gaps=gaps)


def _why_not_checked(sampling: Sampling) -> str:
    got = f"{len(sampling.samples)} usable re-generation{'s' if len(sampling.samples) != 1 else ''}"
    if sampling.budget_stopped:
        return f"not checked: budget exhausted ({got})"
    if sampling.errors:
        return f"not checked: model error ({got}): {sampling.errors[0]}"
    return f"not checked: {got}, at least 2 needed"
