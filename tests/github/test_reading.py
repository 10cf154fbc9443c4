"""Reading a PR through the real PyGithub: retries, rate limits, pagination and the 406 fallback."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from gate.errors import GitHubError
from gate.github.client import GitHubClient
from gate.github.event import PullRequestEvent, read_event
from gate.github.pull import load_pull_changeset
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git
from tests.gitrepo import GitRepo


def big_pr(tmp_path: Path, github: FakeGitHub, files: int) -> tuple[str, str]:
    repo = GitRepo(tmp_path / "repo")
    repo.write("README", "base\n")
    base = repo.commit("base")
    for i in range(files):
        repo.write(f"pkg/m{i:04d}.py", f"VALUE = {i}\n")
    head = repo.commit("many files\n\nCo-authored-by: Claude <noreply@anthropic.com>")
    pull_from_git(github, repo, base, head, number=9)
    return base, head


def test_past_300_files_the_diff_406_falls_back_to_the_paginated_files_list(
    tmp_path: Path, github: FakeGitHub
) -> None:
    big_pr(tmp_path, github, 301)
    event = read_event("pull_request", github.payload(9))
    assert isinstance(event, PullRequestEvent)
    cs = load_pull_changeset(GitHubClient(github.url, "t", github.repo), event, None, ())
    assert len(cs.diff.files) == 301 and cs.diff.added_count == 301
    assert any("diff limit" in n for n in cs.notes)
    # The PR's head before and after the reads, and its diff between them.
    assert [r.status for r in github.requests_to("GET", r"/pulls/9$")] == [200, 406, 200]
    pages = github.requests_to("GET", r"/pulls/9/files$")
    assert len(pages) == 4 and all(int(r.query.get("per_page", "100")) <= 100 for r in pages)
    assert set(cs.line_origins) == {f.path for f in cs.diff.files}


def test_5xx_and_rate_limits_are_retried_honouring_their_headers(github: FakeGitHub, tmp_path: Path) -> None:
    big_pr(tmp_path, github, 2)
    github.fail("GET", r"/pulls/9/commits", 502)
    github.rate_limit("GET", r"/pulls/9/commits", secondary=True)
    github.rate_limit("GET", r"/pulls/9/commits")
    slept: list[float] = []
    client = GitHubClient(github.url, "t", github.repo, sleep=slept.append)
    commits = client.pull_commits(9)
    assert len(commits) == 1
    assert len(github.requests_to("GET", r"/pulls/9/commits")) == 4
    assert slept[0] < 1.0 and slept[1] == 1.0 and slept[2] > 0  # backoff, Retry-After, X-RateLimit-Reset
    github.fail("GET", r"/pulls/9/commits", 503, times=10)
    with pytest.raises(GitHubError, match="HTTP 503"):
        client.pull_commits(9)


def test_rate_limit_reset_is_waited_for(github: FakeGitHub, tmp_path: Path) -> None:
    big_pr(tmp_path, github, 1)
    github.rate_limit("GET", r"/pulls/9/files")
    started = time.monotonic()
    files = GitHubClient(github.url, "t", github.repo).pull_files(9)
    assert len(files) == 1 and time.monotonic() - started >= 0.5


def test_requests_for_a_big_pr_follow_what_is_posted_not_its_size(tmp_path: Path, github: FakeGitHub) -> None:
    from gate.github.action import run_action
    from tests.github.conftest import runner_env

    big_pr(tmp_path, github, 301)
    (tmp_path / "none").mkdir()
    run_action(runner_env(github, tmp_path, 9, workspace=tmp_path / "none"))
    # Reading: base config, the PR's head, PR diff (406) + 4 pages of files, commits, the head again, the
    # tree, a trace probe; posting: check run, status, review list, the head, comment list + create.
    # Added files cost no reads.
    assert len(github.requests) <= 19, [f"{r.method} {r.path}" for r in github.requests]
    assert not [r for r in github.requests_to("GET", r"/contents/pkg/")]


def test_past_250_commits_the_api_list_stops_and_says_so(github: FakeGitHub) -> None:
    from tests.fakes.github_server import FakePull

    shas = [f"{i:040x}" for i in range(1, 261)]
    commits = [
        {
            "sha": sha,
            "url": f"{github.url}/repos/{github.repo}/commits/{sha}",
            "author": None,
            "commit": {
                "author": {"name": "A", "email": "a@x", "date": "2026-11-25T00:00:00Z"},
                "committer": {"name": "A", "email": "a@x", "date": "2026-11-25T00:00:00Z"},
                "message": "m",
                "tree": {"sha": f"{i:040x}", "url": f"{github.url}/repos/{github.repo}/git/trees/{i:040x}"},
            },
            "parents": [{"sha": shas[i - 1]}] if i else [],
        }
        for i, sha in enumerate(shas)
    ]
    diff = (
        "diff --git a/f.py b/f.py\nnew file mode 100644\n--- /dev/null\n+++ b/f.py\n@@ -0,0 +1 @@\n+x = 1\n"
    )
    github.add_pull(
        FakePull(
            number=5,
            title="t",
            body="",
            user="u",
            head_sha=shas[-1],
            base_sha="f" * 40,
            head_ref="h",
            base_ref="main",
            diff=diff,
            commits=commits,
            files=[{"filename": "f.py", "status": "added", "additions": 1, "deletions": 0}],
        )
    )
    event = read_event("pull_request", github.payload(5))
    assert isinstance(event, PullRequestEvent)
    cs = load_pull_changeset(GitHubClient(github.url, "t", github.repo), event, None, ())
    assert len(cs.commits) == 250
    assert any("at most 250 commits" in n and "10 later commits" in n for n in cs.notes)
    assert len(github.requests_to("GET", r"/pulls/5/commits")) == 3  # 100 per page
    assert not github.requests_to("GET", r"/commits/[0-9a-f]{40}$")  # too many to fetch one by one


def test_past_3000_files_the_report_counts_and_names_what_github_did_not_list(
    tmp_path: Path, github: FakeGitHub
) -> None:
    """The files list stops at GitHub's 3,000: the run is neutral, and its coverage counts the files it
    did not see among the PR's and says they were not analysed."""
    from tests.github.conftest import read_outputs, runner_env
    from tests.github.test_action_e2e import run_gate

    big_pr(tmp_path, github, 3_001)
    env = runner_env(github, tmp_path, 9, workspace=None)

    proc = run_gate(env, tmp_path)

    assert proc.returncode == 0, proc.stderr
    report = json.loads(Path(read_outputs(tmp_path / "output")["report"]).read_text(encoding="utf-8"))
    assert report["verdict"] == "neutral"
    unlisted = "1 file was not read, past the 3,000 files GitHub lists of a PR"
    assert any(unlisted in reason for reason in report["reasons"])
    coverage = report["coverage"]
    assert (coverage["files"], coverage["analysed"]) == (3_001, 3_000)
    assert {
        "stage": "analyzers",
        "kind": "failure",
        "reason": "not analysed: 1 file GitHub did not list (it lists a PR's first 3,000)",
        "path": None,
        "lines": None,
    } in coverage["gaps"]


def test_the_fake_pages_a_commits_files_as_github_does(tmp_path: Path, github: FakeGitHub) -> None:
    """GET a commit: its files 300 a page (per_page up to 300), each page the whole commit with a slice
    of its files, and Link headers to the rest."""
    import requests

    repo = GitRepo(tmp_path / "repo")
    repo.write("README", "base\n")
    base = repo.commit("base")
    for name in ("a.py", "b.py", "c.py"):
        repo.write(name, "x = 1\n")
    head = repo.commit("three files")
    pull_from_git(github, repo, base, head, number=9)
    url = f"{github.url}/repos/{github.repo}/commits/{head}"
    auth = {"Authorization": "token t"}

    whole = requests.get(url, headers=auth, timeout=10)
    assert [f["filename"] for f in whole.json()["files"]] == ["a.py", "b.py", "c.py"]
    assert "Link" not in whole.headers
    first = requests.get(url, params={"per_page": 2}, headers=auth, timeout=10)
    assert first.json()["sha"] == head and [f["filename"] for f in first.json()["files"]] == ["a.py", "b.py"]
    second = requests.get(first.links["next"]["url"], headers=auth, timeout=10)
    assert second.json()["sha"] == head and [f["filename"] for f in second.json()["files"]] == ["c.py"]
    assert "next" not in second.links
    assert [f.path for f in GitHubClient(github.url, "t", github.repo).commit_files(head)] == [
        "a.py",
        "b.py",
        "c.py",
    ]
