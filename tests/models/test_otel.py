"""OpenTelemetry export of model calls with GenAI semantic-convention attributes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.models.otel import ENDPOINT_ENV
from gate.models.trace import CallRecord
from tests.fakes.model_server import FakeModelServer, Reply
from tests.gitrepo import GitRepo
from tests.regen.conftest import make_change
from tests.regen.samples import STRICTER

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


def test_the_command_exports_its_spans_before_the_process_ends(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path
) -> None:
    """`ai-gate` ends without the interpreter's teardown (`gate.cli.entry`); the exit handlers still
    run, and the batch exporter's spans, sent only when it shuts down, reach the collector."""
    import threading
    from http.server import BaseHTTPRequestHandler

    from tests.fakes.loopback import LoopbackServer
    from tests.regen.test_cli import check, write_config

    posts: list[tuple[str, int]] = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            posts.append((self.path, len(body)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    make_change(repo)
    for model in ("regen-a", "regen-b"):
        model_server.script(model, "regeneration", Reply(choices=tuple({"code": c} for c in STRICTER)))
        model_server.script(model, "equivalence", Reply.json({"equivalent": True, "difference": ""}))
    server = LoopbackServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        done = check(
            repo,
            "--config",
            str(write_config(tmp_path / "gate.yml", model_server)),
            env={ENDPOINT_ENV: endpoint},
        )
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["usage"]["model_calls"] > 0
    assert posts and all(path == "/v1/traces" and size > 0 for path, size in posts)
