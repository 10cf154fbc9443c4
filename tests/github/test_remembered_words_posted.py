"""What a PR taught the run's memory of secrets (`DB_PASSWORD=payments-v2` in an added `.env`) is hidden in
every text the gate posts, but never in the fields GitHub reads as identifiers: a conclusion, a side, a
path. Hidden there, GitHub refused the whole review (`[REDACTED]/api.py` is no file of the PR) or the
check run (`"conclusion": "[REDACTED]"`), and what was found was not posted at all. A comment or an
annotation on a path that holds such a value is left out, and the rest is posted. The summaries are
redacted before they are fitted to GitHub's limits, which a value hidden at many places would overrun.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from gate.github.limits import CHECK_SUMMARY_MAX_BYTES, COMMENT_BODY_MAX_CHARS
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git, runner_env
from tests.github.test_action_e2e import run_gate
from tests.gitrepo import GitRepo

TOKEN = "ghp_R8x2Lk9Qm4Tz7Wv1Yb6Nc3Hd5Jf0Gs8Pa2Ue"


def _run(tmp_path: Path, github: FakeGitHub, files: dict[str, str]) -> subprocess.CompletedProcess[str]:
    repo = GitRepo(tmp_path / "origin")
    repo.write("README.md", "service\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    for path, text in files.items():
        repo.write(path, text)
    head = repo.commit("Add the service")
    pull_from_git(github, repo, base, head, number=7)
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(workspace)], check=True)
    return run_gate(runner_env(github, tmp_path, 7, workspace=workspace), workspace)


def test_a_folder_named_like_a_remembered_value_keeps_its_comments_and_annotations(
    tmp_path: Path, github: FakeGitHub
) -> None:
    proc = _run(
        tmp_path,
        github,
        {
            "deploy/.env": "DB_PASSWORD=payments-v2\n",
            "payments-v2/api.py": f'TOKEN = "{TOKEN}"\n',
            "billing/api.py": f'OTHER = "{TOKEN[:-4]}Zq9X"\n',
        },
    )
    assert proc.returncode == 1, proc.stderr
    [review] = github.reviews
    # The path that holds the remembered value is not sent, hidden or whole: its finding is in the summary.
    paths = {c["path"] for c in github.review_comments[7]}
    assert {p for p in paths if p.endswith("api.py")} == {"billing/api.py"}
    [run] = github.check_runs.values()
    assert run["conclusion"] == "failure"
    annotated = {a["path"] for a in run["output"]["annotations"]}
    assert {p for p in annotated if p.endswith("api.py")} == {"billing/api.py"}
    posted = str([review, github.review_comments[7], run, github.issue_comments[7]])
    assert TOKEN not in posted and "payments-v2" not in posted
    # The review counts the comments it holds; a second run finds nothing new to comment, and posts none.
    assert f"{len(github.review_comments[7])} new finding" in review["body"]
    workspace = tmp_path / "workspace"
    assert run_gate(runner_env(github, tmp_path, 7, workspace=workspace), workspace).returncode == 1
    assert len(github.reviews) == 1


def test_a_conclusion_a_pr_set_as_a_password_is_still_the_conclusion(
    tmp_path: Path, github: FakeGitHub
) -> None:
    env = "DB_PASSWORD=failure\nREDIS_PASSWORD=success\n"
    proc = _run(tmp_path, github, {".env": env, "app.py": "X = 1\n"})
    [run] = github.check_runs.values()
    assert run["conclusion"] in ("failure", "success", "neutral"), run["conclusion"]
    assert run["conclusion"] == ("failure" if proc.returncode == 1 else "success")
    assert [s["state"] for s in github.statuses] == [run["conclusion"]]


def test_the_summaries_are_fitted_after_the_remembered_values_are_hidden(
    tmp_path: Path, github: FakeGitHub
) -> None:
    # `abcdef` is remembered, and named 30 times in each of 100 paths of findings: each grows by the marker.
    deep = "/".join(["abcdef"] * 30)
    files = {"deploy/.env": "DB_PASSWORD=abcdef\n", "src/settings.py": f'API_TOKEN = "{TOKEN}"\n'}
    files |= {f"{deep}/f{i:03}.py": f'N = "na\u200bme{i}"\n' for i in range(100)}
    proc = _run(tmp_path, github, files)
    assert proc.returncode == 1, proc.stderr
    [run] = github.check_runs.values()
    assert run["conclusion"] == "failure"
    assert len(run["output"]["summary"].encode()) <= CHECK_SUMMARY_MAX_BYTES
    [comment] = github.issue_comments[7]
    assert len(comment["body"]) <= COMMENT_BODY_MAX_CHARS
