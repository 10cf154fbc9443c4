"""What the cross-check must decide, and what happens when it cannot: through the real review stage, real
litellm and three scripted models on loopback.

A finding one model raised at or above `gate.fail_on` blocks only if another model agrees; when the
others' cross-check calls fail, answer without its id, or never start for the budget, the finding was
not decided, and that is a model error, never a quiet pass. A raiser that rates a finding lower cannot
pull it under `fail_on` without the other models deciding. Findings on code the chunk did not show are
left out.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.cli import main
from gate.replay import replay_trace
from gate.report import coverage
from tests.fakes.model_server import FakeModelServer, Reply, judge
from tests.review.scenario import PLANTED_A, config_for, gate, make_repo, review_findings, stage


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "2")


NO_ANSWER = {
    "500": (Reply.error(500), "InternalServerError 500"),
    "junk": (Reply.text("not json at all"), "dropped: invalid answer twice"),
    "id left out": (Reply.json({"verdicts": []}), "its answer gave no verdict on F1"),
}


@pytest.mark.parametrize("fault", NO_ANSWER)
def test_a_finding_no_other_model_could_judge_is_a_model_error(
    fault: str, model_server: FakeModelServer, tmp_path: Path
) -> None:
    reply, why = NO_ANSWER[fault]
    model_server.script("fake-a", "review", Reply.json({"findings": [PLANTED_A]}))
    for name in ("fake-b", "fake-c"):
        model_server.script(name, "cross_check", reply)
    trace = tmp_path / "trace.jsonl"
    outcome = gate(
        make_repo(tmp_path / "repo"), config_for(model_server, gate={"on_model_error": "fail"}), trace
    )
    assert outcome.verdict == "fail"
    (finding,) = review_findings(outcome)
    assert finding.confirmed_by == ("openai/fake-a",) and not finding.blocking
    result = stage(outcome)
    error = result.model_error or ""
    assert error.startswith("1 finding(s) at or above 'high' not decided by 2 distinct models")
    assert "F1 'Refund converts money amount to float' (shop/pay.py:13-14, high" in error
    assert f"openai/fake-b: {why}" in error and f"openai/fake-c: {why}" in error
    (undecided,) = result.details["undecided_findings"]
    assert undecided["group"] == "F1" and undecided["needed"] == 1 and undecided["verdicts_from"] == []
    assert set(undecided["missing"]) == {"openai/fake-b", "openai/fake-c"}
    (gap,) = coverage.of(outcome).gaps
    assert (gap.stage, gap.kind, gap.path, gap.lines) == ("review", "failure", "shop/pay.py", "13-14")
    assert gap.reason.startswith("finding F1 (Refund converts money amount to float) not decided by 2")
    # the replay reaches the same verdict from the recorded answers
    assert replay_trace(trace).verdict == "fail"

    neutral = gate(make_repo(tmp_path / "again"), config_for(model_server))
    assert neutral.verdict == "neutral"


def test_one_model_answering_decides_and_is_no_model_error(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    """A refusal is a decision: with fake-b's verdict and fake-c down, two models of the quorum of 2 have
    judged the finding."""
    model_server.script("fake-a", "review", Reply.json({"findings": [PLANTED_A]}))
    model_server.script("fake-b", "cross_check", judge(lambda title: False))
    model_server.script("fake-c", "cross_check", Reply.error(500))
    outcome = gate(make_repo(tmp_path / "repo"), config_for(model_server, gate={"on_model_error": "fail"}))
    assert stage(outcome).model_error is None and stage(outcome).details["undecided_findings"] == []
    assert outcome.verdict == "pass"


def test_a_finding_below_fail_on_needs_no_decision(model_server: FakeModelServer, tmp_path: Path) -> None:
    model_server.script("fake-a", "review", Reply.json({"findings": [{**PLANTED_A, "severity": "medium"}]}))
    for name in ("fake-b", "fake-c"):
        model_server.script(name, "cross_check", Reply.error(500))
    outcome = gate(make_repo(tmp_path / "repo"), config_for(model_server, gate={"on_model_error": "fail"}))
    assert stage(outcome).model_error is None and stage(outcome).details["undecided_findings"] == []
    assert outcome.verdict == "pass"


def test_a_budget_spent_on_the_review_round_leaves_the_finding_undecided(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    """Each review call costs $0.005 and holds about $0.009 before it starts: the three reviews fit in
    $0.021 one after another, the cross-check calls after them do not."""
    model_server.prompt_tokens_per_call = 5_000
    model_server.script("fake-a", "review", Reply.json({"findings": [PLANTED_A]}))
    for name in ("fake-b", "fake-c"):
        model_server.script(name, "cross_check", judge(lambda title: True))
    config = config_for(model_server, gate={"on_model_error": "fail"}, budget={"max_cost_usd": 0.021})
    outcome = gate(make_repo(tmp_path / "repo"), config)
    assert model_server.count(schema="review") == 3 and model_server.count(schema="cross_check") == 0
    result = stage(outcome)
    assert result.details["unreviewed_chunks"] == []  # the review round itself was complete
    error = result.model_error or ""
    assert "not decided by 2 distinct models" in error
    assert "openai/fake-b: not started: budget exhausted" in error
    assert outcome.verdict == "fail"


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


def test_a_severity_the_others_could_not_decide_is_a_model_error(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    model_server.script("fake-a", "review", Reply.json({"findings": [PLANTED_A]}))
    model_server.script("fake-b", "review", Reply.json({"findings": [ECHO_AT_INFO]}))
    model_server.script("fake-c", "cross_check", Reply.error(500))
    outcome = gate(make_repo(tmp_path / "repo"), config_for(model_server, gate={"on_model_error": "fail"}))
    assert outcome.verdict == "fail"
    (undecided,) = stage(outcome).details["undecided_findings"]
    assert undecided["raised_by"] == ["openai/fake-a", "openai/fake-b"]
    assert undecided["claimed_by"] == ["openai/fake-a"] and list(undecided["missing"]) == ["openai/fake-c"]


OUTSIDE = [
    {**PLANTED_A, "path": "etc/passwd", "start_line": 1, "end_line": 1},  # not in the change
    {**PLANTED_A, "path": "shop/pay.py", "start_line": 900, "end_line": 901},  # past the lines shown
]


def test_findings_on_code_the_chunk_did_not_show_are_left_out_and_counted(
    model_server: FakeModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = {**PLANTED_A, "title": "Refund balance may go negative", "start_line": 14, "end_line": 400}
    for name in ("fake-a", "fake-b"):
        model_server.script(name, "review", Reply.json({"findings": [*OUTSIDE, kept]}))
    trace = tmp_path / "trace.jsonl"
    outcome = gate(make_repo(tmp_path / "repo"), config_for(model_server), trace)
    # a range that takes in a line the chunk showed is kept
    (finding,) = review_findings(outcome)
    assert finding.title == "Refund balance may go negative" and finding.confirmed
    result = stage(outcome)
    assert result.details["outside_findings"] == 4
    assert (
        "4 finding(s) ignored: on code their chunk did not show (etc/passwd:1-1, shop/pay.py:900-901)"
        in result.details["notes"]
    )
    (chunk,) = result.details["chunks"]
    assert chunk["lines"] == ["shop/pay.py:4-18"]
    replayed = replay_trace(trace)
    assert [f.title for f in replayed.findings if f.stage == "review"] == [finding.title]
    assert not any("differ" in n for n in replayed.notes)
    assert main(["replay", str(trace), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [f["path"] for f in report["findings"] if f["stage"] == "review"] == ["shop/pay.py"]
