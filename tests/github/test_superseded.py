"""A run is for the head its event names. GitHub serves a PR's diff, files and commits for the head the
PR has when asked, and the PR has one summary comment: a push between the event and the run's reads, or
a run for an earlier head that starts late, must not put one head's verdict on another. Through
`ai-gate github` against the loopback GitHub."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git, runner_env
from tests.github.test_action_e2e import run_gate
from tests.gitrepo import GitRepo

SECRET_LINE = 'GITHUB_TOKEN = "ghp_R8x2Lk9Qm4Tz7Wv1Yb6Nc3Hd5Jf0Gs8Pa2Ue"\n'


def secret_then_clean(tmp_path: Path) -> tuple[GitRepo, str, str, str]:
    """A PR's base, a head that adds a token (the gate fails it), and a clean head pushed over it."""
    repo = GitRepo(tmp_path / "origin")
    repo.write("src/app.py", "def total(items):\n    return sum(items)\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("src/settings.py", 'REGION = "eu"\n' + SECRET_LINE)
    dirty = repo.commit("Add settings (with a token)")
    repo.git("reset", "-q", "--hard", base)
    repo.write("src/settings.py", 'REGION = "eu"\n')
    clean = repo.commit("Add settings")
    return repo, base, dirty, clean


def run_api_only(
    tmp_path: Path, github: FakeGitHub, payload: dict[str, object]
) -> subprocess.CompletedProcess[str]:
    env = runner_env(github, tmp_path, 7, workspace=None, event="pull_request_target", payload=payload)
    return run_gate(env, tmp_path)


def assert_nothing_posted(github: FakeGitHub) -> None:
    assert not github.check_runs and not github.statuses and not github.reviews
    assert not github.issue_comments.get(7)


def test_a_push_before_the_run_reads_the_pr_leaves_the_event_s_head_without_a_verdict(
    tmp_path: Path, github: FakeGitHub
) -> None:
    repo, base, dirty, clean = secret_then_clean(tmp_path)
    pull_from_git(github, repo, base, dirty)
    payload = github.payload(7, "synchronize")  # the event for the head with the token
    pull_from_git(github, repo, base, clean)  # pushed before the queued run starts
    proc = run_api_only(tmp_path, github, payload)
    assert proc.returncode == 2, proc.stderr  # superseded: not a pass
    assert proc.stderr.startswith(f"ai-gate: superseded: PR #7's head is now {clean[:12]}, not {dirty[:12]}")
    # The clean head's diff was never judged in the name of the head with the token.
    assert_nothing_posted(github)
    assert (
        not github.requests_to("GET", r"/pulls/7/files") and len(github.requests_to("GET", r"/pulls/7$")) == 1
    )
    assert "**superseded**" in (tmp_path / "summary.md").read_text()


def test_a_push_while_the_run_reads_the_pr_is_not_gated_as_the_event_s_head(
    tmp_path: Path, github: FakeGitHub
) -> None:
    repo, base, dirty, clean = secret_then_clean(tmp_path)
    pull_from_git(github, repo, base, dirty)
    payload = github.payload(7, "synchronize")

    def push_clean() -> None:
        pull_from_git(github, repo, base, clean)

    # The head checked first is the event's; the clean head lands before the commits and the diff are read.
    github.before("GET", r"/pulls/7/commits$", push_clean)
    proc = run_api_only(tmp_path, github, payload)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"ai-gate: superseded: PR #7's head is now {clean[:12]}, not {dirty[:12]}")
    assert_nothing_posted(github)


def test_a_run_for_the_pr_s_head_gates_it_through_the_api(tmp_path: Path, github: FakeGitHub) -> None:
    repo, base, dirty, _ = secret_then_clean(tmp_path)
    pull_from_git(github, repo, base, dirty)
    proc = run_api_only(tmp_path, github, github.payload(7, "synchronize"))
    assert proc.returncode == 1, proc.stderr
    (run,) = github.check_runs.values()
    assert run["head_sha"] == dirty and run["conclusion"] == "failure"
    (comment,) = github.issue_comments[7]
    assert comment["body"].endswith(f"This summary is for commit `{dirty[:12]}`.")


def _gated_after_a_late_event(
    tmp_path: Path, github: FakeGitHub, action: str, *, late_clean: bool = False
) -> tuple[Path, dict, str, str, int]:
    """The PR at one head (the one with the token, or with `late_clean` the clean one), its `action` event
    kept for a run that starts late, then the PR pushed to the other head and gated from a checkout that
    has both: (the checkout, the late event, the head with the token, the clean head, the gated run's
    exit code)."""
    repo, base, dirty, clean = secret_then_clean(tmp_path)
    workspace = tmp_path / "ws"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(repo.root), str(workspace)], check=True)
    subprocess.run(["git", "-C", str(workspace), "fetch", "-q", "origin", dirty], check=True)
    first, then = (clean, dirty) if late_clean else (dirty, clean)
    pull_from_git(github, repo, base, first)
    early = github.payload(7, action)
    pull_from_git(github, repo, base, then)
    env = runner_env(github, tmp_path, 7, workspace=workspace, payload=github.payload(7, "synchronize"))
    return workspace, early, dirty, clean, run_gate(env, workspace).returncode


def test_a_late_run_for_an_earlier_head_leaves_the_summary_of_the_pr_s_head(
    tmp_path: Path, github: FakeGitHub
) -> None:
    # The event for the clean head, whose run starts late.
    workspace, early, dirty, clean, code = _gated_after_a_late_event(
        tmp_path, github, "opened", late_clean=True
    )
    assert code == 1
    (comment,) = github.issue_comments[7]
    failing = comment["body"]
    assert "**fail**" in failing and failing.endswith(f"This summary is for commit `{dirty[:12]}`.")

    # The late run reads the clean head from the checkout, so its verdict is the clean head's own and
    # goes on that commit; the PR's summary comment stays the verdict on the PR's head.
    env = runner_env(github, tmp_path, 7, workspace=workspace, payload=early)
    proc = run_gate(env, workspace)
    assert proc.returncode == 0, proc.stderr
    (comment,) = github.issue_comments[7]
    assert comment["body"] == failing
    assert not github.requests_to("PATCH", r"/issues/comments/")
    assert [r["conclusion"] for r in github.check_runs.values() if r["head_sha"] == clean] == ["success"]
    said = f"PR #7's head is now {dirty[:12]}, not {clean[:12]}, the commit this run is for"
    assert f"could not post the comment: {said}" in proc.stderr
    report = json.loads((tmp_path / "ws" / ".ai-gate" / "report.json").read_text())
    assert [f for f in report["github"]["post_failures"] if said in f]


def test_a_late_run_for_an_earlier_head_that_could_not_run_leaves_the_summary_of_the_pr_s_head(
    tmp_path: Path, github: FakeGitHub
) -> None:
    # The event for the head with the token, whose run starts late.
    workspace, early, dirty, clean, code = _gated_after_a_late_event(tmp_path, github, "synchronize")
    assert code == 0
    (comment,) = github.issue_comments[7]
    passing = comment["body"]
    assert passing.endswith(f"This summary is for commit `{clean[:12]}`.")

    # The late run cannot run: its own head gets a failing check, but the PR's head is not called stale
    # (nor the earlier head called the PR's).
    github.fail("GET", r"/pulls/7/commits", 502, times=50, message="Bad Gateway")
    env = runner_env(github, tmp_path, 7, workspace=workspace, payload=early)
    assert run_gate(env, workspace).returncode == 2
    (run,) = [r for r in github.check_runs.values() if r["head_sha"] == dirty]
    assert run["conclusion"] == "failure"
    (comment,) = github.issue_comments[7]
    assert comment["body"] == passing


def test_a_late_run_for_an_earlier_head_with_findings_posts_no_review_on_the_pr(
    tmp_path: Path, github: FakeGitHub
) -> None:
    """The run for the head with the token starts after the clean head was pushed and gated: its check run
    and status are that commit's own, but its inline comments would stand on the PR beside the clean
    head's verdict (and count toward the PR's cap), so it posts no review, and says why."""
    # The event for the head with the token, whose run starts late.
    workspace, early, dirty, clean, code = _gated_after_a_late_event(tmp_path, github, "opened")
    assert code == 0
    proc = run_gate(runner_env(github, tmp_path, 7, workspace=workspace, payload=early), workspace)
    assert proc.returncode == 1, proc.stderr
    assert [r["conclusion"] for r in github.check_runs.values() if r["head_sha"] == dirty] == ["failure"]
    assert not github.reviews and not github.review_comments.get(7)
    said = f"PR #7's head is now {clean[:12]}, not {dirty[:12]}, the commit this run is for"
    assert f"could not post the review: {said}" in proc.stderr
