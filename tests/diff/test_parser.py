"""The diff parser: every shape of change git prints becomes the one model."""

from __future__ import annotations

import pytest

from gate.diff import FileStatus, LineKind, parse_diff
from gate.diff.parser import decode_patch
from gate.errors import InputError
from tests.gitrepo import GitRepo


def _git_diff(repo: GitRepo, *args: str) -> str:
    return repo.git("diff", "-M", *args)


def test_added_removed_lines_keep_their_numbers() -> None:
    diff = parse_diff(
        "--- a/f.py\n+++ b/f.py\n@@ -1,4 +1,4 @@\n one\n-two\n+TWO\n three\n four\n"
        "@@ -10,2 +10,3 @@ def g():\n ten\n+ten.5\n eleven\n"
    )
    (change,) = diff.files
    assert change.status is FileStatus.MODIFIED
    assert [(line.new_no, line.text) for line in change.added_lines()] == [(2, "TWO"), (11, "ten.5")]
    assert [(line.old_no, line.text) for h in change.hunks for line in h.removed] == [(2, "two")]
    assert change.hunks[1].section == "def g():"
    assert diff.added_count == 2 and diff.removed_count == 1
    assert change.commentable_lines == frozenset({1, 2, 3, 4, 10, 11, 12})


def test_real_git_diff_with_rename_delete_mode_binary_and_no_newline(repo: GitRepo) -> None:
    repo.write("keep.py", "a\nb\nc\nd\ne\nf\n")
    repo.write("gone.txt", "bye\n")
    repo.write("run.sh", "echo hi\n")
    repo.write("old/name.py", "x = 1\ny = 2\nz = 3\nw = 4\n")
    repo.commit("base")
    base = repo.head()
    repo.write("keep.py", "a\nb\nC\nd\ne\nf")  # also drops the final newline
    repo.remove("gone.txt")
    (repo.root / "run.sh").chmod(0o755)
    (repo.root / "new").mkdir()
    repo.git("mv", "old/name.py", "new/name.py")
    repo.write("new/name.py", "x = 1\ny = 2\nz = 3\nw = 5\n")
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00binary")
    repo.commit("change")
    diff = parse_diff(_git_diff(repo, base, "HEAD"))
    by = diff.by_path
    assert by["gone.txt"].status is FileStatus.DELETED
    assert by["run.sh"].old_mode == "100644" and by["run.sh"].new_mode == "100755"
    assert by["new/name.py"].status is FileStatus.RENAMED and by["new/name.py"].old_path == "old/name.py"
    assert [line.text for line in by["new/name.py"].added_lines()] == ["w = 5"]
    assert by["logo.png"].is_binary and by["logo.png"].status is FileStatus.ADDED
    keep = by["keep.py"]
    assert keep.hunks[-1].new_missing_newline and not keep.hunks[-1].old_missing_newline
    assert [line.text for line in keep.added_lines()] == ["C", "f"]


def test_crlf_lines_are_stripped_and_said() -> None:
    diff = parse_diff("--- a/w.txt\r\n+++ b/w.txt\r\n@@ -1 +1 @@\r\n-a\r\n+b\r\n")
    (change,) = diff.files
    assert [line.text for line in change.added_lines()] == ["b"]
    assert change.notes == ("w.txt: CRLF line ends",)


def test_non_utf8_is_decoded_with_replacement_and_said() -> None:
    raw = b"diff --git a/l.txt b/l.txt\n--- a/l.txt\n+++ b/l.txt\n@@ -1 +1 @@\n-a\n+caf\xe9\n"
    text, notes = decode_patch(raw)
    diff = parse_diff(text)
    assert [line.text for line in diff.files[0].added_lines()] == ["caf\ufffd"]
    assert notes == ("l.txt: not valid UTF-8; decoded with replacement characters",)


def test_quoted_unicode_path(repo: GitRepo) -> None:
    repo.write("a.txt", "1\n")
    repo.commit("base")
    repo.write("naïve file.txt", "hello\n")
    repo.commit("add")
    text = repo.git("-c", "core.quotepath=on", "diff", "HEAD~1", "HEAD")
    assert '"' in text  # git quoted the path
    diff = parse_diff(text)
    assert diff.files[0].path == "naïve file.txt"


def test_empty_input_is_an_empty_diff() -> None:
    assert parse_diff("").files == ()
    assert parse_diff("\n\n").files == ()


@pytest.mark.parametrize(
    "text",
    [
        "just some words\nnot a diff\n",
        "@@ -1 +1 @@\n-a\n+b\n",  # a hunk with no file header
    ],
)
def test_text_that_is_no_diff_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError):
        parse_diff(text)


def test_is_commentable_only_inside_one_hunk() -> None:
    diff = parse_diff("--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n a\n+b\n c\n@@ -20,1 +21,2 @@\n t\n+u\n")
    assert diff.is_commentable("f", 2, 2)
    assert diff.is_commentable("f", 1, 3)
    assert not diff.is_commentable("f", 3, 21)  # spans two hunks
    assert not diff.is_commentable("f", 10, 10)  # not in the diff
    assert not diff.is_commentable("other", 1, 1)
    assert diff.files[0].hunks[0].lines[1].kind is LineKind.ADDED
