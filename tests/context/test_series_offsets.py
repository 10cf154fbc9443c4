"""A `git format-patch` series whose hunk headers do not give the lines' places: the gate reviews the
program `git am` builds, or refuses the series as `git am` does.

`git am` trusts a hunk's context, not its header: a hunk whose lines are not at the stated line is
applied at the nearest place they are, and one whose lines are nowhere, that runs past the end of the
file, creates a file that is there or deletes more or less than the file is refused. The series here are
written by git, then their headers edited to the shapes git would not write.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from gate.cli import main
from gate.context.patch import load_patch_changeset
from gate.diff import Diff, parse_diff
from gate.diff.model import LineKind
from tests.gitrepo import GitRepo

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"
AUTH = 'def is_admin(user):\n    if user.role == "admin":\n        return True\n    return False\n\n\n'
LOG = "def log(msg):\n    print(msg)\n"


def _series(repo: GitRepo, tmp_path: Path, edit: tuple[str, str]) -> Path:
    """The series main..pr as git writes it, with one edit (a pattern and its replacement) made to it."""
    text, count = re.subn(edit[0], edit[1], repo.format_patch("main..pr").decode())
    assert count == 1, edit
    patch = tmp_path / "series.mbox"
    patch.write_text(text)
    return patch


def _git_am(repo: GitRepo, patch: Path, tmp_path: Path) -> Path | None:
    """A clone of main with the series applied by `git am`; None when git refuses it."""
    clone = tmp_path / "am"
    subprocess.run(["git", "clone", "-q", "-b", "main", str(repo.root), str(clone)], check=True)
    am = GitRepo.__new__(GitRepo)
    am.root = clone
    am.git("config", "user.name", "Test Human")
    am.git("config", "user.email", "human@example.com")
    done = subprocess.run(["git", "-C", str(clone), "am", "-q", str(patch)], capture_output=True, check=False)
    return clone if done.returncode == 0 else None


def _check(patch: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object], str]:
    code = main(["check", "--diff", str(patch), "--offline", "--format", "json"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code != 2 else {}), err


def _auth_pr(repo: GitRepo) -> tuple[str, str]:
    """main has README; pr adds app/auth.py, then puts `return True` at the top of `is_admin`."""
    repo.write("README", "base\n")
    repo.commit("base")
    repo.branch("pr")
    repo.write("app/auth.py", AUTH + LOG)
    first = repo.commit("add auth helpers\n\n" + CLAUDE)
    repo.write("app/auth.py", AUTH.replace(":\n", ":\n    return True\n", 1) + LOG)
    second = repo.commit("tidy")
    return first, second


def test_a_hunk_whose_header_names_other_lines_is_reviewed_where_git_am_applies_it(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = _auth_pr(repo)
    # The header says line 7 (`def log`), the context is lines 1-4: git finds the context and applies there.
    patch = _series(repo, tmp_path, (r"@@ -1,4 \+1,5 @@", "@@ -7,4 +7,5 @@"))
    clone = _git_am(repo, patch, tmp_path)
    assert clone is not None
    built = (clone / "app/auth.py").read_text().splitlines()
    assert built[:2] == ["def is_admin(user):", "    return True"]

    cs = load_patch_changeset(patch.read_bytes(), "series.mbox")
    (change,) = cs.diff.files
    assert {line.new_no: line.text for line in change.added_lines()} == dict(enumerate(built, 1))
    assert all(line.new_no is not None for h in change.hunks for line in h.lines)
    assert cs.line_origins["app/auth.py"] == {
        n: second if n == 2 else first for n in range(1, len(built) + 1)
    }
    # The line's number in its own commit's file is the one git's result has too.
    assert cs.line_origin_numbers["app/auth.py"][2] == 2
    code, report, _ = _check(patch, capsys)
    assert code != 2 and report["source"]["added_lines"] == len(built)  # type: ignore[index]


def test_a_created_file_whose_header_names_other_lines_starts_at_line_one(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.write("README", "base\n")
    repo.commit("base")
    repo.branch("pr")
    repo.write("g.py", "a = 1\nb = 2\nc = 3\n")
    sha = repo.commit("add g\n\n" + CLAUDE)
    # git writes a created file from its first line whatever the header says.
    patch = _series(repo, tmp_path, (r"@@ -0,0 \+1,3 @@", "@@ -0,0 +5,3 @@"))
    clone = _git_am(repo, patch, tmp_path)
    assert clone is not None and (clone / "g.py").read_text() == "a = 1\nb = 2\nc = 3\n"

    cs = load_patch_changeset(patch.read_bytes(), "series.mbox")
    assert [(line.new_no, line.text) for line in cs.diff.files[0].added_lines()] == [
        (1, "a = 1"),
        (2, "b = 2"),
        (3, "c = 3"),
    ]
    assert cs.line_origins == {"g.py": {1: sha, 2: sha, 3: sha}}


def test_an_offset_hunk_in_a_base_file_gives_the_diff_git_am_gives(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("m.py", "".join(f"line{i}\n" for i in range(1, 21)))
    repo.commit("base")
    repo.branch("pr")
    lines = [f"line{i}" for i in range(1, 21)]
    lines[4], lines[10] = "five", "eleven"
    repo.write("m.py", "".join(f"{line}\n" for line in lines))
    repo.commit("two lines\n\n" + CLAUDE)
    lines[7] = "eight"
    repo.write("m.py", "".join(f"{line}\n" for line in lines))
    repo.commit("one more")
    # Patch 1 showed lines 2-14; patch 2's lines 5-11 are stated at 8-14, where other known lines are.
    patch = _series(repo, tmp_path, (r"@@ -5,7 \+5,7 @@", "@@ -8,7 +8,7 @@"))
    clone = _git_am(repo, patch, tmp_path)
    assert clone is not None and (clone / "m.py").read_text() == (repo.root / "m.py").read_text()

    cs = load_patch_changeset(patch.read_bytes(), "series.mbox")
    am = GitRepo.__new__(GitRepo)
    am.root = clone
    expected = parse_diff(am.git("diff", "origin/main", "HEAD"))
    assert _changed_rows(cs.diff) == _changed_rows(expected)
    assert [line.new_no for line in cs.diff.files[0].added_lines()] == [5, 8, 11]


def _changed_rows(diff: Diff) -> list[tuple[str, int | None, int | None, str]]:
    return [
        (line.kind.name, line.old_no, line.new_no, line.text)
        for h in diff.files[0].hunks
        for line in h.lines
        if line.kind is not LineKind.CONTEXT
    ]


def test_an_offset_that_rests_on_base_lines_no_patch_shows_is_refused(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("m.py", "".join(f"line{i}\n" for i in range(1, 41)))
    repo.commit("base")
    repo.branch("pr")
    lines = [f"line{i}" for i in range(1, 41)]
    lines[4] = "five"
    repo.write("m.py", "".join(f"{line}\n" for line in lines))
    repo.commit("one line\n\n" + CLAUDE)
    lines[20] = "twenty-one"
    repo.write("m.py", "".join(f"{line}\n" for line in lines))
    repo.commit("another")
    # Patch 2's lines 18-24 stated at 5, over lines patch 1 showed: git would search the real base file,
    # which the series does not hold.
    patch = _series(repo, tmp_path, (r"@@ -18,7 \+18,7 @@", "@@ -5,7 +5,7 @@"))
    assert _git_am(repo, patch, tmp_path) is not None

    code, _, err = _check(patch, capsys)
    assert code == 2
    assert "patch 2 " in err and "hunk 1 of m.py" in err and "base file" in err
    assert len(err.strip().splitlines()) == 1


def _created_then_changed(repo: GitRepo) -> None:
    repo.write("README", "base\n")
    repo.commit("base")
    repo.branch("pr")
    repo.write("f.py", "a\nb\nc\n")
    repo.commit("add f\n\n" + CLAUDE)
    repo.write("f.py", "a\nb\nc\nd\n")
    repo.commit("append d")


def _created_then_deleted(repo: GitRepo) -> None:
    repo.write("README", "base\n")
    repo.commit("base")
    repo.branch("pr")
    repo.write("f.py", "a\nb\nc\n")
    repo.commit("add f\n\n" + CLAUDE)
    repo.remove("f.py")
    repo.commit("drop f")


@pytest.mark.parametrize(
    ("history", "edit", "refusal"),
    [
        # Context that is nowhere in the file.
        (
            _created_then_changed,
            (r" a\n b\n c\n\+d\n", " a\n B\n c\n+d\n"),
            "hunk 1 of f.py .* does not apply",
        ),
        # Context past the end of a file the series added: the file has three lines, not four.
        (
            _created_then_changed,
            (r"@@ -1,3 \+1,4 @@\n a\n b\n c\n\+d\n", "@@ -1,4 +1,5 @@\n a\n b\n c\n+d\n x\n"),
            "does not apply",
        ),
        # A creation of the file patch 1 created.
        (
            _created_then_changed,
            (
                r"index \w+\.\.(\w+) 100644\n--- a/f.py\n\+\+\+ b/f.py\n@@ -1,3 \+1,4 @@\n a\n b\n c\n",
                r"new file mode 100644\nindex 0000000..\1\n--- /dev/null\n+++ b/f.py\n@@ -0,0 +1,1 @@\n",
            ),
            "creates f.py, which an earlier patch",
        ),
        # A deletion that shows two of the file's three lines, or none.
        (
            _created_then_deleted,
            (r"@@ -1,3 \+0,0 @@\n-a\n-b\n-c\n", "@@ -1,2 +0,0 @@\n-a\n-b\n"),
            "hunk 1 of f.py .* does not apply",
        ),
        (
            _created_then_deleted,
            (r"--- a/f.py\n\+\+\+ /dev/null\n@@ -1,3 \+0,0 @@\n-a\n-b\n-c\n", ""),
            "deletes f.py, but its hunks leave 3 of its lines",
        ),
        # A deletion whose lines are not the file's.
        (
            _created_then_deleted,
            (r"@@ -1,3 \+0,0 @@\n-a\n-b\n-c\n", "@@ -1,3 +0,0 @@\n-a\n-B\n-c\n"),
            "does not apply",
        ),
    ],
)
def test_a_series_git_am_refuses_is_refused(
    repo: GitRepo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    history: Callable[[GitRepo], None],
    edit: tuple[str, str],
    refusal: str,
) -> None:
    history(repo)
    patch = _series(repo, tmp_path, edit)
    assert _git_am(repo, patch, tmp_path) is None

    code, _, err = _check(patch, capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "series.mbox: patch 2 (" in err
    assert re.search(refusal, err), err
