"""Model stages that both escalate run side by side: one bound per model and one budget for both.

The review and the re-generation check of one AI-authored change, through the real pipeline and the
real model layer (litellm over HTTP to the loopback model server). Concurrency is shown without any
clock: the server holds the first request of each stage until a request of the other has arrived,
which only happens when both stages have calls in flight at once.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from gate.config.models import Config
from gate.models.trace import TraceWriter
from gate.pipeline import run
from gate.regen.stage import RegenStage
from gate.replay import replay_trace
from gate.report.json_v1 import to_dict
from gate.review.stage import ReviewStage
from gate.run import Outcome, RunContext, Services, Stage, StageResult
from tests.fakes.fixtures import model_server
from tests.fakes.model_server import UNPRICED_USD_PER_MILLION, FakeModelServer, Reply, judge
from tests.gitrepo import GitRepo
from tests.regen.conftest import Change, make_change
from tests.regen.samples import SAME

MODELS = ("openai/both-a", "openai/both-b")
SERVED = tuple(m.split("/", 1)[1] for m in MODELS)
LIMIT = 2  # models.concurrency: calls in flight at once per model, for both stages together
# More logic-bearing functions by the AI author: more hunks to re-generate than the bound lets through.
MORE_AI = {
    f"src/rates_{n}.py": (
        f"def rate_{n}(amount, days):\n"
        f"    if days <= 0:\n"
        f"        raise ValueError('days must be positive')\n"
        f"    daily = amount / days\n"
        f"    return round(daily * {n + 2}, 2)\n"
    )
    for n in range(3)
}
FINDING = {
    "path": "src/prices.py",
    "start_line": 15,
    "end_line": 16,
    "severity": "high",
    "category": "bug",
    "title": "Discount accepts a rate of exactly 1",
    "body": "a rate of 1 gives the item away",
    "suggestion": None,
}
# What the other model raises: below quorum, so it is cross-checked.
OTHER = {**FINDING, "start_line": 4, "end_line": 4, "title": "Unused import", "body": "math is unused"}
REVIEW_SCHEMAS = {"review", "cross_check"}
REGEN_SCHEMAS = {"regeneration", "equivalence"}
HOLD_S = 60.0
__all__ = [
    "model_server"
]  # the fixture  # how long a held review request waits for a re-generation request before giving up


@pytest.fixture(autouse=True)
def _model_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")


def config_for(server: FakeModelServer, **extra: Any) -> Config:
    data: dict[str, Any] = {
        "models": {
            "review": list(MODELS),
            "regen": list(MODELS),
            "endpoints": server.endpoints(MODELS),
            "concurrency": LIMIT,
            "max_output_tokens": 2000,
        },
        "budget": {"unpriced_usd_per_million_tokens": UNPRICED_USD_PER_MILLION},
    }
    for key, value in extra.items():
        data[key] = {**data.get(key, {}), **value}
    return Config.model_validate(data)


def script(server: FakeModelServer, *, hold: str = "", fill: bool = False) -> dict[str, threading.Event]:
    """Both models raise one finding, one of them another (which the other refuses in the cross-check),
    and they re-generate consistently. A held request is answered only once a request of the other stage
    has arrived (or after HOLD_S): with `hold="first"` the first of each stage (so neither fills a
    model's bound), with `"all"` every one. With `fill`, a model's requests are also held until it has
    LIMIT in flight once (or for HOLD_S): a client that keeps the bound full then shows it on however
    slow a machine, where answers that come at once may leave no two of them in flight together."""
    arrived = {"review": threading.Event(), "regen": threading.Event()}
    full = {name: threading.Event() for name in SERVED}
    lock = threading.Lock()

    def first_waits(stage: str, other: str) -> None:
        with lock:
            first = not arrived[stage].is_set()
            arrived[stage].set()
        if hold == "all" or (hold == "first" and first):
            arrived[other].wait(HOLD_S)

    def filled(model: str) -> None:
        if not fill:
            return
        if server.in_flight[model] >= LIMIT:  # counted on arrival, this request with them
            full[model].set()
        full[model].wait(HOLD_S)

    def review(body: dict[str, Any]) -> Reply:
        filled(body["model"])
        first_waits("review", "regen")
        raised = [FINDING] if body["model"] == SERVED[0] else [FINDING, OTHER]
        return Reply.json({"findings": raised})

    def regeneration(body: dict[str, Any]) -> Reply:
        filled(body["model"])
        first_waits("regen", "review")
        return Reply(choices=tuple({"code": c} for c in SAME), delay=0.05)

    for name in SERVED:
        server.script(name, "review", review)
        server.script(name, "cross_check", judge(lambda title: False))
        server.script(name, "regeneration", regeneration)
    return arrived


def gate(
    change: Change,
    config: Config,
    *,
    together: bool = True,
    services: Services | None = None,
    stages: list[Stage] | None = None,
) -> Outcome:
    ctx = RunContext(
        changeset=change.changeset,
        config=config,
        escalations={"review": (True, "asked for"), "regen": (True, "asked for")},
        services=services or Services(),
    )
    return run(ctx, stages or [ReviewStage(), RegenStage()], together=together)


def stage(outcome: Outcome, name: str) -> StageResult:
    return next(s for s in outcome.stages if s.stage == name)


def test_both_stages_have_calls_in_flight_at_once_within_one_bound_per_model(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path
) -> None:
    arrived = script(model_server, hold="first", fill=True)
    trace_path = tmp_path / "trace.jsonl"
    with TraceWriter.open(trace_path) as trace:
        outcome = gate(
            make_change(repo, ai_files=MORE_AI), config_for(model_server), services=Services(trace=trace)
        )
        trace.record_run(outcome)
    assert all(e.is_set() for e in arrived.values())
    assert any(REVIEW_SCHEMAS & seen and REGEN_SCHEMAS & seen for seen in model_server.schemas_together)
    # the bound held for both stages together, and was needed: more calls per model than it lets through
    for name in SERVED:
        assert model_server.peak_in_flight[name] == LIMIT
        assert model_server.count(name) > LIMIT
    review, regen = stage(outcome, "review"), stage(outcome, "regen")
    assert review.ran and review.model_error is None and [f.rule for f in review.findings]
    assert regen.ran and regen.model_error is None
    assert len(regen.details["checked"]) == 1 + len(MORE_AI)
    # every call's trace record is there, whole, before the run's end
    records = [json.loads(line) for line in trace_path.read_text().splitlines()]
    calls = [r for r in records if r["type"] == "call"]
    assert len(calls) == model_server.count()
    assert {c["stage"] for c in calls} == {"review", "regen"}
    # the two stages' records interleave; a replay still finds what the run found
    replayed = replay_trace(trace_path)
    assert [f.fingerprint for f in replayed.findings] == [f.fingerprint for f in outcome.findings]
    assert replayed.verdict == outcome.verdict


def test_side_by_side_reports_what_one_after_the_other_reports(
    repo: GitRepo, model_server: FakeModelServer
) -> None:
    script(model_server)
    config = config_for(model_server)
    change = make_change(repo, ai_files=MORE_AI)
    reports = [_without_timing(to_dict(gate(change, config, together=t))) for t in (False, True)]
    assert reports[0] == reports[1]
    assert reports[1]["stages"]["review"]["ran"] is True
    assert {f["stage"] for f in reports[1]["findings"]} == {"review"}
    assert reports[1]["stages"]["regen"]["ran"] is True


def test_a_spent_budget_stops_both_stages(repo: GitRepo, model_server: FakeModelServer) -> None:
    """Both stages' first calls are in flight together (no request is answered before the other stage
    has one in flight; a bound wide enough for all of them), and their answers report far more tokens
    than any estimate: the budget is spent, and every call either stage starts later is refused."""
    script(model_server, hold="all")
    model_server.prompt_tokens_per_call = 1_000_000  # $1 a call at the test price
    services = Services()
    config = config_for(model_server, budget={"max_cost_usd": 0.5}, models={"concurrency": 8})
    outcome = gate(make_change(repo, ai_files=MORE_AI), config, services=services)
    review, regen = stage(outcome, "review"), stage(outcome, "regen")
    assert regen.details["budget_stopped"] is True
    assert any("budget exhausted" in n["reason"] for n in review.details["not_reviewed"])
    assert regen.model_error is not None
    budget = services.budget
    assert budget is not None and budget.held_usd == pytest.approx(0.0, abs=1e-9)
    # exact: what was spent is what the answered calls cost, to the cent
    answered = [c for c in model_server.calls if c.status == 200]
    assert budget.spent_usd == pytest.approx(len(answered) * 1.0 + _completion_usd(model_server))
    # review's cross-check and regen's comparisons came after the budget was spent: never sent
    assert model_server.count(schema="cross_check") == model_server.count(schema="equivalence") == 0
    assert any(n["schema"] == "cross_check" for n in review.details["not_reviewed"])


class BrokenReview:
    """A review stage with a defect: it raises once it has started."""

    id = "review"
    description = "a review stage with a defect"
    docs = "#review"
    reads_learning = True
    reads_provenance = True
    runs_first = False

    def run(self, ctx: RunContext) -> StageResult:
        raise RuntimeError("index out of range while packing chunks")


def test_a_stage_that_breaks_beside_another_loses_nothing_of_the_other(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path
) -> None:
    script(model_server)
    trace_path = tmp_path / "trace.jsonl"
    with TraceWriter.open(trace_path) as trace:
        outcome = gate(
            make_change(repo, ai_files=MORE_AI),
            config_for(model_server),
            services=Services(trace=trace),
            stages=[BrokenReview(), RegenStage()],
        )
    review, regen = stage(outcome, "review"), stage(outcome, "regen")
    assert review.error == "RuntimeError: index out of range while packing chunks"
    assert review.skipped_reason == "stage failed" and not review.ran
    assert regen.ran and regen.error is None and len(regen.details["checked"]) == 1 + len(MORE_AI)
    assert outcome.verdict == "fail"  # gate.on_stage_error: what was not checked is no pass
    records = [json.loads(line) for line in trace_path.read_text().splitlines()]
    [error] = [r for r in records if r["type"] == "error"]
    assert error["stage"] == "review" and error["where"][-1].endswith(" in run")


def _completion_usd(server: FakeModelServer) -> float:
    return server.tokens["completion"] * UNPRICED_USD_PER_MILLION / 1e6


def _without_timing(report: dict[str, Any]) -> dict[str, Any]:
    """The report without what a clock measures (wall seconds)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("wall_seconds", "seconds")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(report)  # type: ignore[no-any-return]
