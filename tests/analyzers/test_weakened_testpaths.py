"""pytest's `testpaths` narrowed, or set where there was none, so that a folder of tests is no longer
collected, with no test file touched: each case through `ai-gate check` on a real repository next to a
code change. Widening it, reordering it, or following a folder the change moves are not findings.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gate.analyzers.weakened_tests.settings import uncollected, weakenings
from gate.diff.model import DiffLine, FileChange, FileStatus, Hunk, LineKind
from tests.analyzers.test_weakened_evasions import ai_gate, make_pr, weakened
from tests.gitrepo import GitRepo

BASE = {
    "app/__init__.py": "",
    "app/calc.py": "def total(xs):\n    return sum(xs)\n",
    "tests/unit/test_calc.py": "from app.calc import total\n\n\ndef test_total():\n"
    "    assert total([1]) == 1\n",
    "tests/integration/test_flow.py": "from app.calc import total\n\n\ndef test_flow():\n"
    "    assert total([2, 2]) == 4\n",
    "docs/index.md": "# docs\n",
}
PYTEST_INI = "[pytest]\naddopts = -ra\ntestpaths = {}\nxfail_strict = true\n"
PYPROJECT = '[project]\nname = "app"\n\n[tool.pytest.ini_options]\ntestpaths = {}\nxfail_strict = true\n'
SETUP_CFG = "[tool:pytest]\ntestpaths =\n{}\nxfail_strict = true\n\n[flake8]\nmax-line-length = 100\n"


def _pr(root: Path, base: dict[str, str], head: dict[str, str | None]) -> GitRepo:
    return make_pr(root, head, base={**BASE, **base})


# name -> (config at base, config at head, both at the same path)
NARROWED: dict[str, tuple[str, str, str]] = {
    "ini-one-folder-to-a-subfolder": (
        "pytest.ini",
        PYTEST_INI.format("tests"),
        PYTEST_INI.format("tests/unit"),
    ),
    "ini-two-folders-to-one": (
        "pytest.ini",
        PYTEST_INI.format("tests/unit tests/integration"),
        PYTEST_INI.format("tests/unit"),
    ),
    "toml-list-item-dropped": (
        "pyproject.toml",
        PYPROJECT.format('["tests/unit", "tests/integration"]'),
        PYPROJECT.format('["tests/unit"]'),
    ),
    "toml-list-one-a-line": (
        "pyproject.toml",
        PYPROJECT.format('[\n  "tests/unit",\n  "tests/integration",\n]'),
        PYPROJECT.format('[\n  "tests/unit",\n]'),
    ),
    "ini-lines-below-one-removed": (
        "setup.cfg",
        SETUP_CFG.format("    tests/unit\n    tests/integration"),
        SETUP_CFG.format("    tests/unit"),
    ),
}


@pytest.mark.parametrize("name", list(NARROWED))
def test_testpaths_narrowed_to_leave_a_folder_out_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path, base, head = NARROWED[name]
    repo = _pr(tmp_path / "repo", {path: base}, {path: head})
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [("tests-not-collected", "medium", path)]
    finding = next(f for f in report["findings"] if f["stage"] == "weakened-tests")
    left_out = "tests (all but tests/unit)" if name.startswith("ini-one") else "tests/integration"
    assert f"narrows pytest's `testpaths`, leaving out {left_out}:" in finding["body"]
    assert code == 0  # medium: a project may have moved those tests on purpose, for a reviewer to confirm


FILLER = "".join(f"# note {i}\n" for i in range(30))

# name -> (files at base besides BASE, files the PR changes besides the code): each narrowed and hidden
HIDDEN: dict[str, tuple[dict[str, str], dict[str, str | None]]] = {
    "a-file-of-the-folder-deleted-beside-it": (
        {
            "pytest.ini": PYTEST_INI.format("tests/unit tests/integration"),
            "tests/integration/data.json": "{}",
        },
        {"pytest.ini": PYTEST_INI.format("tests/unit"), "tests/integration/data.json": None},
    ),
    "the-setting-moved-to-another-hunk": (
        {"tox.ini": "[pytest]\ntestpaths = tests/unit tests/integration\n" + FILLER + "[flake8]\n"},
        {"tox.ini": "[pytest]\n" + FILLER + "testpaths = tests/unit\n[flake8]\n"},
    ),
    "lines-below-at-the-end-of-the-file": (
        {"pytest.ini": "[pytest]\naddopts = -ra\ntestpaths =\n    tests/unit\n    tests/integration\n"},
        {"pytest.ini": "[pytest]\naddopts = -ra\ntestpaths =\n    tests/unit\n"},
    ),
    "a-bracket-in-a-comment-of-the-list": (
        {"pyproject.toml": PYPROJECT.format('[\n  "tests/unit",  # see [docs]\n  "tests/integration",\n]')},
        {"pyproject.toml": PYPROJECT.format('[\n  "tests/unit",  # see [docs]\n]')},
    ),
}


@pytest.mark.parametrize("name", list(HIDDEN))
def test_testpaths_narrowed_however_the_change_is_laid_out_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    base, head = HIDDEN[name]
    repo = _pr(tmp_path / "repo", base, head)
    _, report = ai_gate(repo.root, capsys)
    [(rule, severity, _)] = weakened(report)
    assert (rule, severity) == ("tests-not-collected", "medium")
    finding = next(f for f in report["findings"] if f["stage"] == "weakened-tests")
    assert "leaving out tests/integration:" in finding["body"]


# name -> (files at base besides BASE, files the PR changes besides the code)
KEPT: dict[str, tuple[dict[str, str], dict[str, str | None]]] = {
    "widened": (
        {"pytest.ini": PYTEST_INI.format("tests/unit")},
        {"pytest.ini": PYTEST_INI.format("tests")},
    ),
    "a-folder-added": (
        {"pytest.ini": PYTEST_INI.format("tests/unit")},
        {"pytest.ini": PYTEST_INI.format("tests/unit tests/integration")},
    ),
    "reordered-and-spelled-otherwise": (
        {"pyproject.toml": PYPROJECT.format('["tests/unit", "tests/integration"]')},
        {"pyproject.toml": PYPROJECT.format("['./tests/integration/', 'tests/unit']")},
    ),
    "removed-so-the-root-is-collected": (
        {"pytest.ini": PYTEST_INI.format("tests/unit")},
        {"pytest.ini": "[pytest]\naddopts = -ra\nxfail_strict = true\n"},
    ),
    "the-folder-moved-with-its-tests": (
        {"pytest.ini": PYTEST_INI.format("tests/unit tests/integration")},
        {
            "pytest.ini": PYTEST_INI.format("tests/unit tests/e2e"),
            "tests/integration/test_flow.py": None,
            "tests/e2e/test_flow.py": BASE["tests/integration/test_flow.py"],
        },
    ),
    "a-new-config-that-names-every-test-folder": ({}, {"pytest.ini": PYTEST_INI.format("tests")}),
    "a-new-config-in-place-of-one-beside-it-that-named-the-same": (
        {"pyproject.toml": PYPROJECT.format('["tests/unit"]')},
        {"pytest.ini": PYTEST_INI.format("tests/unit")},
    ),
}


@pytest.mark.parametrize("name", list(KEPT))
def test_testpaths_that_still_collect_every_test_are_not_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    base, head = KEPT[name]
    repo = _pr(tmp_path / "repo", base, head)
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [] and code == 0


def test_reading_testpaths_is_linear_in_the_folders() -> None:
    """Thousands of nested folders dropped from a list: each is looked up by its parents, not compared
    with every kept one."""
    times = {}
    for count in (2_000, 20_000):
        old = [f'  "tests/a{i}/b{i}/c{i}",' for i in range(count)]
        new = [f'  "tests/k{i}/b{i}/c{i}",' for i in range(count)]
        lines = [DiffLine(LineKind.CONTEXT, 1, 1, "testpaths = [")]
        lines += [DiffLine(LineKind.REMOVED, i + 2, None, t) for i, t in enumerate(old)]
        lines += [DiffLine(LineKind.ADDED, None, i + 2, t) for i, t in enumerate(new)]
        lines.append(DiffLine(LineKind.CONTEXT, count + 2, count + 2, "]"))
        hunk = Hunk(1, count + 2, 1, count + 2, "", tuple(lines))
        change = FileChange("pyproject.toml", None, FileStatus.MODIFIED, (hunk,))
        started = time.process_time()
        found = list(weakenings(change, lambda: None))
        times[count] = time.process_time() - started
        assert [w.rule for w in found] == ["tests-not-collected"]
    assert max(times[20_000], 0.02) / max(times[2_000], 0.02) < 30, times


def test_testpaths_of_a_config_below_the_root_are_read_from_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`svc/pytest.ini`'s `testpaths = checks` names `svc/checks`: its tests are still there at head."""
    tests = {
        "svc/fast/test_a.py": BASE["tests/unit/test_calc.py"],
        "svc/checks/test_b.py": BASE["tests/unit/test_calc.py"],
    }
    base = {**tests, "svc/pytest.ini": PYTEST_INI.format("fast checks")}
    repo = _pr(tmp_path / "repo", base, {"svc/pytest.ini": PYTEST_INI.format("fast")})
    _, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [("tests-not-collected", "medium", "svc/pytest.ini")]
    finding = next(f for f in report["findings"] if f["stage"] == "weakened-tests")
    assert "leaving out checks:" in finding["body"]


NO_TESTPATHS = "[pytest]\naddopts = -ra\nxfail_strict = true\n"


def test_testpaths_set_where_there_was_none_that_leaves_tests_out_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A settings file that had no `testpaths` gets one: pytest run with no arguments stops collecting
    the test files outside it (here the integration tests and one at the root, which an agent may leave
    out to make a run pass). Folders pytest never collects from by default are not counted."""
    base = {
        **BASE,
        "pytest.ini": NO_TESTPATHS,
        "test_setup.py": "def test_setup():\n    assert True\n",
        ".cache/test_stale.py": "def test_stale():\n    assert True\n",
        "build/lib/test_copy.py": "def test_copy():\n    assert True\n",
        "tests/integration/helpers.py": "X = 1\n",
    }
    changed = NO_TESTPATHS.replace("xfail_strict", "testpaths = tests/unit\nxfail_strict")
    repo = make_pr(tmp_path / "repo", {"pytest.ini": changed}, base)
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [("tests-not-collected", "medium", "pytest.ini")]
    (finding,) = [f for f in report["findings"] if f["stage"] == "weakened-tests"]
    assert finding["start_line"] == 3
    assert "leaving out . (1 test file), tests/integration (1 test file)" in finding["body"]
    assert code == 0


@pytest.mark.parametrize(
    "extra",
    [
        {},  # every test file is in the folders it names
        {"tests/e2e/test_more.py": "def test_more():\n    assert True\n"},
        {"docs/conftest.py": "", "node_modules/pkg/test_x.py": "def test_x():\n    assert True\n"},
    ],
)
def test_testpaths_set_that_keeps_every_test_file_is_not_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: dict[str, str]
) -> None:
    changed = NO_TESTPATHS.replace("xfail_strict", "testpaths = tests\nxfail_strict")
    repo = make_pr(tmp_path / "repo", {"pytest.ini": changed}, {**BASE, "pytest.ini": NO_TESTPATHS, **extra})
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [] and code == 0


@pytest.mark.parametrize(
    ("base", "left_out"),
    [
        ({}, "tests/integration (1 test file)"),
        ({"pyproject.toml": PYPROJECT.format('["tests/unit", "tests/integration"]')}, "tests/integration"),
    ],
)
def test_a_new_settings_file_whose_testpaths_leave_tests_out_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], base: dict[str, str], left_out: str
) -> None:
    """A new pytest.ini is read before the settings beside it: its `testpaths` take the place of what
    pytest collected before, everything below its folder or what the settings beside it named."""
    repo = _pr(tmp_path / "repo", base, {"pytest.ini": PYTEST_INI.format("tests/unit")})
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [("tests-not-collected", "medium", "pytest.ini")] and code == 0
    (finding,) = [f for f in report["findings"] if f["stage"] == "weakened-tests"]
    assert f"leaving out {left_out}" in finding["body"]


BENCH = {"benchmarks/test_speed.py": "def test_speed():\n    assert True\n"}

# name -> (files at base besides BASE and BENCH, the PR's files): pytest reads the same tests after it.
READ_THE_SAME: dict[str, tuple[dict[str, str], dict[str, str | None]]] = {
    "a-pyproject-beside-a-pytest-ini-pytest-reads-first": (
        {"pytest.ini": NO_TESTPATHS},
        {"pyproject.toml": PYPROJECT.format('["tests"]')},
    ),
    "settings-moved-from-setup-cfg-to-pyproject": (
        {"setup.cfg": SETUP_CFG.format("    tests"), "pyproject.toml": '[project]\nname = "app"\n'},
        {"setup.cfg": "[flake8]\nmax-line-length = 100\n", "pyproject.toml": PYPROJECT.format('["tests"]')},
    ),
    "settings-moved-from-pytest-ini-to-pyproject": (
        {"pytest.ini": PYTEST_INI.format("tests"), "pyproject.toml": '[project]\nname = "app"\n'},
        {"pytest.ini": None, "pyproject.toml": PYPROJECT.format('["tests"]')},
    ),
    "a-setup-cfg-beside-a-pytest-ini-pytest-reads-first": (
        {"pytest.ini": NO_TESTPATHS},
        {"setup.cfg": SETUP_CFG.format("    tests/unit")},
    ),
    "a-test-file-named-among-the-folders": (
        {"pytest.ini": NO_TESTPATHS},
        {
            "pytest.ini": NO_TESTPATHS.replace(
                "xfail_strict", "testpaths = tests benchmarks/test_speed.py\nxfail_strict"
            )
        },
    ),
}


@pytest.mark.parametrize("name", list(READ_THE_SAME))
def test_testpaths_pytest_does_not_read_or_that_keep_what_it_read_are_not_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """pytest reads one settings file in a folder (`pytest.toml`, `pytest.ini`, then `pyproject.toml`,
    `tox.ini`, `setup.cfg` that hold its section): settings in another change nothing, and settings
    moved from one file to another collect what they collected."""
    base, head = READ_THE_SAME[name]
    repo = _pr(tmp_path / "repo", {**BENCH, **base}, head)
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [] and code == 0


@pytest.mark.parametrize(
    ("base", "head"),
    [
        (
            {"pytest.ini": NO_TESTPATHS},
            {"pytest.ini": NO_TESTPATHS.replace("xfail_strict", "testpaths = tests/uni?\nxfail_strict")},
        ),
        ({}, {"pytest.toml": '[pytest]\ntestpaths = ["tests/unit"]\n'}),
        # another tool's `testpaths` above pytest's section is not the one pytest reads
        ({}, {"tox.ini": "[flake8]\ntestpaths = .\n\n[pytest]\ntestpaths = tests/unit\n"}),
    ],
)
def test_testpaths_that_leave_tests_out_by_a_pattern_or_in_pytest_toml_are_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], base: dict[str, str], head: dict[str, str | None]
) -> None:
    repo = _pr(tmp_path / "repo", base, head)
    code, report = ai_gate(repo.root, capsys)
    [path] = head
    assert weakened(report) == [("tests-not-collected", "medium", path)] and code == 0
    (finding,) = [f for f in report["findings"] if f["stage"] == "weakened-tests"]
    assert "leaving out tests/integration (1 test file)" in finding["body"]


def test_counting_the_tests_left_out_is_linear_in_the_folders_named() -> None:
    """A `testpaths` of thousands of folders over thousands of test files: each file's folders are
    looked up, not compared with every folder named."""
    times = {}
    for count in (2_000, 20_000):
        kept = frozenset(f"tests/k{i}/deep/er" for i in range(count))
        paths = [f"tests/t{i}/deep/er/test_{i}.py" for i in range(count)]
        started = time.process_time()
        left_out = uncollected(paths, kept)
        times[count] = time.process_time() - started
        assert len(left_out) == count
    assert max(times[20_000], 0.02) / max(times[2_000], 0.02) < 30, times
