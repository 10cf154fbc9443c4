"""The Action reading a PR through the API (no checkout) reads a Python file's coding line as Python
does: a file Python decodes as other text than the gate read is not read, and the check run says so."""

from __future__ import annotations

from pathlib import Path

from tests.context.test_python_coding import HIDDEN, utf7_run
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git, runner_env
from tests.github.test_action_e2e import run_gate
from tests.gitrepo import GitRepo

# No model stage is called: the thresholds that call them are out of reach.
CONFIG = "version: 1\nthresholds:\n  review: {ai_share: 1.0, ai_lines: 100000000, changed_lines: 100000000}\n"
FILLER = "".join(f"X{i} = {i}\n" for i in range(40))


def test_a_coding_line_the_diff_does_not_show_is_read_through_the_api(
    tmp_path: Path, github: FakeGitHub
) -> None:
    repo = GitRepo(tmp_path / "origin")
    repo.write(".github/ai-gate.yml", CONFIG)
    repo.write("app/net.py", "# coding: utf-7\n" + FILLER)
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("app/net.py", "# coding: utf-7\n" + FILLER + f"# {utf7_run(HIDDEN)}\n")
    head = repo.commit("Tidy the client")
    pull_from_git(github, repo, base, head, number=7)

    proc = run_gate(runner_env(github, tmp_path, 7, workspace=None), tmp_path)

    assert proc.returncode == 0, proc.stderr
    (run,) = github.check_runs.values()
    assert run["conclusion"] == "neutral"
    assert "(app/net.py: coding utf-7)" in run["output"]["summary"]
