"""Tests the default paths.ignore leaves out are still read where their runner collects them.

The default `**/vendor/**` matches `tests/vendor/test_core.py`, which pytest collects (its default
`norecursedirs` skips `dist`, `build`, `node_modules`, hidden and virtualenv folders, not `vendor`): a
change could empty or delete the tests there unseen. A `paths.ignore` the user writes is theirs to keep.
"""

from __future__ import annotations

import json

import pytest

from gate.cli import main
from tests.gitrepo import GitRepo

TEST = (
    "from app.core import price\n\n\ndef test_price():\n    assert price(2) == 4\n    assert price(0) == 0\n"
)
NEG = "from app.core import price\n\n\ndef test_negative():\n    assert price(-1) == -2\n"
EMPTIED = "from app.core import price\n\n\ndef test_price():\n    pass\n"


def _weaken(repo: GitRepo, folder: str, config: str | None = None) -> None:
    """At base, two tests in `folder`; the change edits the code, empties one test and deletes the other."""
    repo.write("app/__init__.py", "")
    repo.write("app/core.py", "def price(x):\n    return x * 2\n")
    repo.write(f"{folder}/test_core.py", TEST)
    repo.write(f"{folder}/test_neg.py", NEG)
    if config is not None:
        repo.write(".github/ai-gate.yml", config)
    repo.commit("base")
    repo.branch("pr")
    repo.write("app/core.py", "def price(x):\n    return x * 3\n")
    repo.write(f"{folder}/test_core.py", EMPTIED)
    repo.remove(f"{folder}/test_neg.py")
    repo.commit("Change the price; trim the tests")


def _weakened(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str]]:
    main(
        ["check", "--repo", str(repo.root), "--base", "main", "--head", "pr", "--offline", "--format", "json"]
    )
    report = json.loads(capsys.readouterr().out)
    return sorted((f["rule"], f["path"]) for f in report["findings"] if f["stage"] == "weakened-tests")


def test_tests_pytest_collects_under_a_default_ignore_are_read(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _weaken(repo, "tests/vendor")

    assert _weakened(repo, capsys) == [
        ("all-assertions-removed", "tests/vendor/test_core.py"),
        ("test-file-deleted", "tests/vendor/test_neg.py"),
    ]


def test_tests_where_pytest_does_not_look_stay_ignored(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _weaken(repo, "dist/tests")

    assert _weakened(repo, capsys) == []


def test_a_folder_the_user_ignores_stays_ignored(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    _weaken(repo, "tests/vendor", "version: 1\npaths:\n  ignore: ['tests/vendor/**']\n")

    assert _weakened(repo, capsys) == []


def test_the_default_list_written_out_in_the_config_is_still_the_default(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's config block writes `**/vendor/**` out; copying it does not choose to drop the tests."""
    defaults = "['**/*.lock', '**/package-lock.json', '**/vendor/**', '**/dist/**', '**/*.min.js']"
    _weaken(repo, "tests/vendor", f"version: 1\npaths:\n  ignore: {defaults}\n")

    assert _weakened(repo, capsys) == [
        ("all-assertions-removed", "tests/vendor/test_core.py"),
        ("test-file-deleted", "tests/vendor/test_neg.py"),
    ]


@pytest.mark.parametrize(
    ("path", "collected"),
    [
        ("tests/vendor/test_core.py", True),
        ("vendor/pkg/tests/test_core.py", True),
        ("vendor/ui/__tests__/menu.js", True),
        ("dist/tests/test_core.py", False),
        (".venv/lib/tests/test_core.py", False),
        ("pkg.egg/tests/test_core.py", False),
        ("node_modules/ui/menu.test.js", False),
        ("vendor/calc/calc_test.go", False),
        ("tests/vendor/helpers.py", False),
    ],
)
def test_the_runners_default_folders_decide_what_they_collect(path: str, collected: bool) -> None:
    from gate.analyzers.weakened_tests.paths import is_collected_where_it_lies

    assert is_collected_where_it_lies(path) is collected
