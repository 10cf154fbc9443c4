"""Every GitHub call site of `ai-gate github` under 5xx, rate limits, 403, 404 and 422.

Reading (the PR, its files, commits, the base config) that fails for good means the gate could not
run: exit 2, one line naming GitHub, and a failed check run saying so. A transient failure (a 502, a
rate limit that resets) is retried and the run ends as it would have. Posting that fails (check run,
status, review, summary comment) never stops the rest: the report and trace are written, the failure
is listed in the report and on stderr, and the exit code is the verdict's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.cli import main

# Until the GitHub Action is on this branch, there is nothing to run these against.
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git, read_outputs, runner_env
from tests.gitrepo import GitRepo

READ_SITES = {
    "pull": ("GET", r"/pulls/\d+$"),
    # The files list is read only when the diff is too large to render, and commit patches only for
    # a PR of several commits without a checkout: neither is on this PR's path.
    "commits": ("GET", r"/pulls/\d+/commits$"),
    "base config": ("GET", r"/contents/\.github/ai-gate\.yml$"),
}
POST_SITES = {
    "check run": ("POST", r"/check-runs$"),
    "status": ("POST", r"/statuses/[0-9a-f]{40}$"),
    "review": ("POST", r"/pulls/\d+/reviews$"),
    "summary comment": ("POST", r"/issues/\d+/comments$"),
    "comment lookup": ("GET", r"/issues/\d+/comments$"),
}
# Persistent faults (every attempt fails).
FAULTS = {"403": 403, "404": 404, "422": 422}


@pytest.fixture
def github() -> FakeGitHub:
    fake = FakeGitHub().start()
    yield fake  # type: ignore[misc]
    fake.stop()
    assert not fake.invalid, fake.invalid


def make_pr(tmp_path: Path, github: FakeGitHub) -> None:
    repo = GitRepo(tmp_path / "origin")
    repo.write("src/app.py", "def total(items):\n    return sum(items)\n")
    repo.write(".github/ai-gate.yml", "version: 1\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    # A deterministic blocking finding (a credential), so there is something to post everywhere.
    repo.write(
        "src/app.py",
        'def total(items):\n    return sum(items)\n\nTOKEN = "ghp_4kR8wQ2zX0vN7tYp3Hc9Jm5Bf1Sd6Ga4Ue2L"\n',
    )
    head = repo.commit("Add a token")
    pull_from_git(github, repo, base, head, number=7)


def run_action(tmp_path: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    workspace = tmp_path / "ws"
    workspace.mkdir(exist_ok=True)
    for key, value in runner_env(github, tmp_path, 7, workspace=workspace).items():
        if key not in ("PATH", "HOME"):
            monkeypatch.setenv(key, value)
    code = main(["github"])
    return code, str(workspace / ".ai-gate")


def report_of(out: str) -> dict[str, object]:
    return json.loads(Path(out, "report.json").read_text())  # type: ignore[no-any-return]


def assert_one_github_line(err: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ai-gate: github"), err
    assert "Traceback" not in err


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("site", READ_SITES)
def test_reading_that_fails_for_good_is_exit_2_in_one_line(
    site: str, fault: str, tmp_path: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    make_pr(tmp_path, github)
    method, path = READ_SITES[site]
    github.fail(method, path, FAULTS[fault], times=99)
    code, _ = run_action(tmp_path, github, monkeypatch)
    err = capsys.readouterr().err
    if site == "base config" and fault == "404":
        assert code == 1, err  # no config at base is the defaults, not an error
        return
    assert code == 2, err
    assert_one_github_line(err)
    # Nothing half-posted: only a failed check run and an error status that say the gate could not run.
    assert [(r["conclusion"], r["output"]["title"]) for r in github.check_runs.values()] == [
        ("failure", "AI Quality Gate: could not run")
    ]
    assert [s["state"] for s in github.statuses] == ["error"]
    assert not github.reviews and not github.issue_comments[7]


@pytest.mark.parametrize("site", READ_SITES)
def test_reading_recovers_from_a_transient_5xx_and_a_rate_limit(
    site: str, tmp_path: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_pr(tmp_path, github)
    method, path = READ_SITES[site]
    if site == "pull":
        github.fail(method, path, 502, times=1)
    else:
        github.rate_limit(method, path, secondary=True, times=1)
    code, out = run_action(tmp_path, github, monkeypatch)
    assert code == 1 and report_of(out)["verdict"] == "fail"
    assert len([r for r in github.requests_to(method, path) if r.status >= 400]) >= 1


# 500 is retried with backoff before it counts (seconds), so two sites are enough to show it.
POST_CASES = [(site, fault) for site in POST_SITES for fault in FAULTS] + [
    ("check run", "500"),
    ("summary comment", "500"),
]


@pytest.mark.parametrize(("site", "fault"), POST_CASES)
def test_posting_that_fails_is_listed_and_the_rest_is_posted(
    site: str, fault: str, tmp_path: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    make_pr(tmp_path, github)
    method, path = POST_SITES[site]
    github.fail(method, path, 500 if fault == "500" else FAULTS[fault], times=99)
    code, out = run_action(tmp_path, github, monkeypatch)
    err = capsys.readouterr().err
    report = report_of(out)
    assert report["verdict"] == "fail" and code == 1, err  # the verdict's exit code, not the fault's
    assert Path(out, "trace.jsonl").is_file() and Path(out, "report.sarif").is_file()
    failures = report["github"]["post_failures"]  # type: ignore[index]
    assert failures, "the failed post is listed in the report"
    assert "could not post" in err and "Traceback" not in err
    outputs = read_outputs(tmp_path / "output")
    assert outputs["verdict"] == "fail"
    # Everything else was still posted.
    posted = {
        "check run": bool(github.check_runs),
        "status": bool(github.statuses),
        "summary comment": bool(github.issue_comments[7]),
    }
    failed_site = "summary comment" if site == "comment lookup" else site
    for other, done in posted.items():
        if other != failed_site:
            assert done, f"{other} was not posted after the {site} failed"
    if site != "summary comment" and site != "comment lookup":
        # The summary comment, posted last, says what failed before it.
        assert "could not post" in github.issue_comments[7][-1]["body"]
    assert (tmp_path / "summary.md").read_text().strip()


def test_a_transient_5xx_on_posting_is_retried(
    tmp_path: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_pr(tmp_path, github)
    github.fail("POST", r"/check-runs$", 502, times=1)
    github.rate_limit("POST", r"/statuses/", secondary=True, times=1)
    code, out = run_action(tmp_path, github, monkeypatch)
    assert code == 1
    assert report_of(out)["github"]["post_failures"] == []  # type: ignore[index]
    assert github.check_runs and github.statuses


def test_github_unreachable_is_exit_2_in_one_line(
    tmp_path: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Connection refused takes the path a timeout takes (retried, then given up) without the wait."""
    import socket

    make_pr(tmp_path, github)
    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    workspace = tmp_path / "ws"
    workspace.mkdir()
    for key, value in runner_env(github, tmp_path, 7, workspace=workspace).items():
        if key not in ("PATH", "HOME"):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("GITHUB_API_URL", closed)
    assert main(["github"]) == 2
    assert_one_github_line(capsys.readouterr().err)
