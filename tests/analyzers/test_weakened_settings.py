"""Tests turned off where the runner is told what to run: pytest's settings and the commands that run
the tests (`gate/analyzers/weakened_tests/settings.py`), each through `ai-gate check` on a real
repository next to a code change; and the settings and commands that only tune a run, which are not
findings.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from gate.analyzers.weakened_tests.js_config import _settings
from gate.analyzers.weakened_tests.settings import weakenings
from gate.cli import main
from tests.analyzers.test_weakened_evasions import BASE, CODE_CHANGE, added_file, ai_gate, make_pr, weakened
from tests.gitrepo import GitRepo

WORKFLOW = """name: ci
on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Lint
        run: ruff check .
      - name: Test
        run: {run}
"""

# name -> (files the PR adds besides the code change, the finding expected: rule, severity, path)
CAUGHT: dict[str, tuple[dict[str, str | None], tuple[str, str, str]]] = {
    "pytest-ini-deselects-a-test": (
        {"pytest.ini": "[pytest]\naddopts = --deselect tests/test_calc.py::test_total\n"},
        ("tests-deselected", "high", "pytest.ini"),
    ),
    "pyproject-k-not": (
        {"pyproject.toml": '[tool.pytest.ini_options]\naddopts = ["-q", "-k", "not test_negative"]\n'},
        ("tests-deselected", "high", "pyproject.toml"),
    ),
    "pyproject-options-one-a-line": (
        {"pyproject.toml": '[tool.pytest.ini_options]\naddopts = [\n  "-q",\n  "-k",\n  "not test_x",\n]\n'},
        ("tests-deselected", "high", "pyproject.toml"),
    ),
    "setup-cfg-ignores-a-test-file": (
        {"setup.cfg": "[tool:pytest]\naddopts =\n    --ignore=tests/test_calc.py\n"},
        ("tests-deselected", "high", "setup.cfg"),
    ),
    "workflow-k-not": (
        {".github/workflows/ci.yml": WORKFLOW.format(run='pytest -k "not test_total"')},
        ("tests-deselected", "high", ".github/workflows/ci.yml"),
    ),
    "workflow-marker-deselected": (
        {".github/workflows/ci.yml": WORKFLOW.format(run="python -m pytest -m 'not integration'")},
        ("tests-deselected", "medium", ".github/workflows/ci.yml"),
    ),
    "workflow-or-true": (
        {".github/workflows/ci.yml": WORKFLOW.format(run="pytest -q || true")},
        ("test-failures-ignored", "high", ".github/workflows/ci.yml"),
    ),
    "workflow-step-continue-on-error": (
        {".github/workflows/ci.yml": WORKFLOW.format(run="pytest -q\n        continue-on-error: true")},
        ("test-failures-ignored", "high", ".github/workflows/ci.yml"),
    ),
    "workflow-job-continue-on-error": (
        {
            ".github/workflows/ci.yml": WORKFLOW.format(run="pytest -q").replace(
                "    runs-on: ubuntu-latest\n", "    runs-on: ubuntu-latest\n    continue-on-error: true\n"
            )
        },
        ("test-failures-ignored", "high", ".github/workflows/ci.yml"),
    ),
    "workflow-step-turned-off": (
        {".github/workflows/ci.yml": WORKFLOW.format(run="pytest -q\n        if: ${{ false }}")},
        ("tests-deselected", "high", ".github/workflows/ci.yml"),
    ),
    "workflow-step-continue-on-error-as-an-expression": (
        {
            ".github/workflows/ci.yml": WORKFLOW.format(
                run="pytest -q\n        continue-on-error: ${{ true }}"
            )
        },
        ("test-failures-ignored", "high", ".github/workflows/ci.yml"),
    ),
    "workflow-step-turned-off-by-its-first-key": (
        {
            ".github/workflows/ci.yml": WORKFLOW.replace(
                "      - name: Test\n", "      - if: false\n        name: Test\n"
            ).format(run="pytest -q")
        },
        ("tests-deselected", "high", ".github/workflows/ci.yml"),
    ),
    "workflow-step-continue-on-error-after-a-comment-at-the-margin": (
        {
            ".github/workflows/ci.yml": WORKFLOW.format(
                run="pytest -q\n# the suite is flaky on the runners\n        continue-on-error: true"
            )
        },
        ("test-failures-ignored", "high", ".github/workflows/ci.yml"),
    ),
    "workflow-pytest-addopts": (
        {
            ".github/workflows/ci.yml": WORKFLOW.format(run="pytest -q")
            + "        env:\n          PYTEST_ADDOPTS: --deselect=tests/test_calc.py::test_total\n"
        },
        ("tests-deselected", "high", ".github/workflows/ci.yml"),
    ),
    "conftest-filters-the-items": (
        {
            "tests/conftest.py": "def pytest_collection_modifyitems(config, items):\n"
            "    items[:] = [i for i in items if 'total' not in i.name]\n"
        },
        ("tests-deselected", "medium", "tests/conftest.py"),
    ),
    "conftest-reports-them-deselected": (
        {
            "tests/conftest.py": "def pytest_collection_modifyitems(config, items):\n"
            "    dropped = [i for i in items if 'total' in i.name]\n"
            "    config.hook.pytest_deselected(items=dropped)\n"
        },
        ("tests-deselected", "medium", "tests/conftest.py"),
    ),
    "conftest-ignores-paths": (
        {
            "tests/conftest.py": "def pytest_ignore_collect(collection_path, config):\n"
            "    return 'test_calc' in str(collection_path)\n"
        },
        ("tests-deselected", "medium", "tests/conftest.py"),
    ),
    "makefile-ignores-the-failure": (
        {"Makefile": "test:\n\t-pytest -q\n"},
        ("test-failures-ignored", "high", "Makefile"),
    ),
    "package-json-or-exit-0": (
        {"package.json": '{\n  "scripts": {\n    "test": "jest || exit 0"\n  }\n}\n'},
        ("test-failures-ignored", "high", "package.json"),
    ),
    "tox-python-functions": (
        {"tox.ini": "[pytest]\npython_functions = check_*\n"},
        ("tests-not-collected", "medium", "tox.ini"),
    ),
    "pytest-ini-python-files": (
        {"pytest.ini": "[pytest]\npython_files = check_*.py\n"},
        ("tests-not-collected", "medium", "pytest.ini"),
    ),
    "norecursedirs-tests": (
        {"pytest.ini": "[pytest]\nnorecursedirs = .git build tests\n"},
        ("tests-not-collected", "medium", "pytest.ini"),
    ),
    "conftest-turns-failures-into-passes": (
        {
            "tests/conftest.py": "import pytest\n\n\n@pytest.hookimpl(hookwrapper=True)\n"
            "def pytest_runtest_makereport(item, call):\n    outcome = yield\n"
            "    report = outcome.get_result()\n    if report.failed:\n        report.outcome = 'passed'\n"
        },
        ("test-failures-ignored", "high", "tests/conftest.py"),
    ),
    "conftest-drops-the-exception-before-the-report": (
        {"tests/conftest.py": "def pytest_runtest_makereport(item, call):\n    call.excinfo = None\n"},
        ("test-failures-ignored", "high", "tests/conftest.py"),
    ),
    "conftest-takes-over-calling-the-tests": (
        {"tests/conftest.py": "def pytest_pyfunc_call(pyfuncitem):\n    return True\n"},
        ("test-failures-ignored", "medium", "tests/conftest.py"),
    ),
    "tox-command-whose-exit-code-is-ignored": (
        {"tox.ini": "[tox]\nenv_list = py311\n\n[testenv]\ndeps = pytest\ncommands = - pytest\n"},
        ("test-failures-ignored", "high", "tox.ini"),
    ),
    "tox-command-whose-exit-code-is-ignored-on-its-own-line": (
        {"tox.ini": "[testenv]\ndeps =\n    -rrequirements.txt\ncommands =\n    -python -m pytest -q\n"},
        ("test-failures-ignored", "high", "tox.ini"),
    ),
    "tox-ignore-outcome": (
        {"tox.ini": "[testenv]\ndeps = pytest\nignore_outcome = true\ncommands = pytest\n"},
        ("test-failures-ignored", "high", "tox.ini"),
    ),
    "nox-success-codes": (
        {
            "noxfile.py": "import nox\n\n\n@nox.session\ndef tests(session):\n"
            "    session.install('pytest')\n    session.run('pytest', success_codes=[0, 1])\n"
        },
        ("test-failures-ignored", "high", "noxfile.py"),
    ),
    "nox-success-codes-on-another-line": (
        {
            "noxfile.py": "import nox\n\n\n@nox.session\ndef tests(session):\n    session.run(\n"
            "        'pytest',\n        '-q',\n        success_codes=(0, 1, 5),\n    )\n"
        },
        ("test-failures-ignored", "high", "noxfile.py"),
    ),
    "workflow-pytest-piped-into-tee": (
        {".github/workflows/ci.yml": WORKFLOW.format(run="pytest -q | tee pytest.log")},
        ("test-failures-ignored", "high", ".github/workflows/ci.yml"),
    ),
    "workflow-pytest-piped-in-a-script": (
        {".github/workflows/ci.yml": WORKFLOW.format(run="|\n          pytest -q 2>&1 | tee pytest.log")},
        ("test-failures-ignored", "high", ".github/workflows/ci.yml"),
    ),
    "workflow-pipefail-only-in-another-step": (
        {
            ".github/workflows/ci.yml": WORKFLOW.replace(
                "        run: ruff check .\n",
                "        run: |\n          set -o pipefail\n          ruff check . | tee lint.log\n",
            ).format(run="pytest -q | tee pytest.log")
        },
        ("test-failures-ignored", "high", ".github/workflows/ci.yml"),
    ),
    "makefile-pytest-piped": (
        {"Makefile": "test:\n\tpytest -q | tee pytest.log\n"},
        ("test-failures-ignored", "high", "Makefile"),
    ),
    "pytest-ini-collect-only": (
        {"pytest.ini": "[pytest]\naddopts = -q --co\n"},
        ("tests-deselected", "high", "pytest.ini"),
    ),
    "pyproject-setup-plan": (
        {"pyproject.toml": '[tool.pytest.ini_options]\naddopts = [\n  "-q",\n  "--setup-plan",\n]\n'},
        ("tests-deselected", "high", "pyproject.toml"),
    ),
    "workflow-collect-only": (
        {".github/workflows/ci.yml": WORKFLOW.format(run="python -m pytest --collect-only -q")},
        ("tests-deselected", "high", ".github/workflows/ci.yml"),
    ),
    "workflow-pytest-addopts-collect-only": (
        {
            ".github/workflows/ci.yml": WORKFLOW.format(run="pytest -q")
            + "        env:\n          PYTEST_ADDOPTS: --co\n"
        },
        ("tests-deselected", "high", ".github/workflows/ci.yml"),
    ),
    "jest-ignores-the-tests-in-package-json": (
        {
            "package.json": '{\n  "scripts": {\n    "test": "jest"\n  },\n  "jest": {\n'
            '    "testPathIgnorePatterns": ["/node_modules/", "/src/"]\n  }\n}\n'
        },
        ("tests-not-collected", "high", "package.json"),
    ),
    "jest-config-ignores-the-tests": (
        {"jest.config.js": "module.exports = {\n  testPathIgnorePatterns: [\n    'total',\n  ],\n};\n"},
        ("tests-not-collected", "high", "jest.config.js"),
    ),
    # Run on file names the change chooses, such a pattern could take hours: it counts as leaving them out.
    "jest-config-pattern-that-backtracks": (
        {"jest.config.js": "module.exports = { testPathIgnorePatterns: ['(a+)+b'] };\n"},
        ("tests-not-collected", "high", "jest.config.js"),
    ),
    "jest-config-pattern-that-backtracks-in-nested-groups": (
        {"jest.config.js": "module.exports = { testPathIgnorePatterns: ['((a+))+$'] };\n"},
        ("tests-not-collected", "high", "jest.config.js"),
    ),
    "jest-config-pattern-that-backtracks-in-an-alternation": (
        {"jest.config.js": "module.exports = { testPathIgnorePatterns: ['(a|aa)+$'] };\n"},
        ("tests-not-collected", "high", "jest.config.js"),
    ),
    "jest-config-pattern-of-many-unbounded-quantifiers": (
        {"jest.config.js": "module.exports = { testPathIgnorePatterns: ['.*.*.*.*.*.*x'] };\n"},
        ("tests-not-collected", "high", "jest.config.js"),
    ),
    "jest-config-pattern-with-a-named-backreference": (
        {"jest.config.js": "module.exports = { testPathIgnorePatterns: ['(?P<x>a+)(?P=x)$'] };\n"},
        ("tests-not-collected", "high", "jest.config.js"),
    ),
    "jest-config-hides-the-tests-from-the-module-map": (
        {"jest.config.ts": "export default { modulePathIgnorePatterns: ['<rootDir>/src'] };\n"},
        ("tests-not-collected", "high", "jest.config.ts"),
    ),
    "vitest-excludes-the-tests-under-a-condition": (
        {
            "vitest.config.ts": "import { defineConfig } from 'vitest/config';\n"
            "export default defineConfig({ test: { exclude: [\n"
            "  // the decorators are not supported yet: see the tracking issue\n"
            "  ...(process.env.ROLLDOWN ? ['src/total.test.js'] : []),\n] } });\n"
        },
        ("tests-not-collected", "medium", "vitest.config.ts"),
    ),
    "vitest-excludes-the-tests": (
        {
            "vitest.config.ts": "import { defineConfig } from 'vitest/config';\n"
            "export default defineConfig({ test: { exclude: ['src/**'] } });\n"
        },
        ("tests-not-collected", "high", "vitest.config.ts"),
    ),
}


def test_a_workflow_that_no_longer_runs_the_tests_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The step that ran pytest is gone and nothing else in the change runs tests: medium (another
    workflow may run them already). Moving it to another workflow in the same change is not a finding."""
    with_tests = WORKFLOW.format(run="pytest -q")
    without = with_tests.replace("      - name: Test\n        run: pytest -q\n", "")

    def pr(root: Path, changes: dict[str, str | None]) -> Path:
        repo = GitRepo(root)
        for path, text in {**BASE, ".github/workflows/ci.yml": with_tests}.items():
            repo.write(path, text)
        repo.commit("base")
        repo.branch("feature")
        for path, content in {**CODE_CHANGE, **changes}.items():
            if content is None:
                repo.remove(path)
            else:
                repo.write(path, content)
        repo.commit("feature")
        return repo.root

    _, report = ai_gate(pr(tmp_path / "dropped", {".github/workflows/ci.yml": without}), capsys)
    assert weakened(report) == [("tests-deselected", "medium", ".github/workflows/ci.yml")]
    _, report = ai_gate(pr(tmp_path / "deleted", {".github/workflows/ci.yml": None}), capsys)
    assert weakened(report) == [("tests-deselected", "medium", ".github/workflows/ci.yml")]
    # a step commented out runs nothing, and a comment that names pytest elsewhere runs nothing either
    commented = with_tests.replace(
        "      - name: Test\n        run: pytest -q\n", "      # - name: Test\n      #   run: pytest -q\n"
    )
    changes = {
        ".github/workflows/ci.yml": commented,
        "Makefile": "lint:\n\truff check .  # pytest runs in CI\n",
    }
    _, report = ai_gate(pr(tmp_path / "commented", changes), capsys)
    assert weakened(report) == [("tests-deselected", "medium", ".github/workflows/ci.yml")]
    # only the command commented out: the step's name, which names pytest, runs nothing
    named = with_tests.replace(
        "      - name: Test\n        run: pytest -q\n",
        "      - name: Test with pytest\n        run: pytest -q\n",
    )
    _, report = ai_gate(
        pr(
            tmp_path / "named",
            {
                ".github/workflows/ci.yml": named.replace(
                    "        run: pytest -q\n", "        # run: pytest -q\n        run: echo skipped\n"
                )
            },
        ),
        capsys,
    )
    assert weakened(report) == [("tests-deselected", "medium", ".github/workflows/ci.yml")]
    moved: dict[str, str | None] = {
        ".github/workflows/ci.yml": without,
        ".github/workflows/test.yml": with_tests,
    }
    _, report = ai_gate(pr(tmp_path / "moved", moved), capsys)
    assert weakened(report) == []


@pytest.mark.parametrize("name", list(CAUGHT))
def test_each_setting_that_turns_tests_off_is_caught(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    changes, expected = CAUGHT[name]
    repo = make_pr(tmp_path / "repo", changes)
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [expected]
    assert code == (1 if expected[1] == "high" else 0)


# Settings and commands that tune a run and keep every test running and failing.
TUNING: dict[str, dict[str, str | None]] = {
    "pytest-ini-options": {
        "pytest.ini": "[pytest]\naddopts = -ra --strict-markers -p no:cacheprovider\ntestpaths = tests\n"
        "python_files = test_*.py check_*.py\npython_functions = test_* check_*\n"
        "norecursedirs = .git build node_modules\n"
    },
    "pyproject-other-tools": {
        "pyproject.toml": '[tool.mypy]\nignore_missing_imports = true\n\n[tool.ruff]\nignore = ["E501"]\n'
        '\n[tool.pytest.ini_options]\naddopts = "--cov=app"\n'
    },
    "workflow-plain-test-run": {
        ".github/workflows/ci.yml": WORKFLOW.format(run="pytest -q --maxfail=1 || exit 1"),
    },
    "continue-on-error-on-a-lint-step": {
        ".github/workflows/ci.yml": WORKFLOW.replace(
            "        run: ruff check .\n", "        run: ruff check .\n        continue-on-error: true\n"
        ).format(run="pytest -q"),
    },
    "conftest-reorders-the-items": {
        "tests/conftest.py": "def pytest_collection_modifyitems(config, items):\n"
        "    items[:] = sorted(items, key=lambda i: i.name)\n"
    },
    "makefile-ignores-a-cleanup": {"Makefile": "clean:\n\t-rm -rf build\n\ntest:\n\tpytest -q\n"},
    "package-json-coverage": {"package.json": '{\n  "scripts": {\n    "test": "jest --coverage"\n  }\n}\n'},
    "setup-cfg-ignores-docs": {"setup.cfg": "[tool:pytest]\naddopts = --ignore=docs --ignore-glob=*.md\n"},
    "makefile-ignores-test-data": {"Makefile": "test:\n\tuv run pytest --ignore=tests/snapshots\n"},
    "prefixes-and-globs": {
        "pyproject.toml": '[tool.pytest.ini_options]\npython_classes = ["Test", "*TestCase"]\n'
    },
    "continue-on-error-decided-per-run": {
        ".github/workflows/ci.yml": WORKFLOW.format(
            run="pytest -q\n        continue-on-error: ${{ matrix.experimental }}"
        ),
    },
    "a-lint-step-turned-off-by-its-first-key": {
        ".github/workflows/ci.yml": WORKFLOW.replace(
            "      - name: Lint\n", "      - if: false\n        name: Lint\n"
        ).format(run="pytest -q"),
    },
    "a-comment-that-names-pytest-in-a-lint-step": {
        ".github/workflows/ci.yml": WORKFLOW.replace(
            "        run: ruff check .\n",
            "        run: ruff check .\n        # pytest runs in the next step\n"
            "        continue-on-error: true\n",
        ).format(run="pytest -q"),
    },
    "conftest-keeps-each-report-for-fixtures": {
        "tests/conftest.py": "import pytest\n\n\n@pytest.hookimpl(hookwrapper=True)\n"
        "def pytest_runtest_makereport(item, call):\n    outcome = yield\n"
        "    report = outcome.get_result()\n    setattr(item, 'rep_' + report.when, report)\n"
        "    if report.when == 'call' and report.failed:\n        report.outcome = 'failed'\n"
    },
    "tox-reads-requirements": {
        "tox.ini": "[testenv]\ndeps =\n    -rrequirements.txt\n    -cconstraints.txt\ncommands = pytest\n"
        "    - coverage combine\n"
    },
    "nox-accepts-no-tests-collected": {
        "noxfile.py": "import nox\n\n\n@nox.session\ndef tests(session):\n"
        "    session.run('pytest', success_codes=[0, 5])\n"
        "    session.run('coverage', 'erase', success_codes=[0, 1])\n"
    },
    "workflow-pipe-under-bash": {
        ".github/workflows/ci.yml": WORKFLOW.format(run="pytest -q | tee pytest.log\n        shell: bash")
    },
    "workflow-pipe-with-pipefail": {
        ".github/workflows/ci.yml": WORKFLOW.format(
            run="|\n          set -o pipefail\n          pytest -q | tee pytest.log"
        )
    },
    "workflow-pipe-under-bash-by-default": {
        ".github/workflows/ci.yml": WORKFLOW.format(run="pytest -q | tee pytest.log").replace(
            "jobs:\n", "defaults:\n  run:\n    shell: bash\njobs:\n"
        )
    },
    "workflow-pipes-into-the-tests-and-quotes-a-pipe": {
        ".github/workflows/ci.yml": WORKFLOW.format(run="cat cases.txt | pytest -q -k 'total or fmt|x'")
    },
    "workflow-lists-the-tests-then-runs-them": {
        ".github/workflows/ci.yml": WORKFLOW.format(run="pytest --version && pytest --co -q && pytest -q")
    },
    "pytest-ini-coverage-options": {"pytest.ini": "[pytest]\naddopts = --cov=app --cov-report=term\n"},
    "jest-ignores-build-output": {
        "package.json": '{\n  "scripts": {\n    "test": "jest"\n  },\n  "jest": {\n'
        '    "testPathIgnorePatterns": ["/node_modules/", "/dist/"]\n  }\n}\n'
    },
    "jest-ignores-fixtures-the-change-adds": {
        "jest.config.js": "module.exports = { testPathIgnorePatterns: ['/__fixtures__/'] };\n",
        "src/__fixtures__/broken.test.js": "test('fails on purpose', () => { throw new Error('x') })\n",
    },
    "vitest-excludes-from-coverage": {
        "vitest.config.ts": "import { defineConfig } from 'vitest/config';\n"
        "export default defineConfig({\n  test: {\n    coverage: { exclude: ['src/**'] },\n"
        "    exclude: ['e2e/**', 'node_modules/**'],\n  },\n});\n"
    },
    "a-step-that-uses-a-pytest-action": {
        ".github/workflows/ci.yml": WORKFLOW.format(run="pytest -q")
        + "      - name: Comment coverage\n        continue-on-error: true\n"
        "        uses: MishaKav/pytest-coverage-comment@v1\n"
    },
}


@pytest.mark.parametrize("name", list(TUNING))
def test_settings_that_only_tune_a_run_are_not_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    repo = make_pr(tmp_path / "repo", TUNING[name])
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [] and code == 0


def test_settings_changed_without_a_code_change_are_not_suspicious(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Like a test edit, a settings edit alone is a team's decision, not a failure being hidden."""
    repo = make_pr(tmp_path / "repo", {"pytest.ini": "[pytest]\naddopts = --deselect tests/test_calc.py\n"})
    repo.write("app/calc.py", "def total(xs):\n    return sum(xs)\n")
    repo.commit("only settings")
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [] and code == 0


@pytest.mark.growth
@pytest.mark.parametrize(
    "unit",
    [
        "mvn ",
        "gradlew -q ",
        "curl pytest-",
        "pytest || ",
        "  continue-on-error: true\n",
        "pytest | tee ",
        "pytest --co ",
    ],
)
def test_reading_settings_is_linear_in_the_lines(unit: str) -> None:
    """A workflow of long lines that name a tool again and again is read in time that grows with it."""
    times = {}
    for count in (200, 2_000):
        line = (unit * 2_000)[:1_999]
        text = "\n".join([line] * count)
        change = added_file(".github/workflows/ci.yml", text)
        started = time.process_time()
        list(weakenings(change, lambda text=text: text))
        times[count] = time.process_time() - started
    assert max(times[2_000], 0.02) / max(times[200], 0.02) < 30, times


def test_a_patch_that_shows_part_of_a_workflow_is_not_judged_for_a_removed_test_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A patch shows only the lines around its hunks: a workflow that still runs the tests in a step
    the patch does not show must not read as one that no longer runs them."""
    two = (
        WORKFLOW.format(run="pytest -q tests/unit")
        + "".join(f"      - name: Step {i}\n        run: echo {i}\n" for i in range(6))
        + "      - name: Integration\n        run: pytest -q tests/integration\n"
    )
    repo = GitRepo(tmp_path / "repo")
    for path, text in {**BASE, ".github/workflows/ci.yml": two}.items():
        repo.write(path, text)
    base = repo.commit("base")
    for path, text in {**CODE_CHANGE, ".github/workflows/ci.yml": two.replace(
        "      - name: Integration\n        run: pytest -q tests/integration\n", ""
    )}.items():  # fmt: skip
        repo.write(path, text)
    head = repo.commit("drop the integration step")
    patch = tmp_path / "pr.diff"
    patch.write_text(repo.git("diff", base, head))
    code = main(["check", "--offline", "--format", "json", "--diff", str(patch)])
    report = json.loads(capsys.readouterr().out)
    assert weakened(report) == [] and code == 0


@pytest.mark.parametrize(
    "line",
    [
        "  if: false{}x",
        "  if: ${{{{ false }}}}{}x",
        "  - if: false{}x",
        "  continue-on-error: true{}x",
        "  continue-on-error: ${{{{ true }}}}{}x",
        "  continue-on-error: ${{{{ true{}x",
    ],
)
def test_a_long_setting_line_is_read_in_time_linear_in_its_length(line: str) -> None:
    """Step keys padded with blanks that fail at their end (lines up to the 2,000 characters read): the
    blanks are read once, not once each, so ten times the blanks cost ten times, not a hundred."""
    times = {}
    for blanks in (190, 1_900):
        text = WORKFLOW.format(run="pytest -q") + "\n".join([line.format(" " * blanks)] * 50)
        change = added_file(".github/workflows/ci.yml", text)
        started = time.process_time()
        list(weakenings(change, lambda text=text: text))
        times[blanks] = time.process_time() - started
    assert max(times[1_900], 0.02) / max(times[190], 0.02) < 30, times


PACKAGE = (
    '{\n  "name": "x",\n  "scripts": {\n    "test": "jest"\n  },\n'
    '  "jest": {\n    "testEnvironment": "node"\n  }\n}\n'
)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("echo no tests", [("tests-deselected", "high", "package.json")]),
        ("true", [("tests-deselected", "high", "package.json")]),
        ('echo \\"Error: no test specified\\" && exit 1', [("tests-deselected", "medium", "package.json")]),
        ("vitest run", []),
    ],
)
def test_a_test_script_that_runs_nothing_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], script: str, expected: list[tuple[str, str, str]]
) -> None:
    """The `test` script replaced by one that runs nothing and succeeds is high; by one that fails, or
    that the gate cannot tell runs tests, medium at most. The `jest` settings key runs nothing."""
    changes: dict[str, str | None] = {
        "package.json": PACKAGE.replace('"test": "jest"', f'"test": "{script}"')
    }
    repo = make_pr(tmp_path / "repo", changes, {**BASE, "package.json": PACKAGE})
    _, report = ai_gate(repo.root, capsys)
    assert weakened(report) == expected


def test_a_jest_config_of_brackets_left_open_is_read_in_linear_time() -> None:
    """Each ignore key's list is closed from one pass over the brackets: searched for from each key, an
    unclosed one was scanned to the end of the file again for every key after it."""
    times = {}
    for count in (1_000, 10_000):
        text = "module.exports = {" + "testPathIgnorePatterns:[" * count
        started = time.process_time()
        _settings(text, vitest=False)
        times[count] = time.process_time() - started
    assert max(times[10_000], 0.02) / max(times[1_000], 0.02) < 30, times
