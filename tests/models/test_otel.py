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


def test_the_client_exports_each_attempt(model_server: object) -> None:
    import asyncio

    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from gate.models.budget import RunBudget
    from gate.models.client import LiteLLMClient
    from gate.models.otel import OtelRecorder
    from tests.fakes.model_server import FakeModelServer, Reply
    from tests.models.test_client import config_for, request

    assert isinstance(model_server, FakeModelServer)
    model_server.script("fake-a", "review", [Reply.error(429, retry_after=0), Reply.json({"findings": []})])
    exporter = InMemorySpanExporter()
    config = config_for(model_server, "openai/fake-a")
    client = LiteLLMClient(
        config,
        RunBudget.from_config(config.budget),
        [OtelRecorder.with_exporter(exporter)],
        env={"FAKE_MODEL_KEY": "k"},
        backoff_s=0.01,
    )
    asyncio.run(client.call(request()))
    spans = exporter.get_finished_spans()
    assert [dict(s.attributes or {})["ai_gate.attempt"] for s in spans] == [0, 1]
    assert dict(spans[0].attributes or {})["error.type"] == "RateLimitError"
    assert dict(spans[1].attributes or {})["gen_ai.usage.input_tokens"] > 0
