"""Noise stays out of the diff: inline review comments carry confirmed and deterministic findings; a
model finding the cross-check refused is listed in the summary as disputed (who raised it, who refused
it), and `post.unconfirmed` moves it inline or out of the summary. Through `ai-gate github`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fakes.fixtures import model_server
from tests.fakes.github_server import FakeGitHub
from tests.fakes.model_server import FakeModelServer, Reply, judge
from tests.github.conftest import pull_from_git
from tests.github.test_action_e2e import run_gate
from tests.github.test_neutral import model_env
from tests.gitrepo import GitRepo
from tests.review.scenario import BASE, HEAD, PLANTED_A, PLANTED_B, SPURIOUS_C

__all__ = ["model_server"]

MODELS = ("openai/model-a", "openai/model-b", "openai/model-c")


def scripted_pr(tmp_path: Path, github: FakeGitHub, server: FakeModelServer, **post: str) -> Path:
    """a and b raise the planted defect; c raises a spurious finding that a and b refuse."""
    repo = GitRepo(tmp_path / "origin")
    repo.write("shop/pay.py", BASE)
    repo.write(".github/ai-gate.yml", yaml.safe_dump({**server.review_config(MODELS), "post": post}))
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("shop/pay.py", HEAD)
    head = repo.commit("Add refunds and discounts")
    pull_from_git(github, repo, base, head, number=7)
    server.script("model-a", "review", Reply.json({"findings": [PLANTED_A]}))
    server.script("model-b", "review", Reply.json({"findings": [PLANTED_B]}))
    server.script("model-c", "review", Reply.json({"findings": [SPURIOUS_C]}))
    for name in ("model-a", "model-b", "model-c"):
        server.script(name, "cross_check", judge(lambda title: "float" in title.lower()))
    workspace = tmp_path / "ws"
    workspace.mkdir()
    return workspace


def run(tmp_path: Path, github: FakeGitHub, workspace: Path) -> dict[str, Any]:
    proc = run_gate(model_env(github, tmp_path, workspace), workspace)
    assert proc.returncode == 1, proc.stderr  # the planted defect is confirmed by two models
    report: dict[str, Any] = json.loads((workspace / ".ai-gate" / "report.json").read_text())
    return report


def test_a_refused_finding_is_disputed_in_the_summary_and_never_inline(
    tmp_path: Path, github: FakeGitHub, model_server: FakeModelServer
) -> None:
    report = run(tmp_path, github, scripted_pr(tmp_path, github, model_server))
    spurious = next(f for f in report["findings"] if f["title"] == SPURIOUS_C["title"])
    assert spurious["commentable"] and not spurious["inline"] and spurious["disputed"]
    assert spurious["raised_by"] == ["openai/model-c"]
    assert spurious["refused_by"] == ["openai/model-a", "openai/model-b"]
    assert report["post"] == {"unconfirmed": "summary"}
    comments = github.review_comments[7]
    assert [c["path"] for c in comments] == ["shop/pay.py"]
    assert "float" in comments[0]["body"] and SPURIOUS_C["title"] not in comments[0]["body"]
    assert "Confirmed by: openai/model-a, openai/model-b" in comments[0]["body"]
    summary = github.issue_comments[7][0]["body"]
    disputed = summary[summary.index("### Disputed (1)") :]
    assert SPURIOUS_C["title"] in disputed
    assert "| openai/model-c | openai/model-a, openai/model-b |" in disputed
    (run_,) = github.check_runs.values()
    annotated = [a["title"] + a["message"] for a in run_["output"]["annotations"]]
    assert annotated and not any(SPURIOUS_C["title"] in a for a in annotated), "disputed, yet in the diff"


@pytest.mark.parametrize("where", ["inline", "none"])
def test_post_unconfirmed_moves_them_inline_or_out_of_the_summary(
    where: str, tmp_path: Path, github: FakeGitHub, model_server: FakeModelServer
) -> None:
    report = run(tmp_path, github, scripted_pr(tmp_path, github, model_server, unconfirmed=where))
    spurious = next(f for f in report["findings"] if f["title"] == SPURIOUS_C["title"])
    assert spurious["disputed"] and spurious["inline"] is (where == "inline")
    bodies = [c["body"] for c in github.review_comments[7]]
    summary = github.issue_comments[7][0]["body"]
    if where == "inline":
        (said,) = [b for b in bodies if SPURIOUS_C["title"] in b]
        assert "Not confirmed: raised by openai/model-c; refused by openai/model-a, openai/model-b" in said
        assert "### Disputed (1)" in summary
        (run_,) = github.check_runs.values()
        assert any(SPURIOUS_C["title"] in a["title"] + a["message"] for a in run_["output"]["annotations"])
    else:
        assert len(bodies) == 1 and SPURIOUS_C["title"] not in bodies[0]
        assert SPURIOUS_C["title"] not in summary and "Disputed" not in summary
