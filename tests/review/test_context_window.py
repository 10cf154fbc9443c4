"""A model litellm's map does not know is given its context window in `models.endpoints`: the review's
prompts are cut to fit that window, small or large, instead of the 32,000 tokens assumed otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gate.config.loader import load_config_text
from gate.config.models import Config
from gate.errors import ConfigError
from gate.models.pricing import DEFAULT_CONTEXT_TOKENS, token_counter
from gate.models.selection import route_for, smallest_window
from gate.review.room import MAX_CHUNK_TOKENS
from tests.fakes.model_server import FakeModelServer
from tests.gitrepo import GitRepo
from tests.review.scenario import MODELS, gate, stage


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.05")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "5")


def _repo(root: Path) -> GitRepo:
    repo = GitRepo(root)
    repo.write("src/calc.py", "def one():\n    return 1\n")
    repo.commit("base")
    repo.branch("feature")
    body = "".join(
        f"def step_{i}(value, table):\n    return table.get(value, {i}) * {i} + len(str(value))\n\n\n"
        for i in range(4_000)
    )
    repo.write("src/calc.py", body)
    repo.commit("many steps")
    return repo


def _config(server: FakeModelServer, windows: dict[str, int]) -> Config:
    data: dict[str, Any] = server.review_config(MODELS)
    for model, window in windows.items():
        data["models"]["endpoints"][model]["max_input_tokens"] = window
    data["review"] = {"cross_check": False}
    return Config.model_validate(data)


def _review(
    server: FakeModelServer, repo: GitRepo, windows: dict[str, int]
) -> tuple[dict[str, Any], list[int]]:
    before = len(server.calls)
    result = stage(gate(repo, _config(server, windows)))
    assert result.ran and result.model_error is None, result
    count = token_counter(MODELS)
    sent = [
        sum(count(str(m.get("content", ""))) for m in call.body["messages"])
        for call in server.calls[before:]
        if call.schema == "review"
    ]
    return result.details, sent


def test_prompts_fit_the_smallest_window_an_endpoint_declares(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    repo = _repo(tmp_path / "repo")
    assumed, assumed_sent = _review(model_server, repo, {})
    assert assumed["context_window"] == DEFAULT_CONTEXT_TOKENS
    # One small self-hosted model among the three: every model's prompts are cut to its window.
    small, small_sent = _review(model_server, repo, {MODELS[1]: 16_384})
    assert small["context_window"] == 16_384
    assert len(small["chunks"]) > 2 * len(assumed["chunks"])
    answer = Config().models.max_output_tokens
    assert max(small_sent) + answer <= 16_384, (max(small_sent), answer)
    assert max(assumed_sent) + answer > 16_384  # what the assumed window would have sent it
    # Every model declared large: chunks grow to the cap, fewer calls for the same code.
    large, large_sent = _review(model_server, repo, {m: 200_000 for m in MODELS})
    assert large["context_window"] == 200_000
    assert large["chunk_tokens"] == MAX_CHUNK_TOKENS > assumed["chunk_tokens"]
    assert len(large["chunks"]) < len(assumed["chunks"])
    assert len(large_sent) == len(MODELS) * len(large["chunks"])
    # The same units are reviewed whatever the window.
    units = {details["chunks"][0]["units"][0] for details in (assumed, small, large)}
    assert len(units) == 1


@pytest.mark.parametrize("value", ["100", "0", "-5", "12.5", "true", "200000000"])
def test_a_window_out_of_bounds_is_a_config_error(value: str) -> None:
    text = f"version: 1\nmodels:\n  endpoints:\n    openai/local: {{max_input_tokens: {value}}}\n"
    with pytest.raises(ConfigError, match="max_input_tokens"):
        load_config_text(text, "ai-gate.yml")


@pytest.mark.parametrize("value", [2_048, 131_072, 2_000_000])
def test_a_window_in_bounds_is_read(value: int) -> None:
    text = (
        "version: 1\nmodels:\n  max_output_tokens: 1024\n"
        f"  endpoints:\n    openai/local: {{max_input_tokens: {value}}}\n"
    )
    config = load_config_text(text, "ai-gate.yml")
    assert config.models.endpoints["openai/local"].max_input_tokens == value
    assert smallest_window(("openai/local",), config) == value
    # Declaring a window alone does not route the model anywhere of its own.
    assert route_for("openai/local", config, {}).api_base is None


@pytest.mark.parametrize(("window", "answer"), [(8_192, 8_192), (4_096, 8_192), (16_000, 20_000)])
def test_a_window_that_cannot_hold_the_answer_is_a_config_error(window: int, answer: int) -> None:
    text = (
        f"version: 1\nmodels:\n  max_output_tokens: {answer}\n"
        f"  endpoints:\n    openai/local: {{max_input_tokens: {window}}}\n"
    )
    with pytest.raises(ConfigError, match="leaves no room for a prompt beside the answer"):
        load_config_text(text, "ai-gate.yml")
