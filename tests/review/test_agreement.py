"""A confirmed finding is in one model's words, but its lines and its one-click fix are what its raisers
agree on: a change fewer than the quorum of them gave is shown as that model's and never offered to
apply in one click, and one model's wide range cannot move a blocking finding off the lines the others
name. Through the review with scripted models on loopback, and the inline comment the finding makes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gate.github.review import comment_body
from gate.review.state import keep
from gate.schema.finding import ReportFinding
from tests.fakes.model_server import FakeModelServer, Reply
from tests.review.scenario import PLANTED_A, config_for, gate, make_repo, review_findings

# `value = float(amount)` on line 12 of the head file; both models name the issue alike.
FLOAT = {**PLANTED_A, "start_line": 12, "end_line": 12, "suggestion": None}
# A "fix" that also drops the cents, and the fix alone.
ROUNDS_CENTS = '    value = Decimal(str(amount)).quantize(Decimal("1"))'
FIX = "    value = Decimal(str(amount))"


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


def test_one_models_fix_is_shown_as_its_own_and_not_offered_in_one_click(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    # Equal ratings: fake-a leads (the earlier name), so the words, and once the fix, are fake-a's.
    finding = reviewed(
        model_server, tmp_path, {**FLOAT, "suggestion": ROUNDS_CENTS}, {**FLOAT, "suggestion": FIX}
    )
    assert finding.suggestion == ROUNDS_CENTS
    assert dict(finding.extra)["suggested_by"] == "openai/fake-a"
    body = comment_body(ReportFinding.of(finding))
    assert "```suggestion" not in body
    assert f"Suggested by openai/fake-a (not confirmed):\n```\n{ROUNDS_CENTS}\n```" in body
    # the issue is confirmed by both; the words are one model's, and the comment says whose
    assert body.endswith("Confirmed by: openai/fake-a, openai/fake-b; worded by openai/fake-a")
    # the state the next run starts from does not keep it: carried over, it would read as confirmed
    kept = keep(finding, None)
    assert kept is not None and kept.suggestion is None


@pytest.mark.parametrize(
    ("other", "one_click"),
    [
        ("    value  =  Decimal(str(amount))   \n\n", True),  # whitespace aside, the same change
        ("value = Decimal(str(amount))", False),  # not indented: another change to the lines
    ],
)
def test_a_fix_a_quorum_gave_is_offered_in_one_click_as_the_lead_wrote_it(
    other: str, one_click: bool, model_server: FakeModelServer, tmp_path: Path
) -> None:
    finding = reviewed(model_server, tmp_path, {**FLOAT, "suggestion": FIX}, {**FLOAT, "suggestion": other})
    assert finding.suggestion == FIX
    body = comment_body(ReportFinding.of(finding))
    assert (f"```suggestion\n{FIX}\n```" in body) is one_click
    assert ("Suggested by openai/fake-a (not confirmed):" in body) is not one_click
    assert "Confirmed by: openai/fake-a, openai/fake-b; worded by openai/fake-a" in body


def test_a_fix_only_another_raiser_gave_is_shown_as_its_own(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    finding = reviewed(model_server, tmp_path, FLOAT, {**FLOAT, "suggestion": FIX})
    assert finding.suggestion == FIX and dict(finding.extra)["suggested_by"] == "openai/fake-b"
    body = comment_body(ReportFinding.of(finding))
    assert "```suggestion" not in body and "Suggested by openai/fake-b (not confirmed):" in body


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


def test_one_fix_given_for_different_lines_is_not_offered_in_one_click(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    """fake-a gives the two-line fix for lines 11-12, fake-b the same fix for lines 12-13: the finding is
    on line 12, where both meet, and neither wrote the change for that one line. Offered in one click it
    would replace one line with two, so it is shown as theirs, unconfirmed."""
    fix = "    value = Decimal(str(amount))\n    value = value.quantize(Decimal('0.01'))"
    finding = reviewed(
        model_server,
        tmp_path,
        {**FLOAT, "start_line": 11, "end_line": 12, "suggestion": fix},
        {**FLOAT, "start_line": 12, "end_line": 13, "suggestion": fix},
    )
    assert (finding.location.start_line, finding.location.end_line) == (12, 12)
    assert dict(finding.extra)["suggested_by"] == "openai/fake-a"
    assert "```suggestion" not in comment_body(ReportFinding.of(finding))


def test_a_fix_for_lines_the_chunk_did_not_show_is_not_offered(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    """Both models give the same fix for lines 1-12, of which the chunk showed the hunk only: the finding is
    kept to the lines shown, and a fix written for the lines above them is not put on these."""
    wide = {**FLOAT, "start_line": 1, "end_line": 12, "suggestion": FIX}
    finding = reviewed(model_server, tmp_path, wide, wide)
    assert finding.location.start_line > 1 and finding.location.end_line == 12
    assert finding.suggestion is None
    assert "```suggestion" not in comment_body(ReportFinding.of(finding))
