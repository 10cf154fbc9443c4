"""The inline comment of a finding two models confirm: on the line both name, never on the wider range the
model that leads it gave, and with that model's fix shown as its own rather than as a confirmed change to
apply in one click. Through `ai-gate github`."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.fakes.fixtures import model_server
from tests.fakes.github_server import FakeGitHub
from tests.fakes.model_server import FakeModelServer, Reply
from tests.github.conftest import pull_from_git
from tests.github.test_action_e2e import run_gate
from tests.github.test_neutral import model_env
from tests.gitrepo import GitRepo
from tests.review.scenario import BASE, HEAD, PLANTED_A

__all__ = ["model_server"]

MODELS = ("openai/model-a", "openai/model-b", "openai/model-c")
FIX = "    value = Decimal(str(amount))"
# `value = float(amount)` is line 12 of the head file. model-a leads (equal ratings, the earlier name):
# it names lines 10-12, and its fix also turns off the rounding check the caller relies on.
FROM_A = {
    **PLANTED_A,
    "start_line": 10,
    "end_line": 12,
    "suggestion": FIX + "; order.check_rounding = False",
}
FROM_B = {**PLANTED_A, "start_line": 12, "end_line": 12, "suggestion": FIX}


def test_a_confirmed_finding_is_commented_on_the_agreed_line_with_one_models_fix_as_its_own(
    tmp_path: Path, github: FakeGitHub, model_server: FakeModelServer
) -> None:
    repo = GitRepo(tmp_path / "origin")
    repo.write("shop/pay.py", BASE)
    repo.write(".github/ai-gate.yml", yaml.safe_dump(model_server.review_config(MODELS)))
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("shop/pay.py", HEAD)
    head = repo.commit("Add refunds and discounts")
    pull_from_git(github, repo, base, head, number=7)
    model_server.script("model-a", "review", Reply.json({"findings": [FROM_A]}))
    model_server.script("model-b", "review", Reply.json({"findings": [FROM_B]}))
    workspace = tmp_path / "ws"
    workspace.mkdir()
    proc = run_gate(model_env(github, tmp_path, workspace), workspace)
    assert proc.returncode == 1, proc.stderr
    report = json.loads((workspace / ".ai-gate" / "report.json").read_text())
    (finding,) = [f for f in report["findings"] if f["stage"] == "review"]
    assert (finding["start_line"], finding["end_line"]) == (12, 12) and finding["blocking"]
    assert finding["suggested_by"] == ["openai/model-a"] and finding["worded_by"] == "openai/model-a"
    (comment,) = github.review_comments[7]
    assert (comment["path"], comment["start_line"], comment["line"]) == ("shop/pay.py", None, 12)
    body = comment["body"]
    assert "```suggestion" not in body
    assert "Suggested by openai/model-a (not confirmed):\n```\n" + FROM_A["suggestion"] in body
    assert "Confirmed by: openai/model-a, openai/model-b; worded by openai/model-a" in body
