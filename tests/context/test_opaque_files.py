"""Files of a change the analyzers cannot read as what they are: no verdict over the rest is a pass, and
the coverage names each as not analysed. A file whose name is not UTF-8 is read by another name (its head
is not found, only the diff's lines are seen); a submodule's new commit holds code no stage reads; a
notebook's code cells are JSON strings to the analyzers. Through the CLI, from real repositories."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gate.cli import main
from tests.gitrepo import GitRepo

# A name git stores as bytes that are not UTF-8 (Latin-1 `é`), written through the file system's escape.
LATIN1_NAME = "app/caf\udce9.py"
SHOWN_NAME = "app/caf\ufffd.py"
PHANTOM = "\n\nfrom app.models import (\n    GhostModel,\n)\n\n\ndef b():\n    return GhostModel()\n"


def _base(repo: GitRepo, **files: str) -> None:
    repo.write("app/__init__.py", "")
    repo.write("app/models.py", 'class User:\n    name = "x"\n')
    for path, text in files.items():
        repo.write(path, text)
    repo.commit("base")
    repo.branch("pr")


def _check(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], source: str = "repo"
) -> tuple[int, dict[str, Any]]:
    if source == "repo":
        where = ["--repo", str(repo.root), "--base", "main", "--head", "pr"]
    else:
        patch = repo.root.parent / "change.patch"
        patch.write_bytes(repo.format_patch("main..pr"))
        where = ["--diff", str(patch)]
    code = main(["check", *where, "--offline", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _not_read(report: dict[str, Any]) -> list[str]:
    return [reason for reason in report["reasons"] if reason.startswith("not read:")]


def _gaps(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {g["path"]: g for g in report["coverage"]["gaps"] if g.get("path")}


@pytest.mark.parametrize("source", ["repo", "mbox"])
def test_a_file_whose_name_is_not_utf8_is_not_read_and_says_so(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    """The gate read `app/caf?.py` by a name with U+FFFD in it: its head was not found, and the import
    cut over lines (`from app.models import (`) was checked from the added lines alone."""
    _base(repo, **{LATIN1_NAME: "import os\n\n\ndef a():\n    return 1\n"})
    repo.write(LATIN1_NAME, "import os\n\n\ndef a():\n    return 1\n" + PHANTOM)
    repo.commit("Edit")

    code, report = _check(repo, capsys, source)

    assert report["verdict"] == "neutral" and code == 0
    (reason,) = _not_read(report)
    assert (
        f"1 file named in bytes that are not UTF-8, which the gate cannot read by that name ({SHOWN_NAME})"
        in reason
    )
    assert (report["coverage"]["files"], report["coverage"]["analysed"]) == (1, 0)
    assert _gaps(report)[SHOWN_NAME]["kind"] == "failure"


def test_a_submodule_moved_to_another_commit_is_not_read_and_says_so(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """A submodule's commit holds code the change brings in; no stage reads another repository."""
    _base(repo)
    sub = GitRepo(repo.root / "libs" / "sub")
    sub.write("a.py", "import ghost_hallucinated_pkg_zz\n")
    commit = sub.commit("sub")
    repo.commit("Add the library")

    code, report = _check(repo, capsys)

    assert report["verdict"] == "neutral" and code == 0
    (reason,) = _not_read(report)
    assert f"1 submodule whose contents the gate does not read (libs/sub at {commit[:12]})" in reason
    assert (report["coverage"]["files"], report["coverage"]["analysed"]) == (1, 0)
    assert "submodule" in _gaps(report)["libs/sub"]["reason"]


NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": ["from app.models import GhostModel\n", "GhostModel()\n"],
        }
    ],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def test_a_notebook_is_not_read_as_code_and_says_so(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    repo.write("notebooks/analysis.ipynb", json.dumps(NOTEBOOK, indent=1) + "\n")
    repo.commit("Add the analysis")

    code, report = _check(repo, capsys)

    assert report["verdict"] == "neutral" and code == 0
    (reason,) = _not_read(report)
    assert "1 Jupyter notebook whose code cells no analyzer reads (notebooks/analysis.ipynb)" in reason
    assert (report["coverage"]["files"], report["coverage"]["analysed"]) == (1, 0)
    assert _gaps(report)["notebooks/analysis.ipynb"]["kind"] == "failure"


def test_a_deleted_notebook_or_submodule_runs_no_more(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo, **{"notebooks/old.ipynb": json.dumps(NOTEBOOK) + "\n"})
    repo.remove("notebooks/old.ipynb")
    repo.commit("Drop the analysis")

    _, report = _check(repo, capsys)

    assert report["verdict"] == "pass" and _not_read(report) == []
