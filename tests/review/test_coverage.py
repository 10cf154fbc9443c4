"""The report's coverage for the review: a budget that stops calls and a follow-up that re-sends only
what changed are both said per file, through the real review stage and the scripted models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.cli import main
from gate.context.local_git import load_git_changeset
from gate.report import coverage
from gate.review.coverage import NOT_SENT, review_coverage
from tests.fakes.model_server import FakeModelServer
from tests.review import incremental_scenario as sc
from tests.review.scenario import config_for, gate, make_repo


def test_a_budget_that_stops_calls_is_a_coverage_gap_with_the_reason(
    model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")
    # Each call's answer reserve alone is over $0.01 at these models' prices: no call may start.
    models = ("openai/gpt-4.1", "openai/gpt-4o")
    outcome = gate(
        make_repo(tmp_path / "repo"), config_for(model_server, models, budget={"max_cost_usd": 0.01})
    )
    assert model_server.count() == 0
    cov = coverage.of(outcome)
    assert not cov.complete and cov.review == "reviewed"
    assert [(f.path, f.models) for f in cov.reviewed] == [("shop/pay.py", ())]
    (gap,) = cov.gaps
    assert gap.stage == "review" and gap.kind == "failure" and gap.path == "shop/pay.py"
    assert gap.reason.startswith("reviewed by 0 of the 2 models required")
    assert "budget.max_cost_usd" in gap.reason and "does not fit" in gap.reason


def test_a_follow_up_says_which_files_were_reviewed_on_the_earlier_run(
    model_server: FakeModelServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, cfg = sc.prepare(model_server, tmp_path, monkeypatch)
    argv = ["check", "--repo", str(repo.root), "--base", "main", "--config", str(cfg), "--format", "json"]
    main([*argv, "--head", "pr"])
    first = tmp_path / "first.json"
    first.write_text(capsys.readouterr().out)
    main([*argv, "--head", "pr2", "--previous-report", str(first)])
    cov = json.loads(capsys.readouterr().out)["coverage"]
    assert cov["gaps"] == []
    again = {f["path"] for f in cov["reviewed"] if not f["earlier"]}
    assert again == {"pkg/mod01.py", "pkg/mod03.py", "pkg/new.py"}
    earlier = [f for f in cov["reviewed"] if f["earlier"]]
    assert earlier and all(
        f["models"] == sorted(sc.MODELS) or f["models"] == list(sc.MODELS) for f in earlier
    )
    main([*argv, "--head", "pr2", "--previous-report", str(first), "--format", "markdown"])
    text = capsys.readouterr().out
    assert f", {len(earlier)} of them unchanged since the previous review)" in text


def test_a_file_neither_sent_nor_reviewed_earlier_is_a_gap(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    diff = load_git_changeset(repo.root, "main", "feature").diff
    (path,) = [f.path for f in diff.files]
    nothing = review_coverage(diff, sc.MODELS, 2, (), {}, frozenset(), ())
    assert [(f.path, f.models, f.earlier) for f in nothing.reviewed] == [(path, (), False)]
    assert [(g.kind, g.path, g.reason) for g in nothing.gaps] == [("failure", path, NOT_SENT)]
    before = review_coverage(diff, sc.MODELS, 2, (), {}, frozenset({path}), ())
    assert [(f.path, f.models, f.earlier) for f in before.reviewed] == [(path, sc.MODELS, True)]
    assert before.gaps == ()
