"""The run-scoped model services that every model stage shares, kept in `RunContext.services`:

- `budget`: the run's `RunBudget` (created on first use if the entry point did not create one at run start);
- `trace`: the `TraceWriter` the entry point opened from `--trace` (optional);
- `model_client`: the `LiteLLMClient`, created once with the budget, the trace and, when
  `OTEL_EXPORTER_OTLP_ENDPOINT` is set and the `otel` extra is installed, the OpenTelemetry exporter.

Stages get a client with `model_client(ctx)` and call it through `gate.models.interface.ModelClient`.
"""

from __future__ import annotations

from gate.models.budget import RunBudget
from gate.models.client import LiteLLMClient
from gate.models.interface import ModelClient
from gate.models.trace import CallRecorder
from gate.run import RunContext


def run_budget(ctx: RunContext) -> RunBudget:
    services = ctx.services
    with services.lock:  # one budget, also for stages that start side by side
        if services.budget is None:
            services.budget = RunBudget.from_config(ctx.config.budget)
        return services.budget


def model_client(ctx: RunContext) -> ModelClient:
    services = ctx.services
    with services.lock:  # one client (one bound per model), also for stages that start side by side
        if services.model_client is None:
            services.model_client = _new_client(ctx)
        return services.model_client


def _new_client(ctx: RunContext) -> ModelClient:
    services = ctx.services
    from gate.models.otel import recorder_from_env

    recorders: list[CallRecorder] = []
    if services.trace is not None:
        recorders.append(services.trace)
    otel = recorder_from_env()
    if otel is not None:
        recorders.append(otel)
    return LiteLLMClient(ctx.config, run_budget(ctx), recorders)
