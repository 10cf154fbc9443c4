"""A pull request's `.gitattributes` does not decide what the gate reads.

Git reads attributes from the working tree, which in the Action is the pull request's own checkout. A
PR that adds `*.py -diff` (or `* binary`, which hides the attributes file too) would turn every file
into one git will not show: no added lines, so no secrets, no weakened tests, no AI share. The gate runs
git on the object store alone, so only the content tells binary from text.
"""

from __future__ import annotations

import json

import pytest

from gate.cli import main
from tests.gitrepo import GitRepo

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"
TOKEN = "ghp_" + "x7Kq2mVb9RtLw4NpZc8JfHd3GsYa6UeQ1oBi"
CODE = f'TOKEN = "{TOKEN}"\n\n\ndef total(values):\n    return sum(values)\n'
TEST = "from app import total\n\n\ndef test_total():\n    assert True\n"


def _check(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = main(
        ["check", "--repo", str(repo.root), "--base", "main", "--head", "pr", "--offline", "--format", "json"]
    )
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("attributes", ["*.py -diff\n", "* binary\n"])
def test_attributes_the_pr_adds_hide_none_of_its_files(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], attributes: str
) -> None:
    repo.write("README.md", "# app\n")
    repo.commit("Initial")
    repo.branch("pr")
    repo.write(".gitattributes", attributes)
    repo.write("app.py", CODE)
    repo.write("tests/test_app.py", TEST)
    repo.commit("Add the app\n\n" + CLAUDE)
    # the pull request checked out, as in the Action's workspace
    assert repo.git("rev-parse", "--abbrev-ref", "HEAD").strip() == "pr"
    assert "Binary files" in repo.git("diff", "main", "pr", "--", "app.py")

    code, report = _check(repo, capsys)

    assert code == 1
    rules = {(f["stage"], f["path"]) for f in report["findings"]}
    assert ("secrets", "app.py") in rules
    assert ("weakened-tests", "tests/test_app.py") in rules
    assert report["provenance"]["ai_lines"] == report["provenance"]["added_lines"] > 10
    assert not [gap for gap in report["coverage"]["gaps"] if gap["path"] in ("app.py", "tests/test_app.py")]


def test_a_file_that_is_binary_by_its_content_is_still_binary(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("README.md", "# app\n")
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    repo.write("app.py", "def total(values):\n    return sum(values)\n")
    repo.commit("Add a logo")

    code, report = _check(repo, capsys)

    assert code == 0
    gaps = {gap["path"]: gap["reason"] for gap in report["coverage"]["gaps"] if gap["path"]}
    assert "binary" in gaps["logo.png"]
    assert "app.py" not in gaps


def test_attributes_in_the_base_and_the_pr_hide_no_line_from_any_git_call(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Git from 2.42 reads attributes from the tree `GIT_ATTR_SOURCE` names, and 2.43 to 2.45.2 a bare
    repository's from the tree at HEAD, the pull request's commit: each git call names the empty tree
    as their source, so neither the final diff nor the commits' own diffs read `*.py -diff binary`,
    whichever git runs. (A git before 2.42 knows neither and reads no tree's attributes.)"""
    repo.write(".gitattributes", "*.py -diff binary\n")
    repo.write("README.md", "# app\n")
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("app.py", CODE)
    repo.commit("Add the app\n\n" + CLAUDE)
    repo.write("app.py", "".join(line + "  # reviewed\n" if line else "\n" for line in CODE.split("\n")[:-1]))
    repo.commit("Review pass")
    monkeypatch.setenv("GIT_ATTR_SOURCE", "HEAD")

    code, report = _check(repo, capsys)

    assert code == 1
    assert ("secrets", "app.py") in {(f["stage"], f["path"]) for f in report["findings"]}
    assert report["provenance"]["ai_lines"] == report["provenance"]["added_lines"] == CODE.count("\n")
    assert not [note for note in json.dumps(report).split('"') if "calls it binary" in note]
