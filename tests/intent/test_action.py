"""`ai-gate github` as the runner starts it: the PR's linked issue read from the loopback GitHub, the
spec stage run against three scripted models, and what it posts sanitized."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from tests.fakes.github_server import FakeGitHub, FakeIssue
from tests.fakes.model_server import FakeModelServer, Reply
from tests.github.conftest import pull_from_git, runner_env
from tests.github.test_action_e2e import run_gate
from tests.gitrepo import GitRepo
from tests.intent import scenario as sc
from tests.review.scenario import BASE, HEAD


def test_the_action_reads_the_linked_issue_and_posts_the_contradiction_and_the_table(
    tmp_path: Path, github: FakeGitHub, model_server: FakeModelServer
) -> None:
    sc.script(model_server)
    mention = [*sc.REQUIREMENTS]
    mention[1] = {"source": "S1", "statement": "every refund is written to the audit log, ask @octocat"}
    model_server.script("fake-a", "spec_extract", Reply.json({"requirements": mention}))
    config = sc.config_for(model_server).model_dump(mode="json", exclude_defaults=True)
    repo = GitRepo(tmp_path / "origin")
    repo.write("shop/pay.py", BASE)
    repo.write(sc.SPEC_PATH, sc.SPEC)
    repo.write(".github/ai-gate.yml", yaml.safe_dump(config))
    base = repo.commit("add payments, their spec and the gate's config")
    repo.branch("feature")
    repo.write("shop/pay.py", HEAD)
    head = repo.commit("add refunds and discounts")
    pull_from_git(github, repo, base, head, number=7, title="Add refunds", body="Adds refunds. Closes #12")
    github.issues[12] = FakeIssue(12, sc.ISSUE_TITLE, sc.ISSUE_BODY)
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(workspace)], check=True)
    env = runner_env(github, tmp_path, 7, workspace=workspace)
    env["FAKE_MODEL_KEY"] = "sk-test"

    proc = run_gate(env, workspace)

    assert proc.returncode == 1, proc.stderr
    assert github.requests_to("GET", r"^/repos/octo/widgets/issues/12$")
    assert github.requests_to("POST", r"graphql")  # GitHub's linked-issue data asked for too
    report = json.loads((workspace / ".ai-gate" / "report.json").read_text())
    (finding,) = [f for f in report["findings"] if f["stage"] == "spec"]
    assert finding["blocking"] and finding["start_line"] == 12
    (review,) = github.reviews
    assert any("Contradicts R3" in c["body"] and c["line"] == 13 for c in review["comments"])
    (comment,) = github.issue_comments[7]
    body = comment["body"]
    assert "### Linked issues: 2 requirement(s), 1 not addressed (advisory)" in body
    assert "every refund is written to the audit log" in body
    assert "@octocat" not in body  # a mention from an issue or a model never pings anyone
