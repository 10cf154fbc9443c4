"""OpenTelemetry export of model calls with GenAI semantic-convention attributes."""

from __future__ import annotations

import pytest

from gate.models.trace import CallRecord

pytest.importorskip("opentelemetry.sdk")


def test_a_call_becomes_a_gen_ai_span() -> None:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from gate.models.otel import OtelRecorder

    exporter = InMemorySpanExporter()
    recorder = OtelRecorder.with_exporter(exporter)
    recorder.record_call(
        CallRecord(
            stage="review",
            model="openai/fake-a",
            schema="review",
            unit="a.py#1",
            prompt_version="review/1",
            purpose="answer",
            attempt=1,
            parameters={"temperature": 0.2},
            messages=[],
            response=None,
            validation=[],
            error="RateLimitError 429: slow down",
            prompt_tokens=10,
            completion_tokens=5,
            latency_s=0.25,
        )
    )
    recorder.close()
    (span,) = exporter.get_finished_spans()
    assert span.name == "chat openai/fake-a"
    attrs = dict(span.attributes or {})
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.provider.name"] == "openai"
    assert attrs["gen_ai.request.model"] == "openai/fake-a"
    assert attrs["gen_ai.usage.input_tokens"] == 10 and attrs["gen_ai.usage.output_tokens"] == 5
    assert attrs["error.type"] == "RateLimitError"
    assert span.end_time - span.start_time == 250_000_000


def test_export_is_off_without_the_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    from gate.models.otel import recorder_from_env

    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    assert recorder_from_env() is None
