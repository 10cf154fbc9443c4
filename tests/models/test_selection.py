"""Model selection (SPEC 5.4), per-model endpoints and routing through a LiteLLM Proxy."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from gate.cli import main
from gate.config.models import Config
from gate.models.budget import RunBudget
from gate.models.client import LiteLLMClient
from gate.models.selection import PROXY_ENV, auto_from_keys, route_for, select_models
from tests.fakes.model_server import FakeModelServer, Reply
from tests.gitrepo import GitRepo
from tests.models.test_client import request


def test_configured_names_win() -> None:
    config = Config.model_validate({"models": {"review": ["openai/a", "openai/b", "openai/a"]}})
    chosen = select_models(config, "review", {"OPENAI_API_KEY": "x"})
    assert chosen.models == ("openai/a", "openai/b") and chosen.source == "config"


def test_regen_defaults_to_the_review_models() -> None:
    config = Config.model_validate({"models": {"review": ["openai/a"]}})
    assert select_models(config, "regen", {}).models == ("openai/a",)


# litellm's mistral module (loaded to resolve a mistral/ name) has TypedDicts pydantic warns about.
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_auto_trio_across_providers() -> None:
    env = {"OPENAI_API_KEY": "x", "ANTHROPIC_API_KEY": "y", "GEMINI_API_KEY": "z", "MISTRAL_API_KEY": "w"}
    assert auto_from_keys(env) == (
        "openai/gpt-6.1-sol",
        "anthropic/claude-sonnet-5-5",
        "gemini/gemini-3.1-pro-preview",
    )


def test_auto_with_one_provider_fills_with_its_second_model() -> None:
    assert auto_from_keys({"ANTHROPIC_API_KEY": "y"}) == (
        "anthropic/claude-sonnet-5-5",
        "anthropic/claude-haiku-4-5",
    )


def test_the_default_models_are_in_the_pinned_cost_map() -> None:
    from gate.models.pricing import facts

    env = {"OPENAI_API_KEY": "x", "ANTHROPIC_API_KEY": "y", "GEMINI_API_KEY": "z"}
    for model in auto_from_keys(env):
        assert facts(model).known, model


def test_nothing_available_means_no_models_with_a_note() -> None:
    # No keys, and nothing answers on the probed Ollama address.
    chosen = select_models(Config(), "review", {"OLLAMA_API_BASE": "http://127.0.0.1:9"})
    assert chosen.models == () and "no provider key" in chosen.note


def test_offline_selects_nothing() -> None:
    assert select_models(Config(), "review", {"OPENAI_API_KEY": "x"}, offline=True).models == ()


def test_local_ollama_is_used_when_it_answers(model_server: FakeModelServer) -> None:
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Tags(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = json.dumps({"models": [{"name": "qwen3:8b"}, {"name": "llama3.2"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            return None

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Tags)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        chosen = select_models(Config(), "review", {"OLLAMA_API_BASE": base})
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert (
        chosen.models == ("ollama_chat/llama3.2", "ollama_chat/qwen3:8b") and chosen.source == "local Ollama"
    )


def test_endpoint_gives_a_model_its_own_base_and_key_env() -> None:
    config = Config.model_validate(
        {
            "models": {
                "endpoints": {"openai/x": {"api_base": "http://10.0.0.1:8000/v1/", "api_key_env": "MY_KEY"}}
            }
        }
    )
    route = route_for("openai/x", config, {PROXY_ENV: "http://proxy:4000"})
    assert (route.litellm_model, route.api_base, route.api_key_env) == (
        "openai/x",
        "http://10.0.0.1:8000/v1",
        "MY_KEY",
    )


def test_every_model_goes_through_a_litellm_proxy(model_server: FakeModelServer) -> None:
    """The proxy is an OpenAI-compatible gateway: the call reaches it with the configured model name."""
    for name in ("anthropic/claude-sonnet-5-5", "gemini/gemini-3.1-pro-preview"):
        model_server.script(name, "review", Reply.json({"findings": []}))
    env = {PROXY_ENV: model_server.url, "AI_GATE_LITELLM_PROXY_KEY": "sk-proxy"}
    config = Config.model_validate(
        {"models": {"review": ["anthropic/claude-sonnet-5-5", "gemini/gemini-3.1-pro-preview"]}}
    )
    client = LiteLLMClient(config, RunBudget.from_config(config.budget), env=env, timeout_s=5)

    async def both() -> list[object]:
        return list(await asyncio.gather(*(client.call(request(m)) for m in config.models.review)))

    results = asyncio.run(both())
    assert all(r.outputs for r in results)  # type: ignore[attr-defined]
    assert sorted(c.model for c in model_server.calls) == [
        "anthropic/claude-sonnet-5-5",
        "gemini/gemini-3.1-pro-preview",
    ]
    # priced as the model behind the proxy
    assert all(r.usage.cost_usd > 0 for r in results)  # type: ignore[attr-defined]


def test_auto_selection_asks_the_proxy_for_its_models(model_server: FakeModelServer) -> None:
    for name in ("team-reviewer-a", "team-reviewer-b"):
        model_server.script(name, "review", Reply.json({"findings": []}))
    chosen = select_models(Config(), "review", {PROXY_ENV: model_server.url})
    assert chosen.models == ("team-reviewer-a", "team-reviewer-b") and chosen.source == "LiteLLM Proxy"


def test_auto_takes_one_model_per_provider_when_enough_providers_have_keys() -> None:
    chosen = select_models(Config(), "review", {"OPENAI_API_KEY": "x", "ANTHROPIC_API_KEY": "y"})
    assert chosen.models == ("openai/gpt-6.1-sol", "anthropic/claude-sonnet-5-5") and chosen.notes == ()


def test_a_second_model_of_a_provider_only_to_reach_the_quorum_and_said() -> None:
    env = {"ANTHROPIC_API_KEY": "y", "OLLAMA_API_BASE": "http://127.0.0.1:9"}
    chosen = select_models(Config(), "review", env)
    assert chosen.models == ("anthropic/claude-sonnet-5-5", "anthropic/claude-haiku-4-5")
    (note,) = chosen.notes
    assert "anthropic/claude-haiku-4-5 was chosen to reach the quorum of 2" in note
    assert "same provider (anthropic)" in note
    one = Config.model_validate({"review": {"quorum": 1}})
    assert select_models(one, "review", env).models == ("anthropic/claude-sonnet-5-5",)


def test_providers_are_litellms_offline_resolution() -> None:
    from gate.models.pricing import provider_of

    assert provider_of("openai/gpt-6.1-sol") == "openai"
    assert provider_of("anthropic/claude-sonnet-5-5") == "anthropic"
    assert provider_of("gemini/gemini-3.1-pro-preview") == "gemini"
    assert provider_of("litellm_proxy/anthropic/claude-sonnet-5-5") == "anthropic"
    assert provider_of("gpt-4o") == "openai"
    assert provider_of("team-reviewer-a") == "unknown"


def test_the_review_names_each_voters_provider_and_auto_picks_across_providers(
    model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through `ai-gate check`: a LiteLLM Proxy lists two OpenAI models and one Anthropic model; the
    review takes one of each provider, and its details name each model's provider."""
    for name in ("anthropic/claude-sonnet-5-5", "openai/gpt-4o", "openai/gpt-4o-mini"):
        model_server.script(name, "review", Reply.json({"findings": []}))
    monkeypatch.setenv(PROXY_ENV, model_server.url)
    monkeypatch.setenv("AI_GATE_LITELLM_PROXY_KEY", "sk-proxy")
    for key in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/calc.py", "def total(items):\n    return sum(items)\n")
    repo.commit("add calc")
    repo.branch("feature")
    repo.write("app/calc.py", "def total(items):\n    return sum(items) + 0\n")
    repo.commit("change calc")
    config = tmp_path / "ai-gate.yml"
    config.write_text("thresholds:\n  review: {changed_lines: 1}\n")
    report = tmp_path / "report.json"
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature"]
    main([*args, "--config", str(config), "--format", "json", "--output", str(report)])
    details = json.loads(report.read_text())["stages"]["review"]["details"]
    assert details["model_source"] == "LiteLLM Proxy"
    assert details["providers"] == {"anthropic/claude-sonnet-5-5": "anthropic", "openai/gpt-4o": "openai"}
    assert model_server.count("openai/gpt-4o-mini") == 0
    assert model_server.count("openai/gpt-4o") == 1 and model_server.count("anthropic/claude-sonnet-5-5") == 1


def test_an_ollama_address_nothing_listens_at_is_told_without_the_http_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket

    from gate.models.selection import _nothing_listens

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        assert _nothing_listens(f"http://127.0.0.1:{port}") is False  # asked over HTTP
    assert _nothing_listens(f"http://127.0.0.1:{port}") is True  # closed now
    assert _nothing_listens("http://127.0.0.1:notaport") is False  # httpx says what is wrong with it
    assert _nothing_listens("not a url") is False
    # Through a proxy the probe may reach what this process cannot connect to: httpx is asked.
    monkeypatch.setenv("https_proxy", "http://proxy.test:3128")
    assert _nothing_listens(f"http://127.0.0.1:{port}") is False


@pytest.mark.parametrize(
    "base",
    ["http://" + "a" * 70 + ":11434", "http://[::1", "http://exa mple:11434", "http://localhost:99999", "x"],
)
@pytest.mark.parametrize("where", [PROXY_ENV, "OLLAMA_API_BASE"])
def test_an_address_no_request_can_be_sent_to_is_no_model_not_a_crash(base: str, where: str) -> None:
    chosen = select_models(Config(), "review", {where: base})
    assert chosen.models == () and "no provider key" in chosen.note
