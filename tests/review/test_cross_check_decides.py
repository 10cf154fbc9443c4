"""What the cross-check must decide: through the real review stage, real litellm and three scripted
models on loopback.

A raiser that rates a finding lower cannot pull it under `gate.fail_on` without the other models
deciding.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.replay import replay_trace
from tests.fakes.model_server import FakeModelServer, Reply, judge
from tests.review.scenario import PLANTED_A, config_for, gate, make_repo, review_findings, stage


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "2")


ECHO_AT_INFO = {**PLANTED_A, "severity": "info"}


@pytest.mark.parametrize(
    ("fake_c", "verdict"),
    [
        (judge(lambda title: True), "fail"),  # c stands behind the high claim: a quorum of 2 for high
        (judge(lambda title: False), "pass"),  # c refuses: a and b stand behind info only
    ],
    ids=["c agrees", "c refuses"],
)
def test_a_model_echoing_a_finding_at_info_cannot_veto_it(
    fake_c: Reply, verdict: str, model_server: FakeModelServer, tmp_path: Path
) -> None:
    model_server.script("fake-a", "review", Reply.json({"findings": [PLANTED_A]}))
    model_server.script("fake-b", "review", Reply.json({"findings": [ECHO_AT_INFO]}))
    model_server.script("fake-b", "cross_check", judge(lambda title: False))
    model_server.script("fake-c", "cross_check", fake_c)
    trace = tmp_path / "trace.jsonl"
    outcome = gate(make_repo(tmp_path / "repo"), config_for(model_server), trace)
    assert outcome.verdict == verdict
    (finding,) = review_findings(outcome)
    assert finding.confirmed  # a and b raised it: the issue is confirmed either way
    assert finding.severity.value == ("high" if verdict == "fail" else "info")
    # the split group went to the cross-check as a's high finding, to the model that did not raise it
    (check,) = [c for c in model_server.calls if c.schema == "cross_check"]
    assert check.model == "fake-c" and '"severity": "high"' in check.last_user
    assert stage(outcome).model_error is None
    replayed = replay_trace(trace)
    assert replayed.verdict == verdict and not any("differ" in n for n in replayed.notes)
