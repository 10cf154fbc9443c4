"""Files git calls binary for a NUL byte are read as text when they are UTF-8, through one `git cat-file`.

A pull request chooses how many such files it adds: each one read by a git process of its own cost
about 2 ms (3,000 files took 5.6 s, 5.1 s of it starting processes). One reader serves them all, asking
each blob's size before its bytes, so the check stays linear in the files and cheap per file.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from gate.context.git import Git
from gate.context.git_diff import MAX_TEXT_BINARY_BYTES, git_diff
from gate.diff.model import Diff
from tests.gitrepo import GitRepo

# The PNG signature's first byte (0x89) cannot start a UTF-8 character: a real binary.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(range(256))


def _nul_text(i: int) -> str:
    return f'export const SEP_{i} = "\0";\nexport const NAME_{i} = "file {i}";\n'


def _add_files(repo: GitRepo, first: int, count: int) -> None:
    for i in range(first, first + count):
        repo.write(f"src/gen/f{i:05d}.js", _nul_text(i))


@pytest.fixture
def counted_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """git on the PATH through a wrapper that logs each command line it starts: the log it returns."""
    real = shutil.which("git")
    assert real is not None
    bin_dir = tmp_path / "counted-git"
    bin_dir.mkdir()
    log = tmp_path / "git-commands.log"
    wrapper = bin_dir / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def _cat_files(log: Path) -> list[str]:
    lines = log.read_text().splitlines() if log.exists() else []
    return [line for line in lines if " cat-file " in f" {line} "]


def _diff(repo: GitRepo, base: str, head: str) -> Diff:
    return git_diff(Git.open(repo.root), base, head, source="test")


def test_many_nul_byte_files_are_read_as_text_through_one_git_process(
    repo: GitRepo, counted_git: Path
) -> None:
    count = 400
    repo.write("README.md", "# app\n")
    base = repo.commit("Initial")
    _add_files(repo, 0, count)
    for i in range(5):
        repo.write(f"assets/logo{i}.png", PNG + bytes([i]))  # real binaries, each its own blob
    repo.write("src/gen/same.js", _nul_text(0))  # the same blob as f00000.js: read once
    # Past the size bound: stays binary without being read (its size is asked first).
    repo.write("src/huge.js", '"\0";\n' + "// pad\n" * (MAX_TEXT_BINARY_BYTES // 7))
    head = repo.commit("Add generated files")
    counted_git.unlink(missing_ok=True)

    diff = _diff(repo, base, head)

    texts = {f"src/gen/f{i:05d}.js" for i in range(count)} | {"src/gen/same.js"}
    for path in texts:
        change = diff.by_path[path]
        assert not change.is_binary and not change.shown
        assert change.added[0].text.endswith('"\0";') and change.added_count == 2
    binary = {c.path for c in diff.files if c.is_binary}
    assert binary == {f"assets/logo{i}.png" for i in range(5)} | {"src/huge.js"}
    read = [n for n in diff.notes if "holds a NUL byte" in n and "read as text" in n]
    assert len(read) == len(texts)
    # One cat-file for all of them, not one a blob.
    assert len(_cat_files(counted_git)) == 1


def _seconds(repo: GitRepo, base: str, head: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        _diff(repo, base, head)
        best = min(best, time.perf_counter() - start)
    return best


def test_the_time_grows_with_the_files_no_faster(repo: GitRepo) -> None:
    small = 100
    repo.write("README.md", "# app\n")
    base = repo.commit("Initial")
    _add_files(repo, 0, small)
    fewer = repo.commit("Add some files")
    _add_files(repo, small, small * 4)
    more = repo.commit("Add five times as many")
    assert _diff(repo, base, more).by_path[f"src/gen/f{small * 5 - 1:05d}.js"].added_count == 2

    ratio = _seconds(repo, base, more) / _seconds(repo, base, fewer)

    assert ratio < 10, f"five times the files took {ratio:.1f} times as long"


@pytest.mark.usefixtures("git_without_batch_command")
def test_a_git_without_batch_command_reads_a_blob_a_process(repo: GitRepo) -> None:
    """git before 2.36 has no `cat-file --batch-command`: each blob is read by a process of its own."""
    repo.write("README.md", "# app\n")
    base = repo.commit("Initial")
    _add_files(repo, 0, 3)
    repo.write("logo.png", PNG)
    head = repo.commit("Add files")

    diff = _diff(repo, base, head)

    assert {c.path for c in diff.files if c.is_binary} == {"logo.png"}
    assert diff.by_path["src/gen/f00002.js"].added_count == 2
