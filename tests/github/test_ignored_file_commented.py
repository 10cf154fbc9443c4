"""A secret in a file `paths.ignore` leaves out is still found (the secrets stage reads those files), and
it is on the PR's diff: it is commented inline and annotated like any other blocking finding. It was
marked not commentable, as if its lines were not in the PR, so it was only in the summary.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git, runner_env
from tests.github.test_action_e2e import run_gate
from tests.gitrepo import GitRepo


def test_a_secret_in_an_ignored_file_is_commented_and_annotated(tmp_path: Path, github: FakeGitHub) -> None:
    repo = GitRepo(tmp_path / "origin")
    repo.write("src/app.py", "def total(items):\n    return sum(items)\n")
    repo.write(".github/ai-gate.yml", "version: 1\npaths:\n  ignore: ['vendor/**']\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("vendor/lib.py", 'X = 1\nAPI_TOKEN = "ghp_Q7n3Vb8Kx2Lm5Rt9Wc4Yh6Jd1Fs0Ga3Pe7Zu"\n')
    head = repo.commit("Vendor a lib")
    pull_from_git(github, repo, base, head, number=7)
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(workspace)], check=True)
    proc = run_gate(runner_env(github, tmp_path, 7, workspace=workspace), workspace)
    assert proc.returncode == 1, proc.stderr
    report = json.loads((workspace / ".ai-gate" / "report.json").read_text())
    [token] = [f for f in report["findings"] if f["stage"] == "secrets"]
    assert (token["path"], token["start_line"], token["blocking"]) == ("vendor/lib.py", 2, True)
    assert token["commentable"] and token["inline"]
    assert [(c["path"], c["line"]) for c in github.review_comments[7]] == [("vendor/lib.py", 2)]
    [run] = github.check_runs.values()
    assert [(a["path"], a["start_line"]) for a in run["output"]["annotations"]] == [("vendor/lib.py", 2)]
