"""Neutral says what it is: a model outage, no model key (a fork's PR without secrets) or a broken stage
is never posted as a plain pass. The check run concludes `neutral` with a title that begins with what
was not checked; the commit status (no neutral state) is `success` with a description that begins
`not reviewed:` / `not fully reviewed:`, within GitHub's 140 characters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.fakes import prefork
from tests.fakes.fixtures import model_server
from tests.fakes.github_server import FakeGitHub
from tests.fakes.model_server import FakeModelServer, Reply
from tests.github.conftest import pull_from_git, read_outputs, runner_env
from tests.github.test_action_e2e import make_pr, run_gate
from tests.gitrepo import GitRepo

__all__ = ["model_server"]

MODELS = ("openai/model-a", "openai/model-b")
STATUS_MAX = 140


def only(github: FakeGitHub) -> tuple[dict[str, Any], dict[str, Any]]:
    (run,) = github.check_runs.values()
    (status,) = github.statuses
    return run, status


def model_pr(tmp_path: Path, github: FakeGitHub, server: FakeModelServer, **gate: str) -> Path:
    repo = GitRepo(tmp_path / "origin")
    repo.write("src/app.py", "def total(items):\n    return sum(items)\n")
    repo.write(".github/ai-gate.yml", yaml.safe_dump({**server.review_config(MODELS), "gate": gate}))
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("src/app.py", "def total(items):\n    return sum(items)\n\n\ndef mean(xs):\n    return 0\n")
    head = repo.commit("Add mean")
    pull_from_git(github, repo, base, head, number=7)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    for model in MODELS:
        server.script(model.split("/", 1)[1], "review", Reply.error(500))
    return workspace


def model_env(github: FakeGitHub, tmp_path: Path, workspace: Path) -> dict[str, str]:
    env = runner_env(github, tmp_path, 7, workspace=workspace)
    env.update(FAKE_MODEL_KEY="sk-test", AI_GATE_MODEL_BACKOFF="0.01", AI_GATE_MODEL_TIMEOUT="2")
    return env


def test_no_model_key_on_a_forks_pr_is_neutral_and_says_not_reviewed(
    tmp_path: Path, github: FakeGitHub
) -> None:
    make_pr(tmp_path, github)  # an AI-authored PR: the thresholds call for the model review
    env = runner_env(github, tmp_path, 7, workspace=None)  # no model key in the environment
    proc = run_gate(env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    run, status = only(github)
    assert run["conclusion"] == "neutral"
    title = run["output"]["title"]
    assert title.startswith("Not reviewed: review — no review model available"), title
    assert title.endswith("(neutral, AI share 57%, 0 findings)"), title
    assert status["state"] == "success"
    assert status["description"].startswith("not reviewed: review — no review model available")
    assert len(status["description"]) <= STATUS_MAX
    summary = github.issue_comments[7][0]["body"]
    assert "**Not reviewed:**\n\n- review — no review model available" in summary
    assert "**Not reviewed:**" in run["output"]["summary"]
    assert "**Not reviewed:**" in (tmp_path / "summary.md").read_text()


def test_a_model_outage_is_neutral_and_says_not_reviewed(
    tmp_path: Path, github: FakeGitHub, model_server: FakeModelServer
) -> None:
    workspace = model_pr(tmp_path, github, model_server)
    proc = run_gate(model_env(github, tmp_path, workspace), workspace)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((workspace / ".ai-gate" / "report.json").read_text())
    assert report["verdict"] == "neutral" and report["stages"]["review"]["model_error"]
    run, status = only(github)
    assert run["conclusion"] == "neutral"
    assert run["output"]["title"].startswith("Not reviewed: review — "), run["output"]["title"]
    assert status["state"] == "success" and status["description"].startswith("not reviewed: review — ")
    assert len(status["description"]) <= STATUS_MAX
    assert model_server.count(schema="review") >= len(MODELS)  # the models were asked, and failed


def test_on_model_error_fail_blocks_an_unreviewed_change_and_says_why(
    tmp_path: Path, github: FakeGitHub, model_server: FakeModelServer
) -> None:
    """The setting for a protected branch: a change nobody reviewed does not merge."""
    workspace = model_pr(tmp_path, github, model_server, on_model_error="fail")
    proc = run_gate(model_env(github, tmp_path, workspace), workspace)
    assert proc.returncode == 1, proc.stderr
    run, status = only(github)
    assert run["conclusion"] == "failure"
    assert run["output"]["title"].startswith("AI Quality Gate: fail, ")
    assert "; not reviewed: review — " in run["output"]["title"]
    assert status["state"] == "failure" and "not reviewed: review" in status["description"]
    assert len(status["description"]) <= STATUS_MAX
    assert read_outputs(tmp_path / "output")["verdict"] == "fail"


def broken_report(head: str, error: str) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "verdict": "neutral",
        "reasons": [f"a stage failed and its checks are missing (phantom-symbols: {error})"],
        "source": {"pull_request": 7, "head_sha": head},
        "stages": {
            "secrets": {"ran": True, "why": "runs on every PR", "skipped_reason": None},
            "phantom-symbols": {
                "ran": False,
                "why": "runs on every PR",
                "skipped_reason": "stage failed",
                "error": error,
            },
        },
        "github": {"repository": "octo/widgets"},
    }


def publish(tmp_path: Path, github: FakeGitHub, report: dict[str, Any], head: str) -> int:
    path = tmp_path / "artifact" / "report.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(report))
    payload = {"workflow_run": {"head_sha": head, "pull_requests": [], "html_url": "https://r"}}
    env = runner_env(github, tmp_path, 7, workspace=None, event="workflow_run", payload=payload)
    proc = prefork.run(["publish", str(path)], {**env, "PYTHONPATH": str(Path.cwd())}, Path.cwd())
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode


def test_a_broken_stage_says_not_fully_reviewed(tmp_path: Path, github: FakeGitHub) -> None:
    _, _, head = make_pr(tmp_path, github)
    # A hostile cause: long, with a mention, a newline and a bidi override, as an exception text may be.
    error = "RuntimeError: index out of range in @octo/admins\u202e " + "x" * 300 + "\nsecond line"
    assert publish(tmp_path, github, broken_report(head, error), head) == 0
    run, status = only(github)
    assert run["conclusion"] == "neutral"
    title = run["output"]["title"]
    assert title.startswith("Not fully reviewed: phantom-symbols — the stage broke: RuntimeError"), title
    assert status["state"] == "success"
    description = status["description"]
    assert description.startswith("not fully reviewed: phantom-symbols — the stage broke: RuntimeError")
    assert len(description) <= STATUS_MAX and description.endswith("…")
    for shown in (title, description):
        assert "@octo/admins" not in shown and "\u202e" not in shown and "\n" not in shown


def test_a_neutral_report_that_names_no_stage_still_says_not_fully_reviewed(
    tmp_path: Path, github: FakeGitHub
) -> None:
    _, _, head = make_pr(tmp_path, github)
    report = {**broken_report(head, "x"), "stages": {}, "reasons": ["something was skipped"]}
    publish(tmp_path, github, report, head)
    run, status = only(github)
    assert run["output"]["title"].startswith("Not fully reviewed: something was skipped")
    assert status["description"] == "not fully reviewed: something was skipped"
