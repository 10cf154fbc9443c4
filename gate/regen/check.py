"""What the `regen` stage does when it runs: select the AI-authored hunks, re-generate each with the
chosen models, and judge each hunk (stable, unstable, outlier) as its samples come in.

A hunk counts as checked only when its usable re-generations came from the quorum of distinct models
(`review.quorum`), or from every model asked when fewer were configured: the samples of one model alone
cannot show a consensus the others share, and its outlier could never be confirmed. An outlier candidate
is compared by each model of the consensus, and by every model that sampled the hunk when the consensus
holds fewer than the quorum; the finding is confirmed by those that say the behaviour differs, so one
model's `equivalence` answer neither blocks nor clears it alone.
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
from gate.redact import unlearned_files
from gate.regen.context import (
    EQUIVALENCE_PROMPT,
    MARKERS,
    REGEN_PROMPT,
    RegenPrompt,
    code_around,
    equivalence_messages,
    regeneration_prompt,
)
from gate.regen.findings import Assessment, assess, consensus_models, outlier_finding, unstable_finding
from gate.regen.sampling import Sample, SampleJob, Sampling, plan, sample, trim_echo
from gate.regen.selection import Region, Selection, SkippedHunk, hidden, select_regions, withheld
from gate.regen.similarity import Measures, measure
from gate.regen.tokens import surroundings
from gate.review.flow import no_model, priced, stage_client
from gate.review.prompt import load_prompt
from gate.run import RunContext, StageResult, Usage, run_sync
from gate.schema.coverage import Gap, StageCoverage
from gate.wording import first_of


@dataclass(frozen=True)
class _Checked:
    region: Region
    measures: Measures
    samples: int
    models: tuple[str, ...]
    # "consistent" | "unstable" | "unsettled" | "outlier" | "equivalent" | "outlier candidate; <why>"
    outcome: str
    # an outlier candidate's comparison: model -> "different" | "equivalent" | why it gave no answer
    compared: tuple[tuple[str, str], ...] = ()

    @property
    def settled(self) -> bool:
        """Whether the check came to a verdict on the hunk (an outlier candidate left uncompared did not)."""
        return not self.outcome.startswith("outlier candidate;")

    def as_json(self) -> dict[str, Any]:
        compared = {"equivalence": dict(self.compared)} if self.compared else {}
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
            **compared,
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
    diff = ctx.changeset.diff
    selection = hidden(withheld(select_regions(diff, ctx.provenance, cfg), unlearned_files()), diff)
    if not selection.regions:
        skipped = [s.as_json() for s in selection.skipped]
        nothing = {"checked": [], "skipped": skipped, "usage": asdict(Usage())}
        reached = _reached((), (), selection.skipped)
        errors = (_withheld_error(selection.withheld), _hidden_error(selection.hidden))
        error = "; ".join(e for e in errors if e) or None
        return StageResult("regen", ran=True, why=why, details=nothing, model_error=error, coverage=reached)
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
    done = run_sync(_check(client, selection.regions, ctx.changeset, models, cfg, quorum))
    settled = [c for c in done.checked if c.settled]
    details.update(
        checked=[c.as_json() for c in done.checked],
        skipped=[s.as_json() for s in (*done.not_checked, *selection.skipped)],
        usage=asdict(done.usage),
        budget_stopped=done.budget_stopped,
        model_errors=list(done.model_errors),
    )
    summary = f"{len(settled)} of {len(selection.regions)} AI-authored hunks checked"
    # What the run remembers only grows, and a stage beside this one learns a linked issue's values while
    # its calls are out: a region a value learned since would hide in part was not checked as written.
    late = hidden(Selection(selection.regions, ()), ctx.changeset.diff).hidden
    errors = [
        _coverage_error(done, len(selection.regions)),
        _withheld_error(selection.withheld),
        _hidden_error((*selection.hidden, *late)),
    ]
    if done.budget_stopped:
        summary += "; the budget stopped some model calls"
    return StageResult(
        "regen",
        ran=True,
        why=f"{why}; {summary}",
        findings=done.findings,
        model_error="; ".join(e for e in errors if e) or None,
        usage=done.usage,
        details=details,
        quorum=quorum,
        coverage=_reached(models, done.checked, (*done.not_checked, *selection.skipped)),
        models=tuple(models),
    )


async def _check(
    client: ModelClient,
    regions: Sequence[Region],
    changeset: ChangeSet,
    models: Sequence[str],
    cfg: Regen,
    quorum: int,
) -> _Run:
    """Sample every region at once; each region is judged (and compared) as soon as its samples are in."""
    asked = {model for model, _ in plan(cfg.samples, models)}
    needed = _Needed(models=min(quorum, len(asked)), quorum=quorum)
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
            _judge(client, r, made, shared[made.content_key], changeset, cfg, needed)
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
class _Needed:
    """What a hunk's check needs: samples from `models` distinct models (the quorum, or every model asked
    when fewer were), and `quorum` distinct models behind an outlier."""

    models: int
    quorum: int


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
    needed: _Needed,
) -> _Judged:
    sampling = _trimmed(await sampled, made)
    models_used = tuple(dict.fromkeys(s.model for s in sampling.samples))
    if len(sampling.samples) < 2 or len(models_used) < needed.models:
        reason = _why_not_checked(sampling, needed.models)
        return _Judged(not_checked=SkippedHunk(region.path, region.start_line, region.end_line, reason))
    around = surroundings(region.code, lambda: code_around(region, changeset), region.language)
    m = measure(region.code, [s.code for s in sampling.samples], region.language, around)
    assessment = assess(m, cfg)

    def checked(outcome: str, compared: tuple[tuple[str, str], ...] = ()) -> _Checked:
        return _Checked(region, m, len(sampling.samples), models_used, outcome, compared)

    if assessment is Assessment.UNSTABLE:
        return _Judged(checked(assessment.value), finding=unstable_finding(region, m, sampling.samples, cfg))
    if assessment is not Assessment.OUTLIER_CANDIDATE:
        return _Judged(checked(assessment.value))
    results = await _equivalence(client, region, m, sampling, changeset, needed.models)
    outcome, differences = _equivalence_outcome(results, needed.quorum)
    finding = None
    if outcome == "outlier":
        same = tuple(r.request.model for r in results if r.request.model not in differences)
        finding = outlier_finding(region, m, sampling.samples, differences, same, cfg)
    return _Judged(
        checked(outcome, tuple((r.request.model, _compared(r)) for r in results)),
        finding=finding,
        usage=sum((r.usage for r in results), Usage()),
        budget_stopped=any(r.skipped for r in results),
    )


async def _equivalence(
    client: ModelClient, region: Region, m: Measures, sampling: Sampling, changeset: ChangeSet, quorum: int
) -> tuple[CallResult, ...]:
    """Each model of the consensus compares the submitted code with the consensus re-generation; when the
    consensus holds fewer than `quorum` distinct models, every model that sampled the region does."""
    consensus = sampling.samples[m.medoid]
    asked = consensus_models(m, sampling.samples)
    if len(asked) < quorum:
        # The samples of one model make a consensus the others did not write: that model alone would
        # both pick the consensus and judge the submitted code against it.
        asked = tuple(dict.fromkeys(s.model for s in sampling.samples))
    prompt, messages = equivalence_messages(region, changeset, region.code, consensus.code)
    requests = [
        CallRequest(
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
        for model in asked
    ]
    return tuple(await asyncio.gather(*(client.call(request) for request in requests)))


def _answer(result: CallResult) -> EquivalenceOutput | None:
    output = result.outputs[0] if result.outputs else None
    return output if isinstance(output, EquivalenceOutput) else None


def _compared(result: CallResult) -> str:
    answer = _answer(result)
    if answer is None:
        return "budget exhausted" if result.skipped else result.error or "no valid answer"
    return "equivalent" if answer.equivalent else "different"


def _equivalence_outcome(results: Sequence[CallResult], quorum: int) -> tuple[str, dict[str, str]]:
    """The candidate's outcome, and the models that say the behaviour differs with how. A model that
    says "equivalent" removes no support: the outlier stands, confirmed by those that say it differs.
    A comparison some model could not answer settles nothing unless a quorum already says it differs."""
    differences = {r.request.model: a.difference for r in results if (a := _answer(r)) and not a.equivalent}
    missing = [r for r in results if _answer(r) is None]
    if missing and len(differences) < quorum:
        if all(r.skipped for r in missing):
            return "outlier candidate; not compared: budget exhausted", differences
        why = "; ".join(f"{r.request.model}: {_compared(r)}" for r in missing)
        return f"outlier candidate; comparison failed: {why}", differences
    return ("outlier" if differences else "equivalent"), differences


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
        f"{c.region.path}:{c.region.start_line}-{c.region.end_line}" for c in done.checked if not c.settled
    ]
    if not missed:
        return None
    reasons = sorted(
        {s.reason for s in done.not_checked} | {c.outcome for c in done.checked if not c.settled}
    )
    lead = "no hunk could be re-generated: " if not done.checked else ""
    return (
        f"{lead}{len(missed)} of {selected} selected hunk(s) not checked: {', '.join(missed)[:500]} "
        f"({'; '.join(reasons)[:300]})"
    )


def _withheld_error(paths: Sequence[str]) -> str | None:
    """The model error naming the files whose AI hunks went to no model, their text not read whole
    (`gate.redact.unlearned_files`): hunks the stage chose and did not check are not a pass."""
    if not paths:
        return None
    named = first_of(paths, 5)
    return (
        f"not re-generated: the AI hunks of {len(paths)} file(s) sent to no model ({named}): their text at "
        "head or base was not read, so the secrets they hold are not all known"
    )


def _hidden_error(regions: Sequence[str]) -> str | None:
    """The model error naming the AI hunks left out because a value remembered elsewhere in the run
    would hide part of their added lines (`gate.regen.selection.hidden`): hunks the stage chose and did
    not check as written are not a pass."""
    if not regions:
        return None
    named = first_of(regions, 5)
    return (
        f"not re-generated: {len(regions)} AI hunk(s) with added lines shown with text hidden by a value "
        f"remembered elsewhere in the run ({named})"
    )


def _reached(
    models: Sequence[str], checked: Sequence[_Checked], skipped: Sequence[SkippedHunk]
) -> StageCoverage:
    """The hunks the check selected (those it checked and the candidates it left out) and, as gaps, the
    candidates it left out or could not settle; a hunk that was never a candidate is neither."""
    missed = [h for h in skipped if h.candidate]
    unsettled = [c for c in checked if not c.settled]
    gaps = tuple(
        Gap(
            stage="regen",
            kind="size" if "too large" in h.reason else "failure",
            reason=f"not re-generated: {h.reason}",
            path=h.path,
            lines=h.lines,
        )
        for h in missed
    ) + tuple(
        Gap(stage="regen", kind="failure", reason=c.outcome, path=c.region.path, lines=_lines(c.region))
        for c in unsettled
    )
    settled = len(checked) - len(unsettled)
    return StageCoverage(
        models=tuple(models), selected=len(checked) + len(missed), checked=settled, gaps=gaps
    )


def _lines(region: Region) -> str:
    start, end = region.start_line, region.end_line
    return f"{start}-{end}" if start != end else str(start)


def _why_not_checked(sampling: Sampling, models_needed: int) -> str:
    count = len(sampling.samples)
    got = f"{count} usable re-generation{'s' if count != 1 else ''}"
    if count >= 2:  # enough samples, from too few models
        distinct = len({s.model for s in sampling.samples})
        got += f" from {distinct} of the {models_needed} distinct models needed"
    if sampling.budget_stopped:
        return f"not checked: budget exhausted ({got})"
    if sampling.errors:
        return f"not checked: model error ({got}): {'; '.join(sampling.errors)}"
    return f"not checked: {got}" if count >= 2 else f"not checked: {got}, at least 2 needed"
