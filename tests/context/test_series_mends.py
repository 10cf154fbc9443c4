"""Inputs a hostile mbox can hold, read by `load_patch_changeset`: a `From` line with a year of thousands
of digits (`int()` refuses it, `git mailsplit`'s `strtol` saturates), a binary delta whose file a later
patch renames, and patches whose one-line headers make a long file that every moved hunk walked."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gate.context.patch import load_patch_changeset
from gate.errors import InputError
from tests.gitrepo import GitRepo


def test_a_from_line_with_a_year_of_thousands_of_digits_is_read_as_git_mailsplit_reads_it() -> None:
    patch = "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n"
    data = f"From x 10:00:00 {'9' * 5000}\nSubject: s\n\n---\n{patch}"
    changeset = load_patch_changeset(data.encode(), "x.mbox")  # a ValueError escaped before
    assert changeset.source == "mbox" and [f.path for f in changeset.diff.files] == ["f"]


def test_a_binary_delta_whose_file_a_later_patch_renames_is_still_unread(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    body = b"\0" + b"".join(b"print('line %d')\n" % i for i in range(2000))
    repo.write("logo.bin", body)
    base = repo.commit("base")
    repo.write("logo.bin", body.replace(b"line 1000", b"line one thousand"))
    repo.commit("Change the logo")
    repo.git("mv", "logo.bin", "evil.py")
    repo.commit("Rename the logo")
    mbox = subprocess.run(
        ["git", "-C", str(repo.root), "format-patch", "--binary", "--stdout", f"{base}..HEAD"],
        capture_output=True,
        check=True,
    ).stdout
    assert b"\ndelta " in mbox
    changeset = load_patch_changeset(mbox, "s.mbox")
    assert [f.path for f in changeset.diff.files] == ["evil.py"]
    assert any("binary delta" in u and "evil.py" in u for u in changeset.unread)


def test_many_patches_each_walking_a_long_file_are_refused_by_the_series_budget() -> None:
    def message(i: int, hunk: str) -> str:
        return (
            f"From {i:040x} Mon Sep 17 00:00:00 2001\nFrom: A <a@b>\nSubject: [PATCH] p{i}\n\n---\n"
            f"diff --git a/f b/f\n--- a/f\n+++ b/f\n{hunk}"
        )

    parts = [message(1, "@@ -999990,3 +999990,4 @@\n a\n+z\n b\n c\n")]
    parts += [message(i, "@@ -999990,2 +999990,2 @@\n-b\n+b\n c\n") for i in range(2, 202)]
    with pytest.raises(InputError, match="line comparisons"):
        load_patch_changeset("".join(parts).encode(), "x.mbox")
