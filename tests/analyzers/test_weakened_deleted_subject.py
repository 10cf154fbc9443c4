"""A deleted test is excused only when the module it imported is gone at head in every form.

Deleting `app/core.py` with `tests/test_core.py` is a removal; deleting them while `app/core/__init__.py`
(or `src/app/core.py`, or a folder of code named `core`) takes the module's place keeps the import
working: the code the test tested is still there, and its test was dropped.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.cli import main
from tests.gitrepo import GitRepo

CORE = "def price(x):\n    return x * 2\n"
TEST = (
    "from app.core import price\n\n\ndef test_price():\n    assert price(2) == 4\n    assert price(0) == 0\n"
)
# Other text than CORE, so that git sees a new file rather than a rename.
REWRITTEN = '"""Pricing."""\n\nRATE = 3\n\n\ndef price(x):\n    """Price of x."""\n    return x * RATE\n'


def _deleted_tests(report: dict) -> list[str]:
    return [f["path"] for f in report["findings"] if f["rule"] == "test-file-deleted"]


def _base(repo: GitRepo) -> None:
    repo.write("app/__init__.py", "")
    repo.write("app/core.py", CORE)
    repo.write("app/other.py", "X = 1\n")
    repo.write("tests/test_core.py", TEST)
    repo.commit("base")
    repo.branch("pr")
    repo.remove("tests/test_core.py")
    repo.remove("app/core.py")
    repo.write("app/other.py", "X = 2\n")


def _check(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> dict:
    main(
        ["check", "--repo", str(repo.root), "--base", "main", "--head", "pr", "--offline", "--format", "json"]
    )
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    "replacement",
    [
        "app/core/__init__.py",  # a package
        "src/app/core.py",  # moved under a source root
        "app/core/pricing.py",  # a namespace package: a folder of code
    ],
)
def test_a_test_deleted_while_its_module_stays_in_another_form_is_reported(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], replacement: str
) -> None:
    _base(repo)
    repo.write(replacement, REWRITTEN)
    repo.commit("pr")

    assert _deleted_tests(_check(repo, capsys)) == ["tests/test_core.py"]


def test_a_test_deleted_with_its_module_is_not_reported(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(repo)
    repo.commit("pr")

    assert _deleted_tests(_check(repo, capsys)) == []


def test_a_js_module_turned_into_a_folder_keeps_its_test(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("lib/calc.js", "exports.add = (a, b) => a + b\n")
    repo.write("lib/other.js", "exports.x = 1\n")
    repo.write(
        "test/calc.test.js",
        "const { add } = require('../lib/calc')\ntest('add', () => expect(add(1, 2)).toBe(3))\n",
    )
    repo.commit("base")
    repo.branch("pr")
    repo.remove("test/calc.test.js")
    repo.remove("lib/calc.js")
    repo.write(
        "lib/calc/index.js",
        "// calc\nfunction add(a, b) {\n  return a + b + 1\n}\nmodule.exports = { add }\n",
    )
    repo.write("lib/other.js", "exports.x = 2\n")
    repo.commit("pr")

    assert _deleted_tests(_check(repo, capsys)) == ["test/calc.test.js"]


@pytest.mark.parametrize(("replacement", "reported"), [("app/core/__init__.py", True), (None, False)])
def test_a_patch_is_read_the_same_way(
    repo: GitRepo,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    replacement: str | None,
    reported: bool,
) -> None:
    """A patch shows only its own files: one of them taking the module's place keeps the test's subject."""
    _base(repo)
    if replacement is not None:
        repo.write(replacement, REWRITTEN)
    repo.commit("pr")
    patch = tmp_path / "change.diff"
    patch.write_text(repo.git("diff", "main", "pr"))

    main(["check", "--diff", str(patch), "--offline", "--format", "json"])

    assert _deleted_tests(json.loads(capsys.readouterr().out)) == (["tests/test_core.py"] if reported else [])
