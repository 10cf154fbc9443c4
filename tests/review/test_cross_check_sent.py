"""A cross-check verdict counts only on a finding its own call was sent: through the real review stage, real
litellm and two scripted models on loopback.

fake-a raises twenty low nitpicks and one real high finding, more than one cross-check call carries
(`CROSS_CHECK_BATCH`), so fake-b is asked about the real one (F21) alone in a second call. A verdict on
F21 that fake-b slips into its first call, where it was never shown F21, is ignored and counted: it can
neither refuse the finding ahead of the call that did show it, nor stand in for that call when it fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gate.replay import replay_trace
from gate.review.flow import CROSS_CHECK_BATCH
from tests.fakes.model_server import FakeModelServer, Reply, sent_findings
from tests.review.scenario import PLANTED_A, config_for, gate, make_repo, review_findings, stage

TWO = ("openai/fake-a", "openai/fake-b")
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
WORDS += ["kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"]
# On line 13 only, so they sort before the real finding (lines 13-14), which becomes F21.
NITS = [
    {
        "path": "shop/pay.py",
        "start_line": 13,
        "end_line": 13,
        "severity": "low",
        "category": "style",
        "title": f"{w} wording nitpick {w}",
        "body": f"{w} {w}",
        "suggestion": None,
    }
    for w in WORDS
]
REAL = "F21"
STRAY_NOTE = "1 cross-check verdict(s) ignored: on findings not sent in that call"


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "2")


def with_stray_refusal(second: Reply) -> Any:
    """fake-b's cross-check: the call that carries F21 answers `second`; the other refuses the nitpicks it
    was sent and F21 too, which it was not sent."""

    def answer(body: dict[str, Any]) -> Reply:
        ids = [fid for fid, _ in sent_findings(body)]
        if REAL in ids:
            return second
        verdicts = [{"id": fid, "agree": False, "reason": "a nitpick"} for fid in ids]
        verdicts.append({"id": REAL, "agree": False, "reason": "not shown to me, but no"})
        return Reply.json({"verdicts": verdicts})

    return answer


def run(model_server: FakeModelServer, tmp_path: Path, second: Reply) -> tuple[Any, Path]:
    assert len(NITS) == CROSS_CHECK_BATCH
    model_server.script("fake-a", "review", Reply.json({"findings": [*NITS, PLANTED_A]}))
    model_server.script("fake-b", "cross_check", with_stray_refusal(second))
    trace = tmp_path / "trace.jsonl"
    config = config_for(model_server, models=TWO, gate={"on_model_error": "fail"})
    outcome = gate(make_repo(tmp_path / "repo"), config, trace)
    sent = {
        tuple(fid for fid, _ in sent_findings(c.body))
        for c in model_server.calls
        if c.schema == "cross_check"
    }
    assert (REAL,) in sent and any(len(ids) == CROSS_CHECK_BATCH and REAL not in ids for ids in sent)
    return outcome, trace


def real_finding(outcome: Any) -> Any:
    (finding,) = [f for f in review_findings(outcome) if f.title == PLANTED_A["title"]]
    assert dict(finding.extra)["group"] == REAL
    return finding


def test_a_verdict_on_a_finding_another_call_carried_does_not_refuse_it(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    """fake-b agrees with F21 in the call that showed it: the refusal it gave blind, earlier, is ignored."""
    agree = Reply.json({"verdicts": [{"id": REAL, "agree": True, "reason": "float loses cents"}]})
    outcome, trace = run(model_server, tmp_path, agree)
    finding = real_finding(outcome)
    assert finding.confirmed_by == TWO and finding.blocking
    assert dict(finding.extra)["disagreed_by"] == ""
    assert outcome.verdict == "fail"
    result = stage(outcome)
    assert result.model_error is None and STRAY_NOTE in result.details["notes"]
    assert result.details["cross_check_sent"]["openai/fake-b"]["cross-check-2"] == [REAL]
    replayed = replay_trace(trace)
    assert replayed.verdict == "fail" and not any("differ" in n for n in replayed.notes)


def test_a_verdict_on_a_finding_another_call_carried_does_not_decide_it_when_that_call_fails(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    """fake-b's call that showed F21 fails: F21 was not decided, whatever fake-b said of it elsewhere."""
    outcome, trace = run(model_server, tmp_path, Reply.error(500))
    finding = real_finding(outcome)
    assert finding.confirmed_by == ("openai/fake-a",) and not finding.blocking
    assert dict(finding.extra)["disagreed_by"] == ""
    result = stage(outcome)
    error = result.model_error or ""
    assert error.startswith("1 finding(s) at or above 'high' not decided by 2 distinct models")
    assert f"{REAL} 'Refund converts money amount to float'" in error
    assert "openai/fake-b: InternalServerError 500" in error
    (undecided,) = result.details["undecided_findings"]
    assert undecided["group"] == REAL and undecided["verdicts_from"] == []
    assert STRAY_NOTE in result.details["notes"]
    assert outcome.verdict == "fail"
    replayed = replay_trace(trace)
    assert replayed.verdict == "fail" and not any("differ" in n for n in replayed.notes)
