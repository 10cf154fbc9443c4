"""A file whose type changes (a regular file turned into a symlink, or back) is read as git prints it.

`git diff --name-status` lists such a change once, as `T`, while the patch prints it as two sections:
the old file's deletion, then the new one's creation. The gate once counted the two apart and refused
the whole change; a test file replaced by a symlink is now a deleted test, and the symlink an added file.
"""

from __future__ import annotations

import json
import os

import pytest

from gate.cli import main
from tests.gitrepo import GitRepo

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"
CODE = "def add(a, b):\n    return a + b\n"
TEST = "from src.calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"


def _check(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = main(
        ["check", "--repo", str(repo.root), "--base", "main", "--head", "pr", "--offline", "--format", "json"]
    )
    return code, json.loads(capsys.readouterr().out)


def _symlink(repo: GitRepo, path: str, target: str) -> None:
    """`path` replaced by a symlink to `target`, as `rm path; ln -s target path` makes it."""
    (repo.root / path).unlink(missing_ok=True)
    os.symlink(target, repo.root / path)


def _base(repo: GitRepo) -> None:
    repo.write("src/calc.py", CODE)
    repo.write("tests/test_calc.py", TEST)
    repo.commit("Initial")
    repo.branch("pr")


def test_a_test_file_turned_into_a_symlink_is_a_deleted_test(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    repo.write("src/calc.py", CODE.replace("a + b", "a - b"))
    _symlink(repo, "tests/test_calc.py", "../src/calc.py")
    repo.commit("Simplify\n\n" + CLAUDE)
    listed = repo.git("diff", "--name-status", "main", "pr", "--", "tests")
    assert listed.split() == ["T", "tests/test_calc.py"]

    code, report = _check(repo, capsys)

    assert code == 1
    deleted = [f for f in report["findings"] if f["rule"] == "test-file-deleted"]
    assert [(f["path"], f["blocking"]) for f in deleted] == [("tests/test_calc.py", True)]
    assert report["source"]["files"] == 3  # the code, the test's deletion, the symlink's creation
    assert (report["source"]["added_lines"], report["source"]["removed_lines"]) == (2, 6)
    assert report["provenance"]["ai_lines"] == 2


def test_a_symlink_turned_into_a_file_is_read_with_its_lines(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    _symlink(repo, "src/link.py", "calc.py")
    repo.commit("Link")
    repo.checkout("main")
    repo.git("merge", "-q", "--ff-only", "pr")
    repo.checkout("pr")
    (repo.root / "src/link.py").unlink()
    repo.write("src/link.py", "def sub(a, b):\n    return a - b\n")
    repo.commit("Write the file out\n\n" + CLAUDE)

    code, report = _check(repo, capsys)

    assert code == 0
    assert (report["source"]["files"], report["source"]["added_lines"]) == (2, 2)
    assert report["provenance"]["ai_lines"] == 2


def test_typechanges_among_renames_and_other_files_are_each_read(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    repo.git("mv", "src/calc.py", "src/calc2.py")
    _symlink(repo, "tests/test_calc.py", "../src/calc2.py")
    repo.write("y.py", "y = 2\n")
    os.symlink("src", repo.root / "lib")
    repo.commit("Rename and link\n\n" + CLAUDE)
    repo.write("y.py", "y = 2\nz = 3\n")
    (repo.root / "lib").unlink()
    repo.write("lib", "not a link\n")
    repo.commit("By hand")

    code, report = _check(repo, capsys)

    assert code == 1
    deleted = [f["path"] for f in report["findings"] if f["rule"] == "test-file-deleted"]
    assert deleted == ["tests/test_calc.py"]
    # the rename, the test's deletion and its symlink, y.py, and lib (a file at head)
    assert report["source"]["files"] == 5
    # y.py's first line and the symlink are the AI commit's; y.py's second line and lib are not
    assert (report["provenance"]["ai_lines"], report["provenance"]["added_lines"]) == (2, 4)
