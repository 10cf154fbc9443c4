"""The review state the next run starts from travels encoded (`v1:<base64(zlib(json))>`) in the posted
summary comment and in the JSON report, where no redaction of the written text can read it: the
findings' words are redacted before they are encoded. Through `ai-gate github` against the loopback
GitHub, with two models that quote a config value back in their finding, as a model may."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from gate.review.state import ReviewState, from_comment
from tests.fakes.github_server import FakeGitHub
from tests.fakes.model_server import FakeModelServer, Reply, judge
from tests.github.conftest import github, pull_from_git, runner_env
from tests.github.test_action_e2e import run_gate
from tests.gitrepo import GitRepo

__all__ = ["github"]  # the loopback GitHub fixture

PASSWORD = "Hq7wPz3kLm9vXr2T"
MODELS = ("openai/fake-a", "openai/fake-b")


def test_a_secret_a_model_quotes_is_not_posted_inside_the_encoded_review_state(
    tmp_path: Path, github: FakeGitHub, model_server: FakeModelServer
) -> None:
    for name in ("fake-a", "fake-b"):
        finding = {
            "path": "deploy/values.yml",
            "start_line": 2,
            "end_line": 2,
            "severity": "high",
            "category": "security",
            "title": f"Credential {PASSWORD} committed",
            "body": f"the password {PASSWORD} is committed",
            "suggestion": f"  password: {PASSWORD}  # from the vault",
        }
        model_server.script(name, "review", Reply.json({"findings": [finding]}))
        model_server.script(name, "cross_check", judge(lambda title: True))
    repo = GitRepo(tmp_path / "origin")
    repo.write("deploy/values.yml", "db:\n  user: app\n")
    repo.write(".github/ai-gate.yml", yaml.safe_dump(model_server.review_config(MODELS)))
    base = repo.commit("base")
    repo.branch("feature")
    repo.write("deploy/values.yml", f"db:\n  password: {PASSWORD}\n  user: app\n")
    head = repo.commit("add the database password")
    pull_from_git(github, repo, base, head, number=7, title="Database settings", body="")
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(workspace)], check=True)
    env = runner_env(github, tmp_path, 7, workspace=workspace)
    env["FAKE_MODEL_KEY"] = "sk-test"

    proc = run_gate(env, workspace)

    assert proc.returncode == 1, proc.stderr[-2000:]
    (comment,) = github.issue_comments[7]
    posted = from_comment(comment["body"])
    reported = json.loads((workspace / ".ai-gate" / "report.json").read_text())["review_state"]
    assert posted is not None and reported is not None
    for encoded in (posted, reported):
        state = ReviewState.decode(encoded)
        (kept,) = state.findings
        assert kept.path == "deploy/values.yml" and "is committed" in kept.body  # the finding is kept
        assert PASSWORD not in state.model_dump_json()
