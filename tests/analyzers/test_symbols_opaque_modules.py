"""phantom-symbols reports no module missing that Python imports from a file it cannot read as source:
a symbolic link to a package's folder (git lists the link, not the files behind it) or an extension
module (`fast.cpython-312-x86_64-linux-gnu.so`, `fast.pyd`). A name of the package that is really
missing is still reported."""

from __future__ import annotations

import json
import os

import pytest

from gate.cli import main
from tests.gitrepo import GitRepo


def _missing(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> list[str]:
    main(["check", "--repo", str(repo.root), "--base", "main", "--head", "pr", "--offline", "--format=json"])
    report = json.loads(capsys.readouterr().out)
    return [f["title"] for f in report["findings"] if f["stage"] == "phantom-symbols"]


def _base(repo: GitRepo) -> None:
    repo.write("app/__init__.py", "")
    repo.write("shared/compat/__init__.py", "def helper():\n    return 1\n")
    repo.write("app/main.py", "def run():\n    return 0\n")


def test_a_package_behind_a_symbolic_link_is_not_missing(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    os.symlink("../shared/compat", repo.root / "app" / "compat")
    repo.commit("base")
    repo.branch("pr")
    repo.write("app/main.py", "from app.compat import helper\nfrom app import compat\n"
               "from app.ghost import helper as h\n\n\ndef run():\n    return helper() + h()\n")  # fmt: skip
    repo.commit("Use the compat helper")

    assert _missing(repo, capsys) == ["Module 'app.ghost' does not exist in the repository"]


EXTENSIONS = ["fast.cpython-312-x86_64-linux-gnu.so", "fast.abi3.so", "fast.pyd", "fast.so"]


@pytest.mark.parametrize("name", EXTENSIONS)
def test_an_extension_module_is_not_missing(
    name: str, repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    repo.write(f"app/{name}", b"\x7fELF\x00\x01binary")
    repo.commit("base")
    repo.branch("pr")
    repo.write("app/main.py", "from app.fast import speedup\nfrom app import fast\n\nRUN = (speedup, fast)\n")
    repo.commit("Use the fast path")

    assert _missing(repo, capsys) == []
