"""`ai-gate check --repo` reads the names of its range once, and every later read goes by the commits.

The run read `--base` by name three times: for the config's range, for the config's commit, and again
for the diff. A branch that moved in between (a CI job's fetch, a push while the gate worked) gave the
config one commit of the base and the diff another, and the report named a commit the change was not
compared with. Here a `git` first on PATH moves the base branch one commit on each time the run reads
its name, as pushes landing during the run would.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from gate.cli import main
from tests.gitrepo import GitRepo


def _moving_git(bin_dir: Path, repo: GitRepo, queue: list[str]) -> Path:
    """A `git` that runs the real one, logs its arguments, and after each read of `main` moves the
    branch to the next commit of `queue`. Returns the log."""
    real = shutil.which("git")
    assert real is not None
    bin_dir.mkdir()
    log, pending = bin_dir / "calls.log", bin_dir / "queue"
    pending.write_text("".join(f"{sha}\n" for sha in queue))
    wrapper = bin_dir / "git"
    wrapper.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {log}\n'
        f'{real} "$@"\n'
        "status=$?\n"
        'for arg in "$@"; do\n'
        '  if [ "$arg" = "main^{commit}" ]; then\n'
        f"    next=$(head -n 1 {pending})\n"
        f'    if [ -n "$next" ]; then\n'
        f"      tail -n +2 {pending} > {pending}.rest && mv {pending}.rest {pending}\n"
        f'      {real} -C {repo.root} update-ref refs/heads/main "$next"\n'
        "    fi\n"
        "  fi\n"
        "done\n"
        'exit "$status"\n'
    )
    wrapper.chmod(0o755)
    return log


def test_the_config_and_the_diff_come_from_the_base_as_it_was_read_once(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write(".github/ai-gate.yml", "version: 1\n")
    repo.write("README.md", "# app\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("first.py", "A = 1\n")
    first = repo.commit("Add the first module")
    repo.write("second.py", "B = 2\n")
    second = repo.commit("Add the second module")
    log = _moving_git(tmp_path / "bin", repo, [first, second])
    monkeypatch.setenv("PATH", f"{log.parent}{os.pathsep}{os.environ['PATH']}")

    args = ["--repo", str(repo.root), "--base", "main", "--head", "feature", "--offline", "--format", "json"]
    code = main(["check", *args, "--no-progress"])

    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["notes"][0] == f"configuration: .github/ai-gate.yml at main ({base[:12]})"
    assert (report["source"]["base"], report["source"]["files"]) == (base, 2)
    calls = log.read_text().splitlines()
    assert sum(call.endswith(" main^{commit}") for call in calls) == 1
    # The check that `main` names one ref alone ran once too.
    assert sum(" for-each-ref " in f" {call} " and "refs/heads/main" in call for call in calls) == 1
    assert repo.git("rev-parse", "main").strip() == first  # the branch did move under the run
