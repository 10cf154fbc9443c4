"""The budget holds before money is spent (SPEC 3 `budget`): through `ai-gate check` and the real litellm
client against the loopback model server, counting the requests that reach it and what they cost.

Models served here under names litellm's cost map prices (`openai/gpt-4o`, ...) are priced from the
map; other names are not priced at all unless the config says what they count at.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from gate.cli import main
from gate.config.models import Config
from gate.models.budget import RunBudget
from gate.models.client import LiteLLMClient
from gate.models.interface import CallResult
from gate.models.pricing import facts
from tests.fakes.model_server import FakeModelServer, Reply
from tests.gitrepo import GitRepo
from tests.models.test_client import request

PRICED = ("openai/gpt-4o", "openai/gpt-4.1")
BASE = "def total(items):\n    return sum(items)\n"
HEAD = BASE + "".join(f"\n\ndef helper_{i}(x):\n    return x * {i} + total([x])\n" for i in range(40))


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")


def check(tmp_path: Path, server: FakeModelServer, names: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    """`ai-gate check` of a small PR reviewed by `models` served here; returns the JSON report."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/calc.py", BASE)
    repo.commit("add calc")
    repo.branch("feature")
    repo.write("app/calc.py", HEAD)
    repo.commit("add helpers")
    data: dict[str, Any] = {
        "thresholds": {"review": {"changed_lines": 1}},
        "models": {"review": list(names), "endpoints": server.endpoints(names)},
    }
    for key, value in extra.items():
        data[key] = {**data.get(key, {}), **value}
    config = tmp_path / "ai-gate.yml"
    config.write_text(yaml.safe_dump(data))
    report = tmp_path / "report.json"
    trace = tmp_path / "trace.jsonl"
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--config", str(config)]
    code = main([*args, "--format", "json", "--output", str(report), "--trace", str(trace)])
    assert code in (0, 1)
    out: dict[str, Any] = json.loads(report.read_text())
    out["trace"] = [json.loads(line) for line in trace.read_text().splitlines()]
    return out


def review_details(report: dict[str, Any]) -> dict[str, Any]:
    details: dict[str, Any] = report["stages"]["review"]["details"]
    return details


def test_a_budget_too_small_for_one_call_sends_none(model_server: FakeModelServer, tmp_path: Path) -> None:
    """The issue's figure: two priced models and `budget.max_cost_usd: 0.01`. Each call's answer
    reserve alone (8192 tokens at $10 per million) is $0.08, so no call may start; before, every call
    of the first wave was sent (about $0.07 of prompts)."""
    report = check(tmp_path, model_server, PRICED, budget={"max_cost_usd": 0.01})
    assert model_server.count() == 0
    details = review_details(report)
    skipped = details["not_reviewed"]
    assert {n["model"] for n in skipped} == set(PRICED) and all(n["schema"] == "review" for n in skipped)
    assert all("budget.max_cost_usd" in n["reason"] and "does not fit" in n["reason"] for n in skipped)
    assert report["usage"]["cost_usd"] == 0.0 and report["verdict"] != "pass"


def test_the_answer_reserve_is_sent_as_max_tokens_and_bounds_the_spend(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    # One call's estimate (a small prompt plus 400 answer tokens at $10/M) is under $0.01: with $0.02 the
    # two models' first calls fit, and every call that starts fits in what is left when it starts.
    report = check(
        tmp_path,
        model_server,
        PRICED,
        budget={"max_cost_usd": 0.02},
        models={"max_output_tokens": 400},
    )
    assert model_server.count() >= 2
    assert all(c.body["max_tokens"] == 400 for c in model_server.calls)
    assert report["usage"]["cost_usd"] <= 0.02
    calls = [r for r in report["trace"] if r["type"] == "call"]
    assert all(r["parameters"]["max_tokens"] == 400 for r in calls)


def client(server: FakeModelServer, names: tuple[str, ...], **settings: Any) -> LiteLLMClient:
    data: dict[str, Any] = {"models": {"review": list(names), "endpoints": server.endpoints(names)}}
    for key, value in settings.items():
        data[key] = {**data.get(key, {}), **value}
    config = Config.model_validate(data)
    budget = RunBudget.from_config(config.budget)
    budget.register(names)
    return LiteLLMClient(config, budget, env={"FAKE_MODEL_KEY": "sk-test"}, backoff_s=0.01)


def gather(c: LiteLLMClient, models: tuple[str, ...], each: int) -> list[CallResult]:
    async def run() -> list[CallResult]:
        return list(await asyncio.gather(*(c.call(request(m)) for m in models for _ in range(each))))

    return asyncio.run(run())


def estimate(c: LiteLLMClient, model: str) -> float:
    """What the client holds for one `request(model)`: prompt tokens x1.25 plus the answer reserve."""
    from gate.models.pricing import prompt_tokens

    messages = [{"role": m.role, "content": m.content} for m in request(model).messages]
    f = facts(model)
    counted = -(-prompt_tokens(model, messages) * 5 // 4)
    return float(counted * f.input_cost_per_token + c.max_tokens * f.output_cost_per_token)


def test_concurrent_calls_hold_under_a_lock_and_wait_for_each_other(model_server: FakeModelServer) -> None:
    """Room for two estimates: of eight calls started together only two reach the server at first; the
    others wait for those to settle at their (smaller) actual cost, then go. None is refused."""
    model = "openai/gpt-4o"
    model_server.script("gpt-4o", "review", Reply.json({"findings": []}, delay=0.3))
    probe = client(model_server, (model,), models={"max_output_tokens": 1000})
    room = 2.5 * estimate(probe, model)
    c = client(model_server, (model,), models={"max_output_tokens": 1000}, budget={"max_cost_usd": room})
    results = gather(c, (model,), 8)
    assert all(r.outputs and not r.skipped for r in results)
    assert model_server.peak_in_flight["gpt-4o"] == 2 and model_server.count() == 8
    assert c.budget.spent_usd <= room and c.budget.held_usd == 0


def test_a_call_that_cannot_fit_is_refused_with_the_budget_named(model_server: FakeModelServer) -> None:
    model = "openai/gpt-4o"
    model_server.script("gpt-4o", "review", Reply.json({"findings": []}))
    probe = client(model_server, (model,), models={"max_output_tokens": 1000})
    room = 0.9 * estimate(probe, model)
    c = client(model_server, (model,), models={"max_output_tokens": 1000}, budget={"max_cost_usd": room})
    (result,) = gather(c, (model,), 1)
    assert result.skipped and not result.outputs and model_server.count() == 0
    assert result.error and result.error.startswith("not started: budget exhausted")
    assert "budget.max_cost_usd" in result.error and "answer tokens" in result.error


def test_a_retry_holds_again(model_server: FakeModelServer) -> None:
    """A timed-out attempt's hold stays spent (the provider may have billed it): the retry no longer fits
    and is not sent."""
    model = "openai/gpt-4o"
    model_server.script("gpt-4o", "review", Reply.never())
    probe = client(model_server, (model,), models={"max_output_tokens": 1000})
    room = 1.5 * estimate(probe, model)
    c = client(
        model_server,
        (model,),
        models={"max_output_tokens": 1000, "timeout_seconds": 0.5},
        budget={"max_cost_usd": room},
    )
    (result,) = gather(c, (model,), 1)
    assert model_server.count() == 1 and not result.outputs and not result.skipped
    assert result.error and "budget.max_cost_usd" in result.error and "after 1 attempts" in result.error


def test_a_failed_attempt_costs_nothing_and_the_retry_fits(model_server: FakeModelServer) -> None:
    model = "openai/gpt-4o"
    model_server.script("gpt-4o", "review", [Reply.error(500), Reply.json({"findings": []})])
    probe = client(model_server, (model,), models={"max_output_tokens": 1000})
    room = 1.5 * estimate(probe, model)
    c = client(model_server, (model,), models={"max_output_tokens": 1000}, budget={"max_cost_usd": room})
    (result,) = gather(c, (model,), 1)
    assert result.outputs and model_server.count() == 2


def test_an_unpriced_model_alone_is_refused_never_free(model_server: FakeModelServer, tmp_path: Path) -> None:
    report = check(tmp_path, model_server, ("openai/house-a", "openai/house-b"))
    assert model_server.count() == 0
    details = review_details(report)
    assert any("not called" in n and "budget.unpriced_usd_per_million_tokens" in n for n in details["notes"])
    reasons = {n["reason"] for n in details["not_reviewed"]}
    assert reasons and all("budget.unpriced_usd_per_million_tokens" in r for r in reasons)
    assert report["verdict"] != "pass"


def test_an_unpriced_model_counts_at_the_runs_highest_price(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    models = ("openai/gpt-4o-mini", "openai/gpt-4o", "openai/house-model")
    report = check(tmp_path, model_server, models)
    assert model_server.count("house-model", "review") >= 1
    gpt4o = facts("openai/gpt-4o")
    calls = [r for r in report["trace"] if r["type"] == "call" and r["model"] == "openai/house-model"]
    for r in calls:
        expected = (
            r["prompt_tokens"] * gpt4o.input_cost_per_token
            + r["completion_tokens"] * gpt4o.output_cost_per_token
        )
        assert r["cost_usd"] == pytest.approx(expected) and r["cost_usd"] > 0 and r["cost_known"] is False
    notes = " ".join(review_details(report)["notes"])
    assert "counted at $2.5/$10 per million tokens in/out (the highest price among the run's models)" in notes


def test_an_unpriced_model_counts_at_the_configured_price(model_server: FakeModelServer) -> None:
    model = "openai/house-model"
    model_server.script("house-model", "review", Reply.json({"findings": []}))
    model_server.prompt_tokens_per_call = 1000
    c = client(model_server, (model,), budget={"unpriced_usd_per_million_tokens": 3.0})
    (result,) = gather(c, (model,), 1)
    assert result.usage.cost_usd == pytest.approx((1000 + result.usage.completion_tokens) * 3e-6)
