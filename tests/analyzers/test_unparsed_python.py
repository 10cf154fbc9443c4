"""A changed Python file the gate's interpreter cannot parse was not analysed, and no verdict is a pass.

Python newer than the gate's (`except A, B:` is Python 3.14) runs where it is deployed, yet the gate's
parser rejects it: its imports, its names and its tests go unread but for the added one-line imports.
A Git LFS pointer committed as a module is read the same way. Either is a file left unread, named in
the coverage, and the verdict is neutral, as for a file past the size limit.
"""

from __future__ import annotations

import json
import sys

import pytest

from gate.cli import main
from tests.gitrepo import GitRepo

# A parenthesised import, which the one-line import fallback does not read, of a name models.py lacks.
SERVICE_3_14 = """\
from app.models import (
    GhostModel,
)


def load(raw):
    try:
        return GhostModel(int(raw))
    except ValueError, TypeError:
        return None
"""
LFS_POINTER = (
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    "size 4096\n"
)


def _check(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    where = ["--repo", str(repo.root), "--base", "main", "--head", "pr"]
    code = main(["check", *where, "--offline", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _base(repo: GitRepo) -> None:
    repo.write("app/__init__.py", "")
    repo.write("app/models.py", 'class User:\n    name = "x"\n')
    repo.commit("Initial")
    repo.branch("pr")


def _not_read(report: dict) -> list[str]:
    return [r for r in report["reasons"] if r.startswith("not read: ")]


def _gaps(report: dict) -> dict[str, str]:
    return {g["path"]: g["reason"] for g in report["coverage"]["gaps"] if g.get("path")}


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="Python 3.14 parses `except A, B:`")
def test_python_newer_than_the_gate_s_is_not_analysed(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    repo.write("app/service.py", SERVICE_3_14)
    repo.commit("Add the service")

    code, report = _check(repo, capsys)

    assert (code, report["verdict"]) == (0, "neutral")
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert _not_read(report) == [
        f"not read: 1 file Python {version} (the gate's) cannot parse (app/service.py); "
        "the verdict is neutral"
    ]
    assert report["coverage"]["analysed"] == 0
    assert _gaps(report) == {"app/service.py": f"not analysed: does not parse as Python {version}"}


def test_a_git_lfs_pointer_in_place_of_a_module_is_not_analysed(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    repo.write(".gitattributes", "app/plugin.py filter=lfs diff=lfs merge=lfs -text\n")
    repo.write("app/plugin.py", LFS_POINTER)
    repo.write("app/main.py", "from app import plugin\n\n\ndef main():\n    return plugin.run()\n")
    repo.commit("Add the plugin")

    code, report = _check(repo, capsys)

    assert (code, report["verdict"]) == (0, "neutral")
    assert _not_read(report) == [
        "not read: 1 file kept in Git LFS (the commit holds a pointer, not the code) (app/plugin.py); "
        "the verdict is neutral"
    ]
    assert _gaps(report) == {"app/plugin.py": "not analysed: a Git LFS pointer, not the file's content"}


def test_a_deleted_or_untouched_module_that_does_not_parse_changes_nothing(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only a changed file the gate meant to read counts: the head's other files are not the change's."""
    repo.write("app/__init__.py", "")
    repo.write("app/legacy.py", "print 'python 2'\n")
    repo.write("app/old.py", "print 'python 2'\n")
    repo.commit("Initial")
    repo.branch("pr")
    repo.remove("app/old.py")
    repo.write("app/main.py", "from app import legacy\n")
    repo.commit("Drop the old module")

    code, report = _check(repo, capsys)

    assert (code, report["verdict"]) == (0, "pass")
    assert _not_read(report) == []
