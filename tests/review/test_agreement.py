"""A confirmed finding is in one model's words, but its lines are what its raisers agree on: one model's
wide range cannot move a blocking finding off the lines the others name. Through the review with
scripted models on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fakes.model_server import FakeModelServer, Reply
from tests.review.scenario import PLANTED_A, config_for, gate, make_repo, review_findings

# `value = float(amount)` on line 12 of the head file; both models name the issue alike.
FLOAT = {**PLANTED_A, "start_line": 12, "end_line": 12, "suggestion": None}


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.05")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "2")


def reviewed(server: FakeModelServer, tmp_path: Path, a: dict[str, Any], b: dict[str, Any]) -> Any:
    """The one review finding when fake-a raises `a` and fake-b raises `b` (fake-c raises nothing)."""
    server.script("fake-a", "review", Reply.json({"findings": [a]}))
    server.script("fake-b", "review", Reply.json({"findings": [b]}))
    outcome = gate(make_repo(tmp_path / "repo"), config_for(server))
    (finding,) = review_findings(outcome)
    assert finding.confirmed_by == ("openai/fake-a", "openai/fake-b") and finding.blocking
    return finding


@pytest.mark.parametrize(
    ("lines_a", "lines_b", "agreed"),
    [
        # fake-a (the lead) names lines 1-12; the hunk is shown from line 4, and line 12 is what both name
        ((1, 12), (12, 12), (12, 12)),
        # ranges a line apart: from the earlier start to the later end, both models' lines
        ((12, 12), (14, 14), (12, 14)),
        # a range written backwards is read forwards
        ((13, 12), (12, 13), (12, 13)),
    ],
)
def test_a_confirmed_finding_is_on_the_lines_its_raisers_agree_on_and_inline(
    lines_a: tuple[int, int],
    lines_b: tuple[int, int],
    agreed: tuple[int, int],
    model_server: FakeModelServer,
    tmp_path: Path,
) -> None:
    a = {**FLOAT, "start_line": lines_a[0], "end_line": lines_a[1]}
    b = {**FLOAT, "start_line": lines_b[0], "end_line": lines_b[1]}
    finding = reviewed(model_server, tmp_path, a, b)
    assert (finding.location.start_line, finding.location.end_line) == agreed
    assert finding.commentable and finding.inline
