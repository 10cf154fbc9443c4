"""A file's lines are numbered as git and the diff number them: a form feed, a vertical tab, U+2028 or a
lone CR inside a line does not start a new one, where `str.splitlines` would, and every line after it
would be read at another number than the findings and the prompts give it."""

from __future__ import annotations

from pathlib import Path

from gate.context.lines import git_lines, head_lines
from gate.context.local_git import load_git_changeset
from gate.diff.model import FileStatus
from tests.gitrepo import GitRepo

# Each line holds a character `str.splitlines` splits at; git, and the diff, do not.
ODD = "".join(
    f"{line}\n"
    for line in (
        "page one\x0cpage two",
        "tab\x0bbed",
        "sep\u2028arated",
        "para\u2029graph",
        "lone\rcr",
        "fs\x1csep",
        "nel\x85end",
    )
)


def test_git_lines_split_at_lf_alone_and_drop_the_cr_before_it():
    assert git_lines("a\x0cb\nc\r\nd\re\n") == ["a\x0cb", "c", "d\re"]
    assert git_lines("no newline at the end") == ["no newline at the end"]
    assert git_lines("") == []
    assert git_lines("\n\n") == ["", ""]


def test_head_lines_are_the_diffs_lines_at_the_same_numbers(tmp_path: Path):
    repo = GitRepo(tmp_path / "repo")
    repo.write("app.py", "x = 1\n")
    base = repo.commit("base")
    body = ODD + "".join(f"line_{i} = {i}\n" for i in range(20))
    repo.write("app.py", "x = 1\n" + body)
    repo.write("new.py", body)
    repo.commit("change")
    changeset = load_git_changeset(repo.root, base, "HEAD")
    read = head_lines(changeset)
    checked = 0
    for change in changeset.diff.files:
        assert change.status in (FileStatus.ADDED, FileStatus.MODIFIED)
        for line in change.added:
            assert line.new_no is not None
            assert read(change.path, line.new_no, line.new_no) == [line.text], (change.path, line.new_no)
            checked += 1
    assert checked == 2 * (len(ODD.split("\n")) - 1 + 20)


def test_an_added_file_reads_as_its_head_text(tmp_path: Path):
    """A file the change adds is read from its one hunk rather than from git: the same lines as its
    text at head, whatever ends its lines or however it ends."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("app.py", "x = 1\n")
    base = repo.commit("base")
    files = {
        "odd.py": ODD,
        "crlf.py": "a = 1\r\nb = 2\r\n",
        "no_newline.py": "a = 1\nb = 2",
        "blank_lines.py": "\n\n\nx = 1\n\n",
        "trailing_cr.py": "a = 1\r",
    }
    for path, text in files.items():
        repo.write(path, text)
    repo.commit("change")
    changeset = load_git_changeset(repo.root, base, "HEAD")
    assert changeset.revisions is not None
    read = head_lines(changeset)
    for path in files:
        lines = git_lines(changeset.revisions.read("head", path))
        assert read(path, 1, len(lines)) == lines, path
        assert read(path, len(lines), len(lines) + 1) is None, path
