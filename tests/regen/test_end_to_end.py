"""The regen stage through the real model layer: litellm over HTTP to the loopback model server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gate.config.models import Config
from gate.models.trace import TraceWriter
from gate.policy import decide
from gate.regen.stage import RegenStage
from gate.run import RunContext, Services, StageResult
from tests.fakes.model_server import UNPRICED_USD_PER_MILLION, FakeModelServer, Reply
from tests.gitrepo import GitRepo
from tests.regen.conftest import Change, make_change
from tests.regen.samples import SAME, STRICTER

MODELS = ("openai/regen-a", "openai/regen-b")
# litellm sends an `openai/<name>` model to the server as `<name>`.
SERVED = {m: m.split("/", 1)[1] for m in MODELS}
DIFFERENCE = "With rate == 1 the submitted code returns 0.0 where the re-generation raises ValueError."


@pytest.fixture(autouse=True)
def _model_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")


def config_for(server: FakeModelServer, **extra: Any) -> Config:
    endpoints = server.endpoints(MODELS)
    data: dict[str, Any] = {"models": {"regen": list(MODELS), "endpoints": endpoints}, **extra}
    data["budget"] = {"unpriced_usd_per_million_tokens": UNPRICED_USD_PER_MILLION, **extra.get("budget", {})}
    return Config.model_validate(data)


def run_stage(change: Change, config: Config, services: Services | None = None) -> StageResult:
    ctx = RunContext(
        changeset=change.changeset,
        config=config,
        provenance=change.provenance,
        escalations={"regen": (True, "threshold met: AI share 100% >= 50%")},
        services=services if services is not None else Services(),
    )
    return RegenStage().run(ctx)


def script_regenerations(server: FakeModelServer, codes: tuple[str, ...]) -> None:
    for model in MODELS:
        server.script(SERVED[model], "regeneration", Reply(choices=tuple({"code": c} for c in codes)))


def test_outlier_end_to_end_with_trace(change: Change, model_server: FakeModelServer, tmp_path: Path) -> None:
    script_regenerations(model_server, STRICTER)
    for model in MODELS:
        model_server.script(
            SERVED[model], "equivalence", Reply.json({"equivalent": False, "difference": DIFFERENCE})
        )
    trace_path = tmp_path / "trace.jsonl"
    with TraceWriter.open(trace_path) as trace:
        result = run_stage(change, config_for(model_server), Services(trace=trace))
    (finding,) = result.findings
    assert finding.rule == "outlier" and DIFFERENCE in finding.body
    assert set(finding.confirmed_by) == set(MODELS)
    regen_calls = [c for c in model_server.calls if c.schema == "regeneration"]
    # 5 samples over two models with the provider's `n`: one call of n=3 and one of n=2
    assert sorted((c.model, c.body.get("n", 1)) for c in regen_calls) == [("regen-a", 3), ("regen-b", 2)]
    assert all(c.body["temperature"] == 0.8 for c in regen_calls)
    assert model_server.count(schema="equivalence") == 2  # one for each model of the consensus
    checked = result.details["checked"][0]
    assert checked["samples"] == 5 and checked["outcome"] == "outlier"
    assert result.usage.model_calls == 4 and result.usage.prompt_tokens > 0
    records = [json.loads(line) for line in trace_path.read_text().splitlines()]
    assert {r.get("prompt_version") for r in records} >= {"regen/1", "equivalence/1"}


def test_consistent_end_to_end(change: Change, model_server: FakeModelServer) -> None:
    script_regenerations(model_server, SAME)
    result = run_stage(change, config_for(model_server))
    assert result.findings == () and result.model_error is None
    assert result.details["checked"][0]["outcome"] == "consistent"
    assert model_server.count(schema="equivalence") == 0


def test_budget_stops_sampling_cleanly_end_to_end(change: Change, model_server: FakeModelServer) -> None:
    script_regenerations(model_server, SAME)
    result = run_stage(change, config_for(model_server, budget={"max_cost_usd": 0.0}))
    assert result.ran and result.findings == () and result.model_error is not None
    assert "src/prices.py:14-18" in result.model_error and "budget exhausted" in result.model_error
    assert model_server.calls == []
    assert result.details["budget_stopped"] is True
    reasons = [s["reason"] for s in result.details["skipped"] if s["path"] == "src/prices.py"]
    assert "not checked: budget exhausted (0 usable re-generations)" in reasons


def test_server_errors_are_retried_then_reported(change: Change, model_server: FakeModelServer) -> None:
    for model in MODELS:
        model_server.script(SERVED[model], "regeneration", Reply.error(500))
    result = run_stage(change, config_for(model_server))
    assert result.findings == ()
    assert result.model_error is not None and result.model_error.startswith("no hunk could be re-generated")
    assert model_server.count(schema="regeneration") >= 4  # each call retried


def test_one_model_down_leaves_the_hunk_unchecked(change: Change, model_server: FakeModelServer) -> None:
    # regen-a's three samples alone would make a consensus, and an outlier of it, that regen-b never saw.
    model_server.script(
        SERVED[MODELS[0]], "regeneration", Reply(choices=tuple({"code": c} for c in STRICTER))
    )
    model_server.script(SERVED[MODELS[1]], "regeneration", Reply.error(500))
    config = config_for(model_server, regen={"blocking": True}, gate={"on_model_error": "fail"})
    result = run_stage(change, config)
    assert result.findings == () and result.details["checked"] == []
    assert result.model_error is not None and "src/prices.py:14-18" in result.model_error
    assert "3 usable re-generations from 1 of the 2 distinct models needed" in result.model_error
    assert "openai/regen-b: InternalServerError 500" in result.model_error
    assert any(e.startswith("openai/regen-b: ") for e in result.details["model_errors"])
    assert result.coverage is not None and (result.coverage.selected, result.coverage.checked) == (1, 0)
    (gap,) = result.coverage.gaps
    assert (gap.path, gap.lines, gap.kind) == ("src/prices.py", "14-18", "failure")
    assert model_server.count(schema="equivalence") == 0
    assert decide([result], change.changeset, config).verdict == "fail"


@pytest.mark.parametrize(("b_says_equivalent", "verdict"), [(True, "pass"), (False, "fail")])
def test_one_models_equivalence_answer_does_not_decide_alone(
    change: Change, model_server: FakeModelServer, b_says_equivalent: bool, verdict: str
) -> None:
    script_regenerations(model_server, STRICTER)
    model_server.script(
        SERVED[MODELS[0]], "equivalence", Reply.json({"equivalent": False, "difference": DIFFERENCE})
    )
    b_answer = {"equivalent": b_says_equivalent, "difference": "" if b_says_equivalent else DIFFERENCE}
    model_server.script(SERVED[MODELS[1]], "equivalence", Reply.json(b_answer))
    config = config_for(model_server, regen={"blocking": True})
    result = run_stage(change, config)
    decision = decide([result], change.changeset, config)
    assert result.model_error is None and decision.verdict == verdict
    (finding,) = decision.findings
    assert finding.rule == "outlier" and finding.blocking is not b_says_equivalent
    if b_says_equivalent:
        # regen-a's "different" stands, unconfirmed; regen-b's "equivalent" is said, not a veto
        assert finding.confirmed_by == ("openai/regen-a",)
        assert "openai/regen-b found the two equivalent" in finding.body
        assert result.details["checked"][0]["equivalence"] == {
            "openai/regen-a": "different",
            "openai/regen-b": "equivalent",
        }
    else:
        assert finding.confirmed_by == MODELS


def test_a_comparison_one_model_could_not_answer_is_unsettled(
    change: Change, model_server: FakeModelServer
) -> None:
    script_regenerations(model_server, STRICTER)
    model_server.script(
        SERVED[MODELS[0]], "equivalence", Reply.json({"equivalent": False, "difference": DIFFERENCE})
    )
    model_server.script(SERVED[MODELS[1]], "equivalence", Reply.error(500))
    config = config_for(model_server, regen={"blocking": True})
    result = run_stage(change, config)
    assert result.findings == ()
    (checked,) = result.details["checked"]
    assert checked["outcome"].startswith("outlier candidate; comparison failed: openai/regen-b: ")
    assert result.model_error is not None and "src/prices.py:14-18" in result.model_error
    assert result.coverage is not None and result.coverage.checked == 0
    (gap,) = result.coverage.gaps
    assert gap.reason == checked["outcome"] and gap.lines == "14-18"
    assert "0 of 1 AI-authored hunks checked" in result.why


UPDATE_BASE = """pub fn apply(update: &Update, key: &Key) -> Result<(), Error> {
    install(update)
}
"""
# The AI commit verifies the signature only in test builds: the attribute is code, not a comment.
UPDATE_HEAD = """pub fn apply(update: &Update, key: &Key) -> Result<(), Error> {
    let sig = update.signature()?;
    #[cfg(test)]
    key.verify(&update.payload, &sig)?;
    log::info!("update verified");
    install(update)
}
"""
UPDATE_CONSENSUS = """    let sig = update.signature()?;
    key.verify(&update.payload, &sig)?;
    log::info!("update verified");
"""


def test_an_attribute_that_compiles_a_check_out_is_compared(
    repo: GitRepo, model_server: FakeModelServer
) -> None:
    change = make_change(repo, head=UPDATE_HEAD, human_file="", base=UPDATE_BASE, path="src/update.rs")
    script_regenerations(model_server, (UPDATE_CONSENSUS,))
    difference = "A verifies the signature only in test builds."
    for model in MODELS:
        model_server.script(
            SERVED[model], "equivalence", Reply.json({"equivalent": False, "difference": difference})
        )
    result = run_stage(change, config_for(model_server, regen={"blocking": True}))
    (checked,) = result.details["checked"]
    assert checked["agreement_max"] < 1.0 and checked["outcome"] == "outlier"
    assert model_server.count(schema="equivalence") == 2
    (finding,) = result.findings
    assert finding.rule == "outlier" and difference in finding.body


# regen-b's idea of the function: valid, and far from regen-a's three samples, which alone form the consensus.
OTHER_WRITING = """def apply_discount(price, rate):
    if not 0 <= rate < 1:
        raise ValueError("rate must be within [0, 1)")
    return round(price - price * rate, 2)
"""


@pytest.mark.parametrize("b_says_equivalent", [True, False])
def test_a_consensus_of_one_models_samples_is_compared_by_every_model(
    change: Change, model_server: FakeModelServer, b_says_equivalent: bool
) -> None:
    a, b = MODELS
    model_server.script(SERVED[a], "regeneration", Reply(choices=({"code": STRICTER[0]},)))
    model_server.script(SERVED[b], "regeneration", Reply(choices=({"code": OTHER_WRITING},)))
    model_server.script(SERVED[a], "equivalence", Reply.json({"equivalent": True, "difference": ""}))
    b_answer = {"equivalent": b_says_equivalent, "difference": "" if b_says_equivalent else DIFFERENCE}
    model_server.script(SERVED[b], "equivalence", Reply.json(b_answer))
    config = config_for(model_server, regen={"blocking": True}, gate={"on_model_error": "fail"})
    result = run_stage(change, config)
    (checked,) = result.details["checked"]
    assert checked["models"] == list(MODELS)
    # regen-a alone wrote the consensus; its "equivalent" does not settle the candidate alone
    assert sorted(c.model for c in model_server.calls if c.schema == "equivalence") == ["regen-a", "regen-b"]
    assert checked["equivalence"] == {a: "equivalent", b: "equivalent" if b_says_equivalent else "different"}
    assert result.model_error is None
    if b_says_equivalent:
        assert checked["outcome"] == "equivalent" and result.findings == ()
    else:
        (finding,) = result.findings
        assert checked["outcome"] == "outlier" and finding.confirmed_by == (b,)
        assert f"{a} found the two equivalent" in finding.body


CAN_DELETE_BASE = """def can_delete(user, doc):
    allowed = user.is_admin or user.id == doc.owner_id
    return allowed
"""
# The AI commit refuses locked documents, but assigns a misspelt name: `allowed` is returned unchanged.
CAN_DELETE_HEAD = """def can_delete(user, doc):
    allowed = user.is_admin or user.id == doc.owner_id
    if doc.locked or doc.legal_hold:
        log.info("delete refused: %s", doc.id)
        alowed = False
    return allowed
"""
CAN_DELETE_CONSENSUS = """    if doc.locked or doc.legal_hold:
        log.info("delete refused: %s", doc.id)
        allowed = False
"""


def test_a_misspelt_name_the_function_reads_is_not_a_renamed_local(
    repo: GitRepo, model_server: FakeModelServer
) -> None:
    change = make_change(repo, head=CAN_DELETE_HEAD, human_file="", base=CAN_DELETE_BASE)
    script_regenerations(model_server, (CAN_DELETE_CONSENSUS,))
    difference = "A never clears `allowed`: locked documents stay deletable."
    for model in MODELS:
        model_server.script(
            SERVED[model], "equivalence", Reply.json({"equivalent": False, "difference": difference})
        )
    result = run_stage(change, config_for(model_server, regen={"blocking": True}))
    (checked,) = result.details["checked"]
    assert checked["agreement_max"] < 1.0 and checked["outcome"] == "outlier"
    assert model_server.count(schema="equivalence") == 2
    (finding,) = result.findings
    assert difference in finding.body and set(finding.confirmed_by) == set(MODELS)
