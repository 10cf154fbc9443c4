"""A run that could not run (exit 2) says so on the PR, so that what the last run posted for an earlier
head is not read as the verdict on the new one; through `ai-gate github` against the loopback GitHub."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git, runner_env
from tests.github.test_action_e2e import run_gate
from tests.gitrepo import GitRepo

SECRET_LINE = 'GITHUB_TOKEN = "ghp_R8x2Lk9Qm4Tz7Wv1Yb6Nc3Hd5Jf0Gs8Pa2Ue"\n'


def passing_pr(tmp_path: Path, github: FakeGitHub) -> tuple[GitRepo, str, str, Path]:
    """A PR whose first head passes, gated once (`opened`): the summary comment says pass."""
    repo = GitRepo(tmp_path / "origin")
    repo.write("src/app.py", "x = 0\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("src/app.py", "x = 1\n")
    head = repo.commit("Tweak")
    pull_from_git(github, repo, base, head, number=7)
    workspace = tmp_path / "ws"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(repo.root), str(workspace)], check=True)
    env = runner_env(github, tmp_path, 7, workspace=workspace, payload=github.payload(7, "opened"))
    assert run_gate(env, workspace).returncode == 0
    return repo, base, head, workspace


def push(repo: GitRepo, base: str, workspace: Path, github: FakeGitHub) -> str:
    """A new head that adds a secret (a blocking finding, had the gate run)."""
    repo.write("src/settings.py", SECRET_LINE)
    head = repo.commit("Add settings")
    subprocess.run(["git", "-C", str(workspace), "fetch", "-q", "origin", "feature"], check=True)
    pull_from_git(github, repo, base, head, number=7)
    return head


def test_a_run_that_could_not_run_fails_its_check_and_marks_the_last_summary_stale(
    tmp_path: Path, github: FakeGitHub
) -> None:
    repo, base, first, workspace = passing_pr(tmp_path, github)
    (comment,) = github.issue_comments[7]
    assert "**pass**" in comment["body"]
    head = push(repo, base, workspace, github)
    github.fail("GET", r"/pulls/7/commits", 502, times=50, message="Bad Gateway")  # a GitHub outage
    env = runner_env(github, tmp_path, 7, workspace=workspace, payload=github.payload(7, "synchronize"))
    proc = run_gate(env, workspace)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr  # the exit code and line

    (run,) = [r for r in github.check_runs.values() if r["head_sha"] == head]
    assert run["conclusion"] == "failure" and run["output"]["title"] == "AI Quality Gate: could not run"
    assert "HTTP 502" in run["output"]["summary"] and run["details_url"].endswith("/actions/runs/4242")
    assert [s["state"] for s in github.statuses if s["sha"] == head] == ["error"]
    (comment,) = github.issue_comments[7]
    marker, stale, blank, *rest = comment["body"].split("\n")
    assert marker == "<!-- ai-quality-gate -->" and blank == ""
    assert stale.startswith(f"> ⚠️ **Stale:** this summary is for commit `{first[:12]}`.")
    assert f"could not run on the PR's head `{head[:12]}`" in stale and "HTTP 502" in stale
    assert "**pass**" in "\n".join(rest)  # the old summary stays, below the line that dates it
    assert "could not run" in (tmp_path / "summary.md").read_text()

    # A second failure replaces the line; the next run that finishes writes the comment anew.
    assert run_gate(env, workspace).returncode == 2
    (comment,) = github.issue_comments[7]
    assert comment["body"].count("**Stale:**") == 1
    github.faults.clear()
    assert run_gate(env, workspace).returncode == 1
    (comment,) = github.issue_comments[7]
    assert "Stale" not in comment["body"] and "**fail**" in comment["body"]
    assert comment["body"].endswith(f"\n\nThis summary is for commit `{head[:12]}`.")


def test_saying_it_is_bounded_when_github_refuses_everything(tmp_path: Path, github: FakeGitHub) -> None:
    repo, base, _, workspace = passing_pr(tmp_path, github)
    head = push(repo, base, workspace, github)
    requests_before = len(github.requests)
    github.fail("GET", r"/pulls/7/commits", 502, times=999)
    github.fail("POST", r"/check-runs$", 502, times=999)
    env = runner_env(github, tmp_path, 7, workspace=workspace, payload=github.payload(7, "synchronize"))
    started = time.monotonic()
    assert run_gate(env, workspace).returncode == 2
    # The check run is tried for about two seconds of waiting, then nothing more is asked of GitHub.
    assert len([r for r in github.requests_to("POST", r"/check-runs$") if r.body["head_sha"] == head]) == 3
    asked = github.requests[requests_before:]
    assert not [
        r for r in asked if r.path.endswith(("/statuses/" + head, "/comments")) or "graphql" in r.path
    ]
    assert not any(r["head_sha"] == head for r in github.check_runs.values())
    assert time.monotonic() - started < 30


def test_the_reason_posted_hides_a_config_secret_the_error_quotes() -> None:
    from gate.errors import GateError
    from gate.github.could_not_run import reason_of

    reason = reason_of(GateError("config error: bad value (got 'password: Hunter2-zz9q')"))
    assert "Hunter2-zz9q" not in reason
    assert "password:" in reason
