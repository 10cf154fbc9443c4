"""A credential in the name of a file the change adds (or renames to) is in the repository and its history
as much as one in a line: it is a finding, masked like any other. It was hidden wherever the name was
shown, and reported nowhere, so the PR passed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gate.cli import main
from tests.gitrepo import GitRepo

RANGE = ("--base", "main", "--head", "feature")
TOKEN = "ghp_R8x2Lk9Qm4Tz7Wv1Yb6Nc3Hd5Jf0Gs8Pa2Ue"


def _check(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    main(
        ["check", "--offline", "--format", "json", "--repo", str(root), "--base", "main", "--head", "feature"]
    )
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


@pytest.mark.parametrize("renamed", [False, True])
def test_a_token_in_a_new_file_name_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], renamed: bool
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "service\n")
    repo.write("keys/old.py", "X = 1\nY = 2\n")
    repo.commit("base")
    repo.branch("feature")
    if renamed:
        repo.git("mv", "keys/old.py", f"keys/{TOKEN}.py")
    else:
        repo.write(f"keys/{TOKEN}.py", "X = 1\n")
    repo.commit("Add the key file")
    report = _check(repo.root, capsys)
    assert report["verdict"] == "fail"
    [found] = [f for f in report["findings"] if f["stage"] == "secrets"]
    assert found["title"].startswith("GitHub Token ghp_") and "in the name of a file added" in found["title"]
    assert found["blocking"] and TOKEN not in json.dumps(report)


def test_a_name_the_base_already_had_is_not_the_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write(f"keys/{TOKEN}.py", "X = 1\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write(f"keys/{TOKEN}.py", "X = 2\n")
    repo.commit("Change the value")
    assert not [f for f in _check(repo.root, capsys)["findings"] if f["stage"] == "secrets"]


@pytest.mark.parametrize(
    "name",
    [
        "src/routes/share/[secret=slug]/+page.server.ts",
        "src/routes/[api_key=hex]/+page.ts",
        "tests/data/test_login[password=hunter2].yaml",
    ],
)
def test_a_name_of_code_that_reads_like_an_assignment_is_no_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """A route's parameter with its matcher (SvelteKit), or a test's parameters in a file name, is a
    keyword and a value to a keyword rule: only a credential of its own shape counts in a name."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "site\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write(name, "export const load = () => ({});\n")
    repo.commit("Add the route")
    report = _check(repo.root, capsys)
    assert not [f for f in report["findings"] if f["stage"] == "secrets"]


def test_a_token_in_a_folder_name_is_one_finding_not_one_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "service\n")
    repo.commit("base")
    repo.branch("feature")
    for i in range(3):
        repo.write(f"keys/{TOKEN}/part{i}.py", f"X = {i}\n")
    repo.commit("Add the key files")
    report = _check(repo.root, capsys)
    assert len([f for f in report["findings"] if f["stage"] == "secrets"]) == 1
