"""A git command started ahead of the `run` that needs its output (`Git.start`): the run takes what that
process printed, once, and fails as it would have; what no run took is ended."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gate.analyzers.secrets import SecretsAnalyzer
from gate.config.models import Config
from gate.context.git import Git
from gate.context.git_diff import _split, git_diff, start_diff
from gate.context.local_git import load_git_changeset
from gate.errors import GitError
from gate.redact import learn_changeset
from gate.run import RunContext, prepare
from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[2]


def _git_first(tmp_path: Path, name: str, before: str) -> str:
    """A PATH whose first `git` runs the shell lines `before`, then the real git."""
    real = shutil.which("git")
    assert real is not None
    bin_dir = tmp_path / name
    bin_dir.mkdir()
    (bin_dir / "git").write_text(f'#!/bin/sh\n{before}exec {real} "$@"\n')
    (bin_dir / "git").chmod(0o755)
    return f"{bin_dir}{os.pathsep}{os.environ['PATH']}"


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `git` first on PATH that writes each command's subcommand and arguments to a log, one line a
    command, then runs the real git."""
    log = tmp_path / "calls.log"
    monkeypatch.setenv("PATH", _git_first(tmp_path, "logging-git", f'echo "$*" >> {log}\n'))
    log.write_text("")
    return log


def _ran(log: Path, needle: str) -> int:
    return sum(needle in line for line in log.read_text().splitlines())


@pytest.fixture
def change(repo: GitRepo) -> tuple[GitRepo, str, str]:
    repo.write("a.py", "x = 1\n")
    repo.write("old name.txt", "kept\n")
    base = repo.commit("base")
    repo.write("a.py", "x = 1\ny = 2\n")
    repo.git("mv", "old name.txt", "new name.txt")
    repo.write("image.bin", b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)))
    return repo, base, repo.commit("head")


def test_a_run_takes_the_output_of_the_same_command_started_before_it_once(
    change: tuple[GitRepo, str, str], calls: Path
) -> None:
    repo, base, head = change
    git = Git.open(repo.root)
    expected = Git.open(repo.root).run("diff", base, head)
    git.start("diff", base, head)
    assert git.run("diff", base, head) == expected
    assert _ran(calls, f"diff {base} {head}") == 2  # the one started, and the unstarted `expected`
    assert git.run("diff", base, head) == expected  # a second run runs git again
    assert _ran(calls, f"diff {base} {head}") == 3
    git.start("diff", "--stat", base, head)
    assert git.run("diff", base, head) == expected  # other arguments: not that command's output
    git.stop_started()


def test_a_started_command_that_fails_fails_its_run_as_an_unstarted_one_does(
    change: tuple[GitRepo, str, str],
) -> None:
    repo, _, head = change
    git = Git.open(repo.root)
    with pytest.raises(GitError) as unstarted:
        git.run("diff", "no-such-revision", head)
    git.start("diff", "no-such-revision", head)
    with pytest.raises(GitError) as started:
        git.run("diff", "no-such-revision", head)
    assert started.value.message == unstarted.value.message
    git.start("diff", "no-such-revision", head)
    assert git.run("diff", "no-such-revision", head, check=False) == b""


def test_a_started_command_that_failed_on_its_own_runs_again(
    change: tuple[GitRepo, str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its output went to a file: a full disk fails it where the run's own pipe would not."""
    repo, base, head = change
    marker = tmp_path / "disk-full-once"
    full = f'if [ -e {marker} ]; then rm {marker}; echo "fatal: No space left on device" >&2; exit 128; fi\n'
    monkeypatch.setenv("PATH", _git_first(tmp_path, "full-disk-git", full))
    git = Git.open(repo.root)
    expected = git.run("diff", base, head)
    marker.write_text("")
    git.start("diff", base, head)
    assert git.run("diff", base, head) == expected
    assert not marker.exists()  # the started one was the one that failed


def test_what_no_run_took_is_ended(
    change: tuple[GitRepo, str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A git that would work for a minute on `--stat` is stopped at once, and nothing is left running."""
    repo, base, head = change
    slow = 'case "$*" in *--stat*) exec sleep 61.25;; esac\n'
    monkeypatch.setenv("PATH", _git_first(tmp_path, "slow-git", slow))
    git = Git.open(repo.root)
    git.start("diff", "--stat", base, head)
    git.start("diff", base, head)
    started = time.monotonic()
    git.stop_started()
    assert time.monotonic() - started < 10
    assert not [p for p in Path("/proc").glob("[0-9]*") if b"61.25" in _cmdline(p)]
    assert git.run("diff", base, head) == Git.open(repo.root).run("diff", base, head)


def _cmdline(process: Path) -> bytes:
    try:
        return (process / "cmdline").read_bytes()
    except OSError:
        return b""


def test_a_diff_started_ahead_reads_as_one_read_at_once(
    change: tuple[GitRepo, str, str], calls: Path
) -> None:
    repo, base, head = change
    alone = git_diff(Git.open(repo.root), base, head, source="x")
    git = Git.open(repo.root)
    start_diff(git, base, head)
    ahead = git_diff(git, base, head, source="x")
    assert ahead == alone
    assert [f.path for f in ahead.files] == ["a.py", "image.bin", "new name.txt"]
    # Each of the two commands git_diff runs was started ahead, and run by it no more.
    assert _ran(calls, "--name-status") == 2
    assert _ran(calls, "diff --no-color") == 2


def test_a_patch_is_cut_into_files_at_each_line_that_opens_one() -> None:
    text = (
        "from the mail\n"
        "diff --git a/x b/x\n@@ -0,0 +1,2 @@\n+a\n+diff --git a/in b/body\n"
        "diff --git a/y b/y\r\nBinary files a/y and b/y differ"
    )
    assert _split(text) == [
        "diff --git a/x b/x\n@@ -0,0 +1,2 @@\n+a\n+diff --git a/in b/body\n",
        "diff --git a/y b/y\r\nBinary files a/y and b/y differ\n",  # the last line ends like the others
    ]
    assert _split("") == []
    assert _split("no file\n") == []


def test_a_forked_child_runs_its_own_command_not_one_its_parent_started(
    change: tuple[GitRepo, str, str], tmp_path: Path
) -> None:
    """Only the process that started git can wait for it to end: a child that took its parent's command
    would read what git had written so far (here nothing: it waits a second first)."""
    repo, base, head = change
    marker = tmp_path / "slow-once"
    path = _git_first(tmp_path, "slow-once-git", f"if [ -e {marker} ]; then rm {marker}; sleep 1; fi\n")
    script = textwrap.dedent(
        f"""
        import os, time
        from pathlib import Path
        from gate.context.git import Git
        git = Git.open(Path({str(repo.root)!r}))
        expected = git.run("diff", {base!r}, {head!r})
        marker = Path({str(marker)!r})
        marker.write_text("")
        git.start("diff", {base!r}, {head!r})  # this one waits a second
        while marker.exists():
            time.sleep(0.01)
        pid = os.fork()
        if pid == 0:
            os._exit(0 if git.run("diff", {base!r}, {head!r}) == expected else 3)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, "the child read its parent's command"
        assert git.run("diff", {base!r}, {head!r}) == expected
        """
    )
    env = {**os.environ, "PATH": path}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_the_secrets_stage_has_the_commits_counted_while_the_process_works_on(
    repo: GitRepo, calls: Path
) -> None:
    repo.write("a.py", "x = 1\n")
    repo.commit("base")
    repo.branch("pr")
    repo.write("a.py", "x = 1\ny = 2\n")
    repo.commit("one")
    repo.write("b.py", "z = 3\n")
    repo.commit("two")
    changeset = load_git_changeset(repo.root, "main", "pr")
    ctx = RunContext(changeset=changeset, config=Config(), offline=True)
    learn_changeset(changeset)
    prepare([SecretsAnalyzer()], ctx)
    waited = time.monotonic()
    while _ran(calls, "--numstat") == 0 and time.monotonic() - waited < 30:
        time.sleep(0.01)
    assert _ran(calls, "--numstat") == 1  # started before the stage runs
    result = SecretsAnalyzer().run(ctx)
    assert result.error is None
    assert _ran(calls, "--numstat") == 1  # the stage read the one started
    SecretsAnalyzer().run(ctx)
    assert _ran(calls, "--numstat") == 2
