"""What a commit's own diff may hold that its reader must take as text: a NUL past the 8,000 bytes git reads
to call a file binary, which git prints in a text patch; and what a merge may make its reader read: a
merge of many parents is read against its first parent alone, which the range's commits tell without
asking git again."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from gate.context.commit_lines import GitCommitLines
from gate.context.git import Git
from gate.context.local_git import load_git_changeset
from gate.diff.model import LineKind
from tests.gitrepo import GitRepo


def test_a_nul_in_a_text_patch_is_no_commit_of_its_own(tmp_path: Path):
    repo = GitRepo(tmp_path / "repo")
    repo.write("app.py", "x = 1\n")
    repo.commit("base")
    # After 8,000 bytes of text git prints the file as text: the NUL, and a line after it that reads
    # like a commit header, are lines of the patch.
    fake = "0" * 40
    repo.write("app.py", "a" * 9000 + "\nb\0\n\0" + fake + " " + fake + " " + fake + "\nx = 2\n")
    sha = repo.commit("change")
    diffs = list(GitCommitLines(Git(repo.root)).diffs([sha]))
    assert [s for s, _ in diffs] == [sha]
    [(_, diff)] = diffs
    added = [line.text for change in diff.files for line in change.added]
    assert added == ["a" * 9000, "b\0", "\0" + fake + " " + fake + " " + fake, "x = 2"]


def test_a_merge_of_many_parents_is_read_against_its_first_parent_alone(tmp_path: Path):
    """Against each of its parents, a merge's diff repeated a file one side added once for every other
    parent: twelve parents and one file of 300 lines were 3,300 lines (a hundred and 20,000: 13 MB)."""
    repo = GitRepo(tmp_path / "repo")
    _, big, merge, after = _octopus(repo)
    diffs = list(GitCommitLines(Git(repo.root)).diffs([big, merge, after]))
    assert [sha for sha, _ in diffs] == [big, merge, after]  # read apart, they come in the order asked
    lines = [
        line
        for sha, diff in diffs
        if sha == merge
        for change in diff.files
        for hunk in change.hunks
        for line in hunk.lines
    ]
    assert len(lines) == 300 and all(line.kind is LineKind.ADDED for line in lines)


def _octopus(repo: GitRepo) -> tuple[str, str, str, str]:
    """The base, a commit adding a file of 300 lines, a merge of it with eleven other parents, and a
    commit after the merge."""
    repo.write("README.md", "project\n")
    base = repo.commit("base")
    sides = [
        repo.git("commit-tree", "-p", base, "-m", f"side {i}", f"{base}^{{tree}}").strip() for i in range(11)
    ]
    repo.write("big.py", "".join(f"line_{i} = {i}\n" for i in range(300)))
    big = repo.commit("Add the big file")
    parents = [arg for sha in sides for arg in ("-p", sha)]
    merge = repo.git("commit-tree", *parents, "-p", big, "-m", "Merge the sides", f"{big}^{{tree}}").strip()
    repo.git("reset", "-q", "--hard", merge)
    repo.write("big.py", "line_0 = 'changed'\n")
    after = repo.commit("Cut the big file")
    return base, big, merge, after


def test_a_ranges_merges_are_told_by_the_parents_its_commits_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The range's commits were read with their parents; asking git for them again, to find the merges
    of many parents, was one more git process for every run that read its commits' diffs."""
    repo = GitRepo(tmp_path / "repo")
    base, *_ = _octopus(repo)
    changeset = load_git_changeset(repo.root, base, "HEAD")
    assert changeset.commit_lines is not None
    shas = [c.sha for c in changeset.commits]
    asked = list(GitCommitLines(Git(repo.root)).diffs(shas))
    real = shutil.which("git")
    assert real is not None
    (tmp_path / "bin").mkdir()
    log, wrapper = tmp_path / "bin" / "calls.log", tmp_path / "bin" / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")

    told = list(changeset.commit_lines.diffs(shas))

    assert told == asked
    calls = log.read_text().splitlines()
    assert len(calls) == 2 and all("--patch" in call for call in calls)  # the reads of the diffs alone


def test_the_files_a_commit_printed_as_binary_are_read_once_for_its_lines_and_its_diffs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a file git printed as binary is text is asked of git once a run: the lines a commit added
    and its diffs are read from the same commits, and a blob's name is its content's."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "project\n")
    repo.commit("base")
    repo.write("app.js", 'const SEP = "\0";\nconst NAME = "app";\n')
    repo.write("logo.png", bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(range(256)))
    sha = repo.commit("Add the app")
    real = shutil.which("git")
    assert real is not None
    (tmp_path / "bin").mkdir()
    log, wrapper = tmp_path / "bin" / "calls.log", tmp_path / "bin" / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    reader = GitCommitLines(Git(repo.root))

    added = [text for _, text in reader.added_texts([sha])]
    [(_, diff)] = list(reader.diffs([sha]))

    assert added == ['const SEP = "\0";', 'const NAME = "app";']
    assert [line.text for line in diff.by_path["app.js"].added] == added
    assert diff.by_path["logo.png"].is_binary and reader.binary_changes([sha]) == {sha}
    cat_files = [call for call in log.read_text().splitlines() if "cat-file" in call.split()]
    assert len(cat_files) == 2  # the sides' blobs, and their bytes: once each


def test_the_commits_that_each_print_a_file_as_binary_are_read_again_by_one_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A range of many commits, each adding its own file with a NUL byte, is read again as text by one
    git process, not one a commit; each commit keeps only its own files' lines."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "project\n")
    repo.commit("base")
    shas = []
    for n in range(12):
        repo.write(f"mod{n}.js", f'const SEP = "\0";\nconst NAME = "mod{n}";\n')
        shas.append(repo.commit(f"Add mod{n}"))
    real = shutil.which("git")
    assert real is not None
    (tmp_path / "bin").mkdir()
    log, wrapper = tmp_path / "bin" / "calls.log", tmp_path / "bin" / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    reader = GitCommitLines(Git(repo.root))

    added = [text for _, text in reader.added_texts(shas)]

    assert added == [line for n in range(12) for line in ('const SEP = "\0";', f'const NAME = "mod{n}";')]
    again = [call for call in log.read_text().splitlines() if "--text" in call.split()]
    assert len(again) == 1


def test_files_past_what_one_command_line_holds_are_read_again_in_shares(tmp_path: Path) -> None:
    """1,000 files of 3,000-character paths (3 MB of names, past the system's 2 MiB for a command's
    arguments) that one commit printed as binary with a NUL and the next as text again: the second read
    gives each file's lines, where naming them all to one git raised `OSError` and failed provenance."""
    repo = GitRepo(tmp_path / "repo")
    names = [(f"d{n:04d}/" + "x" * 3_000).encode() for n in range(1_000)]
    blobs = [b"hello\nworld\n", b"hello\x00\nworld\n", b"hello\nworld again\n"]
    stream = bytearray()
    for mark, data in enumerate(blobs, start=1):
        stream += b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data)
    for mark in range(1, 4):
        stream += b"commit refs/heads/main\nmark :%d\ncommitter a <a@example.com> %d +0000\ndata 2\nc\n" % (
            100 + mark,
            mark,
        )
        if mark > 1:
            stream += b"from :%d\n" % (99 + mark)
        stream += b"".join(b"M 100644 :%d %s\n" % (mark, name) for name in names) + b"\n"
    subprocess.run(["git", "-C", str(repo.root), "fast-import", "--quiet"], input=bytes(stream), check=True)
    shas = repo.git("log", "--format=%H", "main").split()[:2]

    added = list(GitCommitLines(Git(repo.root)).added_texts(shas[1::-1]))  # the NUL added, then taken out

    # each file's line with the NUL, then its two lines as text again
    assert len(added) == 3_000
    assert sorted({text for _, text in added}) == ["hello", "hello\0", "world again"]
