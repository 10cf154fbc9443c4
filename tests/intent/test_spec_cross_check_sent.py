"""The spec stage's cross-check counts a verdict only on a contradiction its own call was sent: a real git PR
on the loopback GitHub, the real litellm over HTTP to three scripted models.

fake-a alone says the change contradicts 21 statements, more than one cross-check call carries, so
fake-b and fake-c are asked about the last one (C21) alone in a second call. A verdict on C21 slipped
into the first call, where C21 was not shown, is ignored and counted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gate.replay import replay_trace
from gate.review.flow import CROSS_CHECK_BATCH
from tests.fakes.github_server import FakeGitHub
from tests.fakes.model_server import FakeModelServer, Reply, sent_findings
from tests.intent import scenario as sc

COUNT = CROSS_CHECK_BATCH + 1
LAST = f"C{COUNT}"
STATEMENTS = [f"refund rule {i}: the amount stays a Decimal through step {i}" for i in range(1, COUNT + 1)]


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "2")
    monkeypatch.delenv("AI_GATE_CACHE_DIR", raising=False)


def judgments(contradict: bool) -> dict[str, Any]:
    where = {"path": "shop/pay.py", "start_line": 12, "end_line": 13} if contradict else {}
    return {
        "judgments": [
            {
                "id": f"R{i}",
                "verdict": "contradicted" if contradict else "kept",
                "path": None,
                "start_line": None,
                "end_line": None,
                **where,
                "reason": "the refund converts the amount to float" if contradict else "fine",
            }
            for i in range(1, COUNT + 1)
        ]
    }


def with_stray_refusal(last: Reply) -> Any:
    """A cross-check: the call that carries C21 answers `last`; the other refuses what it was sent and
    C21 too, which it was not sent."""

    def answer(body: dict[str, Any]) -> Reply:
        ids = [fid for fid, _ in sent_findings(body)]
        if LAST in ids:
            return last
        verdicts = [{"id": fid, "agree": False, "reason": "kept"} for fid in ids]
        verdicts.append({"id": LAST, "agree": False, "reason": "not shown to me, but no"})
        return Reply.json({"verdicts": verdicts})

    return answer


AGREE = Reply.json({"verdicts": [{"id": LAST, "agree": True, "reason": "float is used"}]})
REFUSE = Reply.json({"verdicts": [{"id": LAST, "agree": False, "reason": "kept"}]})
CASES = {
    # b agrees with C21 in the call that showed it, c refuses it there: b's blind refusal does not count
    "agreed where shown": ({"fake-b": with_stray_refusal(AGREE), "fake-c": with_stray_refusal(REFUSE)}, None),
    # the calls that showed C21 fail: C21 is undecided, whatever was said of it elsewhere
    "calls that showed it fail": (
        {name: with_stray_refusal(Reply.error(500)) for name in ("fake-b", "fake-c")},
        "1 finding(s) at or above 'high' not decided by 2 distinct models",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_cross_check_verdict_on_a_contradiction_not_sent_in_that_call_is_ignored(
    case: str, github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    scripts, error = CASES[case]
    requirements = [{"source": "S1", "statement": s} for s in STATEMENTS]
    model_server.script("fake-a", "spec_extract", Reply.json({"requirements": requirements}))
    for name in ("fake-a", "fake-b", "fake-c"):
        model_server.script(name, "spec_check", Reply.json(judgments(name == "fake-a")))
    for name, script in scripts.items():
        model_server.script(name, "cross_check", script)
    repo = sc.make_pr(tmp_path / "repo", github)
    trace = tmp_path / "trace.jsonl"
    outcome = sc.gate(github, repo, sc.config_for(model_server, gate={"on_model_error": "fail"}), trace)

    sent = [
        tuple(i for i, _ in sent_findings(c.body)) for c in model_server.calls if c.schema == "cross_check"
    ]
    assert (LAST,) in sent and any(len(ids) == CROSS_CHECK_BATCH and LAST not in ids for ids in sent)
    stage = sc.spec_stage(outcome)
    (last,) = [f for f in sc.spec_findings(outcome) if dict(f.extra)["group"] == LAST]
    assert outcome.verdict == "fail"
    if error is None:
        assert last.confirmed_by == ("openai/fake-a", "openai/fake-b") and last.blocking
        assert dict(last.extra)["disagreed_by"] == "openai/fake-c"
        assert stage.model_error is None
    else:
        assert last.confirmed_by == ("openai/fake-a",) and not last.blocking
        assert dict(last.extra)["disagreed_by"] == ""
        assert (stage.model_error or "").startswith(error)
        (undecided,) = stage.details["undecided_findings"]
        assert undecided["group"] == LAST and undecided["verdicts_from"] == []
    assert stage.details["cross_check_sent"]["openai/fake-b"]["cross-check-2"] == [LAST]
    assert "2 cross-check verdict(s) ignored: on findings not sent in that call" in stage.details["notes"]
    replayed = replay_trace(trace)
    assert replayed.verdict == "fail" and not any("differ" in n for n in replayed.notes)
