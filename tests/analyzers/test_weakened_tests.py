"""weakened-tests: tests deleted, assertions removed, skips added or expectations edited next to code."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.analyzers.weakened_tests import WeakenedTestsAnalyzer, is_test_file
from gate.findings import Severity
from gate.run import StageResult
from tests.analyzers.gitrepo import Files, change, context

PY_TEST = (
    "import pytest\nfrom app import total\n\n\n"
    "def test_total():\n    assert total([1, 2]) == 3\n    assert total([]) == 0\n\n\n"
    "def test_raises():\n    with pytest.raises(ValueError):\n        total(None)\n"
)
JS_TEST = (
    "const { total } = require('../total')\n\n"
    "describe('total', () => {\n  it('adds', () => {\n    expect(total([1, 2])).toBe(3)\n  })\n\n"
    "  it('empty', () => {\n    expect(total([])).toBe(0)\n  })\n})\n"
)
BASE: Files = {
    "app.py": "def total(xs):\n    return sum(xs)\n",
    "tests/test_app.py": PY_TEST,
    "tests/test_other.py": "def test_other():\n    assert len([5]) == 1\n",
    "src/total.js": "exports.total = (xs) => xs.reduce((a, b) => a + b, 0)\n",
    "src/__tests__/total.test.js": JS_TEST,
}
CODE_CHANGE: Files = {"app.py": "def total(xs):\n    return sum(xs or [])\n"}


def run(tmp_path: Path, after: Files, *, patch_only: bool = False) -> StageResult:
    return WeakenedTestsAnalyzer().run(context(change(tmp_path, BASE, after, patch_only=patch_only)))


def rules(result: StageResult) -> list[str]:
    return sorted(f.rule for f in result.findings)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/test_app.py", True),
        ("pkg/test_x.py", True),
        ("pkg/x_test.py", True),
        ("conftest.py", True),
        ("src/a.test.ts", True),
        ("src/a.spec.tsx", True),
        ("src/__tests__/a.js", True),
        ("x_test.go", True),
        ("app.py", False),
        ("src/testing_utils.js", False),
        ("src/contest.py", False),
        ("docs/test.md", False),
    ],
)
def test_test_files_are_told_by_path(path: str, expected: bool):
    assert is_test_file(path) is expected


def test_a_deleted_test_file_next_to_a_code_change(tmp_path: Path):
    result = run(tmp_path, {**CODE_CHANGE, "tests/test_other.py": None})
    [finding] = result.findings
    assert finding.rule == "test-file-deleted" and finding.severity is Severity.HIGH
    assert finding.title == "Test file tests/test_other.py deleted"


def test_deleting_fixtures_is_not_deleting_tests(tmp_path: Path):
    changeset = change(
        tmp_path,
        {**BASE, "tests/fixtures/orders.json": "[]\n"},
        {**CODE_CHANGE, "tests/fixtures/orders.json": None},
    )
    assert WeakenedTestsAnalyzer().run(context(changeset)).findings == ()


def test_deleting_a_module_with_its_tests_is_not_weakening(tmp_path: Path):
    result = run(tmp_path, {**CODE_CHANGE, "src/total.js": None, "src/__tests__/total.test.js": None})
    assert result.findings == ()


def test_test_only_changes_are_not_suspicious(tmp_path: Path):
    result = run(
        tmp_path,
        {
            "tests/test_other.py": None,
            "tests/test_app.py": PY_TEST.replace("    assert total([]) == 0\n", ""),
        },
    )
    assert result.findings == () and "no non-test code" in result.details["note"]


def test_removed_assertions_without_replacement(tmp_path: Path):
    weakened = PY_TEST.replace("    assert total([]) == 0\n", "").replace(
        "    with pytest.raises(ValueError):\n        total(None)\n", "    total(None)\n"
    )
    result = run(tmp_path, {**CODE_CHANGE, "tests/test_app.py": weakened})
    assert rules(result) == ["assertion-removed", "assertion-removed"]
    for f in result.findings:
        assert f.location is not None and f.location.path == "tests/test_app.py" and f.location.start_line


def test_tests_moved_to_another_file_are_not_lost(tmp_path: Path):
    moved = {
        **CODE_CHANGE,
        "tests/test_other.py": None,  # its one assertion moves into the new file
        "tests/test_app.py": PY_TEST.replace("    assert total([]) == 0\n", ""),  # and this one too
        "tests/test_totals.py": "from app import total\n\n\ndef test_empty():\n    assert total([]) == 0\n"
        "    assert len([5]) == 1\n",
    }
    result = run(tmp_path, moved)
    assert result.findings == () and result.details["moved_tests"] == ["tests/test_other.py"]


def test_only_the_assertions_not_moved_count_as_removed(tmp_path: Path):
    weakened = PY_TEST.replace("    assert total([]) == 0\n", "").replace(
        "    assert total([1, 2]) == 3\n", "    total([1, 2])\n"
    )
    after = {
        **CODE_CHANGE,
        "tests/test_app.py": weakened,
        "tests/test_new.py": "def test_x():\n    assert total([1]) == 1\n",
    }
    assert rules(run(tmp_path, after)) == ["assertion-removed"]


def test_a_rewritten_assertion_is_a_replacement(tmp_path: Path):
    rewritten = PY_TEST.replace("    assert total([]) == 0\n", "    assert not total([])\n")
    assert run(tmp_path, {**CODE_CHANGE, "tests/test_app.py": rewritten}).findings == ()


def test_skips_xfails_and_focus_added(tmp_path: Path):
    py = PY_TEST.replace("def test_total", "@pytest.mark.skip(reason='flaky')\ndef test_total").replace(
        "def test_raises", "@pytest.mark.xfail\ndef test_raises"
    )
    js = JS_TEST.replace("it('adds'", "it.only('adds'").replace("it('empty'", "xit('empty'")
    result = run(tmp_path, {**CODE_CHANGE, "tests/test_app.py": py, "src/__tests__/total.test.js": js})
    assert rules(result) == ["test-focused", "test-skipped", "test-skipped", "test-skipped"]
    assert all(f.severity is Severity.HIGH for f in result.findings)


def test_more_skip_forms(tmp_path: Path):
    js = JS_TEST.replace("describe('total'", "describe.skip('total'").replace(
        "  it('empty', () => {\n    expect(total([])).toBe(0)\n  })\n", "  test.todo('empty')\n"
    )
    py = PY_TEST.replace(
        "    assert total([1, 2]) == 3\n", "    pytest.skip('later')\n    assert total([1, 2]) == 3\n"
    )
    result = run(tmp_path, {**CODE_CHANGE, "tests/test_app.py": py, "src/__tests__/total.test.js": js})
    assert rules(result) == ["assertion-removed", "test-skipped", "test-skipped", "test-skipped"]


def test_a_conditional_skip_is_a_warning(tmp_path: Path):
    py = PY_TEST.replace(
        "def test_total", "@pytest.mark.skipif(sys.platform == 'win32', reason='posix')\ndef test_total"
    )
    [finding] = run(tmp_path, {**CODE_CHANGE, "tests/test_app.py": py}).findings
    assert finding.rule == "test-skipped" and finding.severity is Severity.MEDIUM


def test_importorskip_added_to_a_test_module_is_a_conditional_skip(tmp_path: Path):
    """`pytest.importorskip` of a module that is not installed silently skips every test in the file."""
    py = PY_TEST.replace(
        "from app import total\n", "from app import total\n\npytest.importorskip('app_extras')\n"
    )
    [finding] = run(tmp_path, {**CODE_CHANGE, "tests/test_app.py": py}).findings
    assert finding.rule == "test-skipped" and finding.severity is Severity.MEDIUM
    assert "importorskip" in finding.title


def test_a_skip_marker_quoted_in_a_string_is_data(tmp_path: Path):
    py = PY_TEST + "\n\nMARKERS = ['@pytest.mark.skip', \"it.only(\"]\n"
    assert run(tmp_path, {**CODE_CHANGE, "tests/test_app.py": py}).findings == ()


def test_moving_a_skip_is_not_adding_one(tmp_path: Path):
    before_test = "import pytest\n\n\n@pytest.mark.skip\ndef test_a():\n    assert 1\n"
    after_test = (
        "import pytest\n\n\ndef test_b():\n    assert total([2]) > 1\n\n\n"
        + before_test.split("\n\n\n", 1)[1]
    )
    changeset = change(
        tmp_path, {**BASE, "tests/test_m.py": before_test}, {**CODE_CHANGE, "tests/test_m.py": after_test}
    )
    assert WeakenedTestsAnalyzer().run(context(changeset)).findings == ()


def test_expected_values_edited_to_match(tmp_path: Path):
    py = PY_TEST.replace("assert total([1, 2]) == 3", "assert total([1, 2]) == 4")
    js = JS_TEST.replace("expect(total([])).toBe(0)", "expect(total([])).toBe(undefined)")
    result = run(tmp_path, {**CODE_CHANGE, "tests/test_app.py": py, "src/__tests__/total.test.js": js})
    assert sorted(f.title for f in result.findings) == [
        "Expected value edited in src/__tests__/total.test.js: 0 -> undefined",
        "Expected value edited in tests/test_app.py: 3 -> 4",
    ]
    [py_finding] = [f for f in result.findings if f.location and f.location.path == "tests/test_app.py"]
    assert py_finding.location is not None and py_finding.location.start_line == 6


def test_patch_input_is_analysed_the_same(tmp_path: Path):
    result = run(
        tmp_path,
        {**CODE_CHANGE, "tests/test_other.py": None, "tests/test_app.py": PY_TEST.replace("== 3", "== 4")},
        patch_only=True,
    )
    assert rules(result) == ["expected-value-edited", "test-file-deleted"]


def test_a_test_file_renamed_out_of_the_tests_in_a_patch_is_deleted(tmp_path: Path):
    """A patch names the rename but shows only the renamed file's edits: its assertions are not counted,
    and none added elsewhere can stand in for them."""
    after = {
        **CODE_CHANGE,
        "tests/test_app.py": None,
        "app_examples.py": PY_TEST,
        "tests/test_new.py": PY_TEST,
    }
    [finding] = run(tmp_path, after, patch_only=True).findings
    assert finding.rule == "test-file-deleted" and finding.severity is Severity.HIGH
    assert (
        finding.title
        == "Test file tests/test_app.py deleted: renamed out of the test folders (app_examples.py)"
    )
    assert "an unknown number of assertions" in finding.body


@pytest.mark.parametrize(
    ("added", "severity"),
    [
        ("pytestmark = pytest.mark.skip\n", Severity.HIGH),
        ("    raise unittest.SkipTest('later')\n", Severity.HIGH),
        ("@unittest.skipIf(True, 'slow')\n", Severity.HIGH),
        ("@pytest.mark.skipif(condition=True, reason='x')\n", Severity.HIGH),
        ("@unittest.skipUnless(False, 'never')\n", Severity.HIGH),
        ("@pytest.mark.skipif(sys.version_info < (3, 10), reason='old')\n", Severity.MEDIUM),
    ],
)
def test_patch_input_reads_skips_from_the_lines_alone(tmp_path: Path, added: str, severity: Severity):
    """Without revisions a modified test file is known only by its diff lines: the line reader still
    tells a skip and whether its condition is a literal."""
    py = PY_TEST.replace("def test_raises", added + "def test_raises")
    [finding] = run(tmp_path, {**CODE_CHANGE, "tests/test_app.py": py}, patch_only=True).findings
    assert finding.rule == "test-skipped" and finding.severity is severity


def test_tautologies_are_told_from_real_assertions():
    from gate.analyzers.weakened_tests import is_tautology

    cannot_fail = [
        "assert True",
        "    assert x == x",
        "assert 1",
        'assert (total(xs), "message")',
        "assert not False",
        "assert x is x or y",
        "assert 2 > 1",
        "self.assertTrue(True)",
        "self.assertEqual(self.value, self.value)",
        "self.assertIsNone(None)",
        "expect(true).toBe(true)",
        "expect(result).toEqual(result)",
        "expect(1).toBeTruthy()",
        "assert.ok(true)",
        "assert.strictEqual(a, a)",
        "assert(true)",
    ]
    can_fail = [
        "assert total([]) == 0",
        "assert f() == f()",
        "assert x",
        "self.assertEqual(total([1]), 1)",
        "expect(total([])).toBe(0)",
        "expect(x).not.toBe(x)",
        "assert.strictEqual(a, b)",
        "assert(value)",
        "assert 1 == 2",
    ]
    assert [t for t in cannot_fail if not is_tautology(t)] == []
    assert [t for t in can_fail if is_tautology(t)] == []


@pytest.mark.parametrize(
    ("test_path", "test_text", "deleted", "expected"),
    [
        ("tests/test_calc.py", "from app.calc import add\n", "src/app/calc.py", True),
        ("tests/test_calc.py", "from app import calc\n", "app/calc.py", True),
        ("tests/test_calc.py", "import app.calc as c\n", "app/calc.py", True),
        ("tests/test_calc.py", "import pytest\n", "other/calc.py", True),
        ("src/calc.test.ts", "import { add } from '../lib/calc'\n", "lib/calc.ts", True),
        ("src/CalcTest.java", None, "src/main/Calc.kt", True),
        ("tests/test_calc.py", "from app.calc import add\n", "other/calc.py", False),
        ("tests/test_calc.py", "from app.calc import add\n", "docs/calc.md", False),
        ("tests/test_calc.py", "from app.calc import add\n", "tests/calc_test.py", False),
        ("src/calc.test.ts", "import { add } from './calc'\n", "src/calc.py", False),
        # Relative imports are placed from the test's folder: a module of that name elsewhere is not it.
        ("src/app/tests/test_calc.py", "from ..calc import add\n", "src/app/calc.py", True),
        ("src/app/tests/test_calc.py", "from .. import calc\n", "src/app/calc.py", True),
        ("test_calc.py", "from . import calc\n", "calc.py", True),
        ("tests/test_calc.py", "from .. import calc\n", "calc.py", True),
        ("src/app/tests/test_calc.py", "from ..calc import add\n", "lib/calc.py", False),
        ("tests/test_calc.py", "from .calc import add\n", "src/calc.py", False),
        ("src/ui/calc.test.ts", "import { add } from './calc'\n", "src/lib/calc.ts", False),
        ("calc.test.ts", "import { add } from '../lib/calc'\n", "lib/calc.ts", False),
    ],
)
def test_only_the_code_a_test_could_test_excuses_its_deletion(
    test_path: str, test_text: str | None, deleted: str, expected: bool
):
    from gate.analyzers.weakened_tests.subjects import DeletedCode

    assert DeletedCode({deleted}, tuple).has_subject(test_path, lambda: test_text) is expected


@pytest.mark.parametrize(
    ("test_text", "deleted", "head", "expected"),
    [
        ("from app.core import price\n", "app/core.py", ("app/core/__init__.py",), False),
        ("from app.core import price\n", "app/core.py", ("src/app/core/rates.py",), False),
        ("from app.core import price\n", "app/core.py", ("core.py", "app/core.json"), True),
        # Not saying which module it tests: one that went under a source root or out of one is still there.
        ("import pytest\n", "app/core.py", ("src/app/core.py",), False),
        ("import pytest\n", "src/app/core.py", ("app/core/__init__.py",), False),
        ("import pytest\n", "app/core.py", ("app/other.py", "tests/core/test_x.py"), True),
    ],
)
def test_a_deleted_module_still_at_head_in_another_form_keeps_its_test(
    test_text: str, deleted: str, head: tuple[str, ...], expected: bool
):
    from gate.analyzers.weakened_tests.subjects import DeletedCode

    code = DeletedCode({deleted}, lambda: head)
    assert code.has_subject("tests/test_core.py", lambda: test_text) is expected
