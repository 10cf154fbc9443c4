"""Ask the models for the re-generations of a region, through the model layer.

The layer bounds concurrency, retries, keeps the budget and writes the trace; this module plans the
calls (the samples spread over the regen models, `n` per call) and collects what came back. The stage
starts the sampling of every region at once and shares it between regions with the same content key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from gate.fence import unfence
from gate.models.interface import CallRequest, CallResult, Message, ModelClient
from gate.models.schemas import RegenerationOutput
from gate.run import Usage

STAGE = "regen"


@dataclass(frozen=True)
class Sample:
    model: str
    code: str


@dataclass(frozen=True)
class Sampling:
    """The re-generations one prompt produced, and what kept the others from coming."""

    samples: tuple[Sample, ...]
    errors: tuple[str, ...] = ()
    budget_stopped: bool = False  # some calls were not started: the budget or the run's time ran out
    usage: Usage = field(default_factory=Usage)


@dataclass(frozen=True)
class SampleJob:
    unit: str  # region id, for the trace
    messages: tuple[Message, ...]
    prompt_version: str


def plan(samples: int, models: Sequence[str]) -> list[tuple[str, int]]:
    """(model, n) calls that make `samples` re-generations, spread as evenly as possible over the models."""
    if not models:
        return []
    share, extra = divmod(samples, len(models))
    calls = [(model, share + (1 if i < extra else 0)) for i, model in enumerate(models)]
    return [(model, n) for model, n in calls if n > 0]


async def sample(
    client: ModelClient, job: SampleJob, models: Sequence[str], samples: int, temperature: float
) -> Sampling:
    """The re-generations of one prompt: one call per model, each asking for its share with `n`."""
    requests = [
        CallRequest(
            stage=STAGE,
            model=model,
            schema_name="regeneration",
            output_type=RegenerationOutput,
            messages=job.messages,
            prompt_version=job.prompt_version,
            temperature=temperature,
            n=n,
            unit=job.unit,
        )
        for model, n in plan(samples, models)
    ]
    return _collect(await asyncio.gather(*(client.call(request) for request in requests)))


def _collect(results: Sequence[CallResult]) -> Sampling:
    samples: list[Sample] = []
    errors: list[str] = []
    usage = Usage()
    stopped = False
    for result in results:
        usage = usage + result.usage
        stopped = stopped or result.skipped
        for output in result.outputs:
            if isinstance(output, RegenerationOutput) and output.code.strip():
                samples.append(Sample(result.request.model, unfence(output.code)))
        if result.error and not result.skipped:
            errors.append(f"{result.request.model}: {result.error}")
    return Sampling(tuple(samples), tuple(errors), stopped, usage)


def trim_echo(code: str, before: Sequence[str], after: Sequence[str]) -> str:
    """`code` without the surrounding lines a model repeated around the region it was asked for."""
    lines = code.splitlines()
    want_before = [line.strip() for line in before if line.strip()]
    want_after = [line.strip() for line in after if line.strip()]
    for k in range(min(len(want_before), len(lines)), 0, -1):
        head = [line.strip() for line in lines if line.strip()][:k]
        if head == want_before[-k:]:
            lines = _drop_leading(lines, k)
            break
    for k in range(min(len(want_after), len(lines)), 0, -1):
        tail = [line.strip() for line in lines if line.strip()][-k:]
        if tail == want_after[:k]:
            lines = _drop_trailing(lines, k)
            break
    return "\n".join(lines) + "\n" if lines else ""


def _drop_leading(lines: list[str], count: int) -> list[str]:
    """Drop the first `count` non-blank lines (and blank lines among them)."""
    for i, line in enumerate(lines):
        if line.strip():
            count -= 1
            if count == 0:
                return lines[i + 1 :]
    return []


def _drop_trailing(lines: list[str], count: int) -> list[str]:
    return list(reversed(_drop_leading(list(reversed(lines)), count)))
