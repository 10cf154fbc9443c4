"""The run-scoped model services that every model stage shares, kept in `RunContext.services`:

- `"budget"`: the run's `RunBudget` (created on first use if the CLI did not create one at run start);
- `"trace"`: the `TraceWriter` the CLI opened from `--trace` (optional);
- `"model_client"`: the `LiteLLMClient`, created once with the budget, the trace and, when
  `OTEL_EXPORTER_OTLP_ENDPOINT` is set and the `otel` extra is installed, the OpenTelemetry exporter.

Stages get a client with `model_client(ctx)` and call it through `gate.models.interface.ModelClient`.
"""

from __future__ import annotations

from gate.models.budget import RunBudget
from gate.models.client import LiteLLMClient
from gate.models.trace import CallRecorder
from gate.pipeline import RunContext


def run_budget(ctx: RunContext) -> RunBudget:
    budget = ctx.services.get("budget")
    if not isinstance(budget, RunBudget):
        budget = RunBudget.from_config(ctx.config.budget)
        ctx.services["budget"] = budget
    return budget


def model_client(ctx: RunContext) -> LiteLLMClient:
    client = ctx.services.get("model_client")
    if isinstance(client, LiteLLMClient):
        return client
    from gate.models.otel import recorder_from_env

    recorders: list[CallRecorder] = []
    trace = ctx.services.get("trace")
    if trace is not None:
        recorders.append(trace)
    otel = recorder_from_env()
    if otel is not None:
        recorders.append(otel)
    client = LiteLLMClient(ctx.config, run_budget(ctx), recorders)
    ctx.services["model_client"] = client
    return client
