"""Optional OpenTelemetry export of model calls, following the GenAI semantic conventions.

On when `OTEL_EXPORTER_OTLP_ENDPOINT` is set and the `otel` extra is installed
(`pip install 'ai-quality-gate[otel]'`): one span per call attempt, named `chat <model>`, with
`gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`, `gen_ai.request.temperature`,
`gen_ai.usage.input_tokens`, `gen_ai.usage.output_tokens` and `error.type`, plus `ai_gate.*` attributes
(stage, schema, unit, attempt, validation). Message contents are not exported (they are in the trace).
The SDK is imported only here, and only when export is on.
"""

from __future__ import annotations

import atexit
import os
from typing import Any

from gate.models.trace import CallRecord

ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"


class OtelRecorder:
    def __init__(self, provider: Any) -> None:
        self._provider = provider
        self._tracer = provider.get_tracer("ai-quality-gate")

    @classmethod
    def with_exporter(cls, exporter: Any, *, batch: bool = False) -> OtelRecorder:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

        provider = TracerProvider(resource=Resource.create({"service.name": "ai-quality-gate"}))
        provider.add_span_processor(BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter))
        return cls(provider)

    def record_call(self, record: CallRecord) -> None:
        from opentelemetry.trace import SpanKind, Status, StatusCode

        provider, _, _ = record.model.partition("/")
        start = int(record.started_at * 1e9)
        span = self._tracer.start_span(f"chat {record.model}", kind=SpanKind.CLIENT, start_time=start)
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": provider if record.model.count("/") else "unknown",
            "gen_ai.request.model": record.model,
            "gen_ai.output.type": "json",
            "gen_ai.usage.input_tokens": record.prompt_tokens,
            "gen_ai.usage.output_tokens": record.completion_tokens,
            "ai_gate.stage": record.stage,
            "ai_gate.schema": record.schema,
            "ai_gate.unit": record.unit,
            "ai_gate.prompt_version": record.prompt_version,
            "ai_gate.attempt": record.attempt,
            "ai_gate.purpose": record.purpose,
            "ai_gate.cost_usd": record.cost_usd,
            "ai_gate.validation": ",".join(record.validation),
        }
        temperature = record.parameters.get("temperature")
        if isinstance(temperature, int | float):
            attributes["gen_ai.request.temperature"] = float(temperature)
        choices = record.parameters.get("n")
        if isinstance(choices, int):
            attributes["gen_ai.request.choice.count"] = choices
        span.set_attributes(attributes)
        if record.error:
            span.set_attribute("error.type", record.error.split(" ", 1)[0].rstrip(":"))
            span.set_status(Status(StatusCode.ERROR, record.error[:200]))
        span.end(end_time=start + int(record.latency_s * 1e9))

    def close(self) -> None:
        self._provider.shutdown()


def recorder_from_env() -> OtelRecorder | None:
    if not os.environ.get(ENDPOINT_ENV):
        return None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError:
        return None
    recorder = OtelRecorder.with_exporter(OTLPSpanExporter(), batch=True)
    atexit.register(recorder.close)
    return recorder
