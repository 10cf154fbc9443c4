"""Ways a PR weakens its tests without deleting a line that says `assert`: each one through `ai-gate check`
on a real repository, next to a code change, and each caught.

Every case changes `app/calc.py` too (a change that touches only tests is not suspicious) and expects
the named finding at the named severity; a high one fails the gate.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from gate.analyzers.weakened_tests.disabled import (
    inverted_assertions,
    swallowed_assertions,
    swallowed_expectations,
)
from gate.cli import main
from gate.diff.model import DiffLine, FileChange, FileStatus, Hunk, LineKind
from tests.gitrepo import GitRepo

PY_TEST = """import unittest

import pytest

from app.calc import total


def test_total():
    result = total([1, 2])
    assert result == 3
    assert total([]) == 0


def test_negative():
    assert total([-1]) == -1


class TotalTest(unittest.TestCase):
    def test_big(self):
        self.assertEqual(total([10**6]), 10**6)
"""
JS_TEST = """const { total } = require('./total')

describe('total', () => {
  it('adds', function () {
    expect(total([1, 2])).toBe(3)
  })

  test('empty', () => {
    expect(total([])).toBe(0)
  })
})
"""
DJANGO_TEST = """from django.test import TestCase

from shop.models import price


class PriceTests(TestCase):
    def test_price(self):
        self.assertEqual(price(2), 4)
        self.assertContains(self.client.get("/"), "shop")
"""
BASE = {
    "app/__init__.py": "",
    "app/calc.py": "def total(xs):\n    return sum(xs)\n",
    "tests/test_calc.py": PY_TEST,
    "tests/test_more.py": "from app.calc import total\n\n\ndef test_more():\n    assert total([4]) == 4\n"
    "    assert total([4, 4]) == 8\n",
    "src/total.js": "exports.total = (xs) => xs.reduce((a, b) => a + b, 0)\n",
    "src/total.test.js": JS_TEST,
    "shop/__init__.py": "",
    "shop/models.py": "def price(n):\n    return n * 2\n",
    "shop/tests.py": DJANGO_TEST,
    "app/fmt.py": "def fmt(x):\n    return str(x)\n",
    "tests/test_fmt.py": "from app.fmt import fmt\n\n\ndef test_fmt():\n    assert fmt(1) == '1'\n",
    "docs/more.md": "# more\n",
    "tools/calc.py": "def main():\n    return 0\n",
}
MORE_TEST = BASE["tests/test_more.py"]
CODE_CHANGE = {"app/calc.py": "def total(xs):\n    return sum(xs or [])\n"}


def _py(old: str, new: str) -> dict[str, str | None]:
    assert old in PY_TEST
    return {"tests/test_calc.py": PY_TEST.replace(old, new, 1)}


def _aliased(binding: str, handler: str) -> dict[str, str | None]:
    """PY_TEST with `binding` at its top, and its empty-total assertion in a `try` that `handler` ends."""
    text = PY_TEST.replace("import pytest\n", f"import pytest\n\n{binding}", 1)
    tried = "    try:\n        assert total([]) == 0\n" + handler
    return {"tests/test_calc.py": text.replace("    assert total([]) == 0\n", tried, 1)}


def _js(old: str, new: str) -> dict[str, str | None]:
    assert old in JS_TEST
    return {"src/total.test.js": JS_TEST.replace(old, new, 1)}


TRIVIAL_FILE = "def test_ok():\n    assert True\n\n\ndef test_same():\n    x = 1\n    assert x == x\n"

# name -> (files the PR changes besides the code, the finding expected: rule, severity, path)
EVASIONS: dict[str, tuple[dict[str, str | None], tuple[str, str, str]]] = {
    "assert-true-replaces-a-check": (
        _py("    assert total([]) == 0\n", "    assert True\n"),
        ("tautological-assertion", "high", "tests/test_calc.py"),
    ),
    "assert-x-equals-x": (
        _py("    assert result == 3\n", "    assert result == result\n"),
        ("tautological-assertion", "high", "tests/test_calc.py"),
    ),
    "assert-non-empty-tuple": (
        _py("    assert total([-1]) == -1\n", '    assert (total([-1]), "negative")\n'),
        ("tautological-assertion", "high", "tests/test_calc.py"),
    ),
    "assertEqual-of-one-value": (
        _py("self.assertEqual(total([10**6]), 10**6)", "self.assertEqual(total, total)"),
        ("tautological-assertion", "high", "tests/test_calc.py"),
    ),
    "skip-imported-by-name-inside-a-body": (
        {
            "tests/test_calc.py": PY_TEST.replace(
                "from app.calc import total\n",
                "from app.calc import total\nfrom pytest import skip as later\n",
            ).replace("    result = total([1, 2])\n", "    later('flaky')\n    result = total([1, 2])\n")
        },
        ("test-skipped", "high", "tests/test_calc.py"),
    ),
    "pytestmark-skip": (
        _py("from app.calc import total\n", "from app.calc import total\n\npytestmark = pytest.mark.skip\n"),
        ("test-skipped", "high", "tests/test_calc.py"),
    ),
    "pytestmark-list-of-marks": (
        _py(
            "from app.calc import total\n",
            "from app.calc import total\n\n"
            "pytestmark = [pytest.mark.xfail(reason='wip'), pytest.mark.slow]\n",
        ),
        ("test-skipped", "high", "tests/test_calc.py"),
    ),
    "raise-unittest-SkipTest": (
        _py(
            "    def test_big(self):\n", "    def test_big(self):\n        raise unittest.SkipTest('later')\n"
        ),
        ("test-skipped", "high", "tests/test_calc.py"),
    ),
    "early-return-before-the-asserts": (
        _py("    result = total([1, 2])\n", "    result = total([1, 2])\n    return\n"),
        ("test-returns-early", "high", "tests/test_calc.py"),
    ),
    "unittest-skipIf-True": (
        _py("    def test_big(self):\n", "    @unittest.skipIf(True, 'slow')\n    def test_big(self):\n"),
        ("test-skipped", "high", "tests/test_calc.py"),
    ),
    "pytest-skipif-True": (
        _py("def test_negative():\n", "@pytest.mark.skipif(True, reason='later')\ndef test_negative():\n"),
        ("test-skipped", "high", "tests/test_calc.py"),
    ),
    "django-tests-py-loses-its-asserts": (
        {
            "shop/tests.py": DJANGO_TEST.replace(
                "        self.assertEqual(price(2), 4)\n"
                '        self.assertContains(self.client.get("/"), "shop")\n',
                '        price(2)\n        self.client.get("/")\n',
            )
        },
        ("all-assertions-removed", "high", "shop/tests.py"),
    ),
    "deleted-test-file-offset-by-trivial-asserts": (
        {"tests/test_more.py": None, "tests/test_smoke.py": TRIVIAL_FILE},
        ("test-file-deleted", "high", "tests/test_more.py"),
    ),
    "test-file-renamed-out-of-the-test-folders": (
        {"tests/test_more.py": None, "app/more_examples.py": MORE_TEST.replace("== 8", "== 4 + 4")},
        ("test-file-deleted", "high", "app/more_examples.py"),
    ),
    "test-file-renamed-to-a-name-pytest-does-not-collect": (
        {"tests/test_more.py": None, "tests/more_cases.py": MORE_TEST},
        ("test-file-deleted", "high", "tests/more_cases.py"),
    ),
    "test-file-renamed-into-an-ignored-path": (
        {"tests/test_more.py": None, "dist/tests/test_more.py": MORE_TEST.replace("== 8", "== 4 + 4")},
        ("test-file-deleted", "high", "dist/tests/test_more.py"),
    ),
    "test-file-deleted-with-a-document-of-its-name": (
        {"tests/test_more.py": None, "docs/more.md": None},
        ("test-file-deleted", "high", "tests/test_more.py"),
    ),
    "test-file-deleted-with-code-of-its-name-it-does-not-import": (
        {"tests/test_calc.py": None, "tools/calc.py": None},
        ("test-file-deleted", "high", "tests/test_calc.py"),
    ),
    "test-function-renamed-so-pytest-does-not-collect-it": (
        _py("def test_negative():\n", "def check_negative():\n"),
        ("test-renamed-away", "high", "tests/test_calc.py"),
    ),
    "unittest-method-renamed-out-of-the-test-prefix": (
        _py("    def test_big(self):\n", "    def _test_big(self):\n"),
        ("test-renamed-away", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-caught-and-passed": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        assert total([]) == 0\n    except AssertionError:\n        pass\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-caught-and-passed-under-a-comment": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        assert total([]) == 0\n    except AssertionError:  # flaky\n        pass\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-caught-a-comment-line-before-pass": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        assert total([]) == 0\n    except AssertionError:\n        # flaky on CI\n\n"
            "        pass\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-caught-and-only-logged": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        assert total([]) == 0\n    except AssertionError as error:\n"
            "        logger.warning('flaky: %s', error)\n        print(error)\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-caught-into-a-name-nothing-reads": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        assert total([]) == 0\n    except AssertionError as error:\n"
            "        _ = error\n        seen = True\n    total([])\n    print(seen)\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-caught-by-a-bare-except": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        assert total([]) == 0\n    except:\n        pass\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-caught-as-any-exception": (
        _py(
            "    def test_big(self):\n        self.assertEqual(total([10**6]), 10**6)\n",
            "    def test_big(self):\n        try:\n            self.assertEqual(total([10**6]), 10**6)\n"
            "        except Exception as error:\n            return\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-skipped-case-by-case": (
        _py(
            "    assert total([]) == 0\n",
            "    for case in ([], [0]):\n        try:\n            assert total(case) == 0\n"
            "        except AssertionError:\n            continue\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-caught-as-any-exception-past-a-long-try": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        assert total([]) == 0\n"
            + "        total([0])\n" * 80
            + "    except Exception:\n"
            "        pass\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-caught-as-any-exception-after-another-handler": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        assert total([]) == 0\n    except ValueError:\n        raise\n"
            "    except Exception:\n        pass\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-caught-by-a-tuple-with-exception": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        assert total([]) == 0\n    except (ValueError, Exception):\n        pass\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-caught-then-an-else-that-passes": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        assert total([]) == 0\n    except AssertionError:\n        pass\n"
            "    else:\n        pass\n    raised_flag = 1\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-caught-and-a-value-returned-from-the-test": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        assert total([]) == 0\n    except AssertionError:\n        return True\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "retry-loop-that-returns-a-value-from-the-test": (
        _py(
            "    assert total([]) == 0\n",
            "    for _ in range(3):\n        try:\n            assert total([]) == 0\n"
            "            return True\n        except AssertionError:\n            pass\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "retry-loop-whose-last-failure-passes": (
        _py(
            "    assert total([]) == 0\n",
            "    for _ in range(3):\n        try:\n            assert total([]) == 0\n            break\n"
            "        except AssertionError:\n            time.sleep(0.01)\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "retry-loop-of-one-round": (
        _py(
            "    assert total([]) == 0\n",
            "    for _ in range(1):\n        try:\n            assert total([]) == 0\n            break\n"
            "        except AssertionError:\n            pass\n    else:\n        pass\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-suppressed": (
        _py(
            "    assert total([-1]) == -1\n",
            "    with contextlib.suppress(ValueError, AssertionError):\n        assert total([-1]) == -1\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "js-it-skip-each": (
        _js("  it('adds', function () {", "  it.skip.each([[1]])('adds %i', function () {"),
        ("test-skipped", "high", "src/total.test.js"),
    ),
    "js-it-skipIf-true": (
        _js("  it('adds', function () {", "  it.skipIf(true)('adds', function () {"),
        ("test-skipped", "high", "src/total.test.js"),
    ),
    "js-expectation-caught-and-dropped": (
        _js(
            "    expect(total([])).toBe(0)\n",
            "    try {\n      expect(total([])).toBe(0)\n    } catch (e) {\n      // flaky on CI\n    }\n",
        ),
        ("assertion-swallowed", "high", "src/total.test.js"),
    ),
    "js-expectation-caught-on-one-line": (
        _js("    expect(total([])).toBe(0)\n", "    try { expect(total([])).toBe(0) } catch {}\n"),
        ("assertion-swallowed", "high", "src/total.test.js"),
    ),
    "js-expectation-caught-and-logged": (
        _js(
            "    expect(total([1, 2])).toBe(3)\n",
            "    try {\n      expect(total([1, 2])).toBe(3);\n    }\n    catch (error) {\n"
            "      console.warn('flaky', error);\n    }\n",
        ),
        ("assertion-swallowed", "high", "src/total.test.js"),
    ),
    "js-expectation-caught-after-a-return-outside-a-loop": (
        _js(
            "    expect(total([])).toBe(0)\n",
            "    try {\n      expect(total([])).toBe(0)\n      return\n    } catch (e) {\n    }\n",
        ),
        ("assertion-swallowed", "high", "src/total.test.js"),
    ),
    # A line at the margin inside the `try` block (a string's or a list's next line) is no statement:
    # it ends no block, so the handler below is still read with the block's assertion.
    "assertion-caught-as-any-exception-past-a-string-at-the-margin": (
        _py(
            "    assert total([]) == 0\n",
            '    try:\n        note = """\nat the margin\n"""\n        assert total([]) == 0\n'
            "    except Exception:\n        pass\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-caught-as-any-exception-past-a-list-at-the-margin": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        cases = [\n1]\n        assert total(cases) == 1\n"
            "    except Exception:\n        pass\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "js-expectation-caught-past-a-template-at-the-margin": (
        _js(
            "    expect(total([])).toBe(0)\n",
            "    try {\n      const note = `\nat the margin\n`\n      expect(total([])).toBe(0)\n"
            "    } catch (e) {\n    }\n",
        ),
        ("assertion-swallowed", "high", "src/total.test.js"),
    ),
    "js-expectation-caught-past-a-comment-at-the-margin": (
        _js(
            "    expect(total([])).toBe(0)\n",
            "    try {\n      expect(total([])).toBe(0) /*\nat the margin */\n    } catch (e) {\n    }\n",
        ),
        ("assertion-swallowed", "high", "src/total.test.js"),
    ),
    "js-expectation-caught-past-an-array-at-the-margin": (
        _js(
            "    expect(total([])).toBe(0)\n",
            "    try {\n      const cases = [\n1]\n      expect(total(cases)).toBe(1)\n"
            "    } catch (e) {\n    }\n",
        ),
        ("assertion-swallowed", "high", "src/total.test.js"),
    ),
    # Other ways to write the same statements: on one line, after a `:` or `;`, as exception groups.
    "assertion-tried-on-one-line-and-caught-as-any-exception": (
        _py("    assert total([]) == 0\n", "    try: assert total([]) == 0\n    except Exception: pass\n"),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-after-a-colon-caught-as-any-exception": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        if True: assert total([]) == 0\n    except Exception:\n        pass\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-after-a-semicolon-caught-as-any-exception": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        empty = []; assert total(empty) == 0\n    except Exception:\n        pass\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-caught-as-an-exception-group": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        assert total([]) == 0\n    except* AssertionError:\n        pass\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-dropped-by-a-return-in-finally": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        assert total([]) == 0\n    finally:\n        return\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "js-expectation-caught-with-the-brace-on-the-next-line": (
        _js(
            "    expect(total([])).toBe(0)\n",
            "    try\n    {\n      expect(total([])).toBe(0)\n    }\n    catch (e)\n    {\n    }\n",
        ),
        ("assertion-swallowed", "high", "src/total.test.js"),
    ),
    "js-expectation-dropped-by-a-return-in-finally": (
        _js(
            "    expect(total([])).toBe(0)\n",
            "    try {\n      expect(total([])).toBe(0)\n    } finally {\n      return\n    }\n",
        ),
        ("assertion-swallowed", "high", "src/total.test.js"),
    ),
    "js-expectation-dropped-by-a-return-in-finally-after-a-catch": (
        _js(
            "    expect(total([])).toBe(0)\n",
            "    try {\n      expect(total([])).toBe(0)\n    } catch (e) {\n      throw e\n"
            "    } finally {\n      return\n    }\n",
        ),
        ("assertion-swallowed", "high", "src/total.test.js"),
    ),
    # The caught type under another name the file gives it.
    "assertion-failure-caught-under-an-alias": (
        _aliased("Failure = AssertionError\n", "    except Failure:\n        pass\n"),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-caught-under-a-tuple-alias": (
        _aliased("ERRORS = (ValueError, AssertionError)\n", "    except ERRORS:\n        pass\n"),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-caught-under-an-imported-alias": (
        _aliased("from builtins import AssertionError as Failure\n", "    except Failure:\n        pass\n"),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-caught-as-any-exception-under-an-alias": (
        _aliased("Broad = Exception\n", "    except Broad:\n        pass\n"),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-caught-as-any-exception-past-a-call-at-the-margin-after-a-string": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        assert total([]) == 0\n        data = dict(a='x',\nb=1)\n"
            "    except Exception:\n        pass\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-dropped-by-a-return-under-an-if-in-finally": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        assert total([]) == 0\n    finally:\n        if True: return\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    # A regular expression the line reader could take for a comment's or a template's start hides
    # nothing at its statement's indent.
    "js-expectation-caught-below-a-regex-like-a-comment": (
        _js(
            "    expect(total([])).toBe(0)\n",
            "    const stars = /\\/*/g\n"
            "    try {\n      expect(total([])).toBe(0)\n    } catch (e) {\n    }\n",
        ),
        ("assertion-swallowed", "high", "src/total.test.js"),
    ),
    "js-expectation-dropped-by-a-return-under-an-if-in-finally": (
        _js(
            "    expect(total([])).toBe(0)\n",
            "    try {\n      expect(total([])).toBe(0)\n    } finally {\n      if (total) return\n    }\n",
        ),
        ("assertion-swallowed", "high", "src/total.test.js"),
    ),
    # A failure turned into a skip is no failure either.
    "assertion-failure-turned-into-a-raised-skip": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        assert total([]) == 0\n    except AssertionError:\n"
            "        raise unittest.SkipTest('flaky')\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    "assertion-failure-caught-as-any-exception-and-skipped": (
        _py(
            "    assert total([]) == 0\n",
            "    try:\n        assert total([]) == 0\n    except Exception:\n        pytest.skip('flaky')\n",
        ),
        ("assertion-swallowed", "high", "tests/test_calc.py"),
    ),
    # The same check, moved under an expected AssertionError: it passes only while the code is wrong.
    "assertion-wrapped-in-an-expected-failure": (
        _py(
            "    assert total([]) == 0\n",
            "    with pytest.raises(AssertionError):\n        assert total([]) == 0\n",
        ),
        ("assertion-inverted", "high", "tests/test_calc.py"),
    ),
    "assertion-wrapped-in-an-expected-failure-on-one-line": (
        _py("    assert total([]) == 0\n", "    with pytest.raises(AssertionError): assert total([]) == 0\n"),
        ("assertion-inverted", "high", "tests/test_calc.py"),
    ),
    "assertion-wrapped-in-an-expected-failure-of-a-tuple": (
        _py(
            "    assert total([]) == 0\n",
            "    with pytest.raises((ValueError, AssertionError)):\n        assert total([]) == 0\n",
        ),
        ("assertion-inverted", "high", "tests/test_calc.py"),
    ),
    "assertion-wrapped-in-an-expected-exception": (
        _py(
            "    assert total([]) == 0\n",
            "    with pytest.raises(Exception):\n        assert total([]) == 0\n",
        ),
        ("assertion-inverted", "high", "tests/test_calc.py"),
    ),
    "js-expectation-caught-into-a-bare-name": (
        _js(
            "    expect(total([])).toBe(0)\n",
            "    try {\n      expect(total([])).toBe(0)\n    } catch (e) { void e }\n",
        ),
        ("assertion-swallowed", "high", "src/total.test.js"),
    ),
    "js-this-skip": (
        _js("    expect(total([1, 2])).toBe(3)\n", "    this.skip()\n    expect(total([1, 2])).toBe(3)\n"),
        ("test-skipped", "high", "src/total.test.js"),
    ),
    "js-test-runIf-false": (
        _js("  test('empty', () => {", "  test.runIf(false)('empty', () => {"),
        ("test-skipped", "high", "src/total.test.js"),
    ),
    "js-describe-skip-each": (
        _js("describe('total', () => {", "describe.skip.each([1])('total %i', () => {"),
        ("test-skipped", "high", "src/total.test.js"),
    ),
    "js-describe-concurrent-skip": (
        _js("describe('total', () => {", "describe.concurrent.skip('total', () => {"),
        ("test-skipped", "high", "src/total.test.js"),
    ),
    "module-marked-not-a-test": (
        _py("import unittest\n", "import unittest\n\n__test__ = False\n"),
        ("test-skipped", "high", "tests/test_calc.py"),
    ),
    "conftest-ignores-the-tests": (
        {"tests/conftest.py": 'collect_ignore_glob = ["test_*.py"]\n'},
        ("test-skipped", "high", "tests/conftest.py"),
    ),
    "js-test-failing": (
        _js("  it('adds', function () {", "  it.failing('adds', function () {"),
        ("test-skipped", "high", "src/total.test.js"),
    ),
    "js-test-fails": (
        _js("  test('empty', () => {", "  test.fails('empty', () => {"),
        ("test-skipped", "high", "src/total.test.js"),
    ),
    "js-xdescribe": (
        _js("describe('total', () => {", "xdescribe('total', () => {"),
        ("test-skipped", "high", "src/total.test.js"),
    ),
    "js-xit": (
        _js("  it('adds', function () {", "  xit('adds', function () {"),
        ("test-skipped", "high", "src/total.test.js"),
    ),
    "js-expect-true-toBe-true": (
        _js("    expect(total([])).toBe(0)\n", "    expect(true).toBe(true)\n"),
        ("tautological-assertion", "high", "src/total.test.js"),
    ),
    # Assertions that hold whatever runs, written in place of a real one.
    "assert-of-an-f-string": (
        _py("    assert result == 3\n", '    assert f"{result} == 3"\n'),
        ("tautological-assertion", "high", "tests/test_calc.py"),
    ),
    "assert-of-a-lambda": (
        _py("    assert result == 3\n", "    assert lambda: result == 3\n"),
        ("tautological-assertion", "high", "tests/test_calc.py"),
    ),
    "assert-of-a-generator": (
        _py("    assert result == 3\n", "    assert (r == 3 for r in [result])\n"),
        ("tautological-assertion", "high", "tests/test_calc.py"),
    ),
    "assert-a-value-in-a-list-of-itself": (
        _py("    assert result == 3\n", "    assert result in [result, 3]\n"),
        ("tautological-assertion", "high", "tests/test_calc.py"),
    ),
    "assert-a-comparison-or-its-negation": (
        _py("    assert result == 3\n", "    assert result == 3 or result != 3\n"),
        ("tautological-assertion", "high", "tests/test_calc.py"),
    ),
    "assertTrue-of-a-value-or-not-it": (
        _py(
            "self.assertEqual(total([10**6]), 10**6)", "self.assertTrue(total([10**6]) or not total([10**6]))"
        ),
        ("tautological-assertion", "high", "tests/test_calc.py"),
    ),
    # Assertion APIs given a body that checks nothing.
    "unittest-assertEqual-replaced-in-a-conftest": (
        {"tests/conftest.py": "import unittest\n\nunittest.TestCase.assertEqual = lambda *a, **k: None\n"},
        ("assertion-overridden", "high", "tests/conftest.py"),
    ),
    "unittest-assertEqual-patched-by-monkeypatch": (
        {
            "tests/conftest.py": "import unittest\n\nimport pytest\n\n\n@pytest.fixture(autouse=True)\n"
            "def quiet(monkeypatch):\n    monkeypatch.setattr(unittest.TestCase, 'assertEqual', print)\n"
        },
        ("assertion-overridden", "high", "tests/conftest.py"),
    ),
    "unittest-assertEqual-replaced-in-a-class-body": (
        _py(
            "class TotalTest(unittest.TestCase):\n",
            "class TotalTest(unittest.TestCase):\n    assertEqual = print\n\n",
        ),
        ("assertion-overridden", "high", "tests/test_calc.py"),
    ),
    "js-expect-shadowed-by-a-function-of-the-file": (
        {"src/total.test.js": "const expect = () => ({ toBe() {} })\n" + JS_TEST},
        ("assertion-overridden", "high", "src/total.test.js"),
    ),
    "js-expect-spied-on-the-global-object": (
        _js(
            "describe('total', () => {",
            "jest.spyOn(global, 'expect').mockReturnValue({ toBe() {} })\n\ndescribe('total', () => {",
        ),
        ("assertion-overridden", "high", "src/total.test.js"),
    ),
    "parametrize-with-no-cases": (
        {
            "tests/test_cases.py": "import pytest\n\nfrom app.calc import total\n\n\n"
            "@pytest.mark.parametrize('xs,want', [])\ndef test_cases(xs, want):\n"
            "    assert total(xs) == want\n"
        },
        ("test-skipped", "high", "tests/test_cases.py"),
    ),
    "js-skip-under-a-literal-condition": (
        _js(
            "    expect(total([1, 2])).toBe(3)\n",
            "    if (true) {\n      this.skip()\n    }\n    expect(total([1, 2])).toBe(3)\n",
        ),
        ("test-skipped", "high", "src/total.test.js"),
    ),
}


def ai_gate(repo: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    """`ai-gate check --offline --format json` on the repository, in process (the suite runs many)."""
    code = main(["check", "--offline", "--format", "json", "--repo", str(repo), "--base", "main"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def make_pr(root: Path, changes: dict[str, str | None], base: dict[str, str] | None = None) -> GitRepo:
    """A repository whose `main` holds `base` (the cases' usual files by default) and whose `feature`
    changes the code and then `changes` (None deletes a file)."""
    repo = GitRepo(root)
    for path, text in (BASE if base is None else base).items():
        repo.write(path, text)
    repo.commit("base")
    repo.branch("feature")
    for path, content in {**CODE_CHANGE, **changes}.items():
        if content is None:
            repo.remove(path)
        else:
            repo.write(path, content)
    repo.commit("feature")
    return repo


def added_file(path: str, text: str) -> FileChange:
    """`text` as a new file at `path`, every line added: what the timing tests feed the rules."""
    lines = tuple(DiffLine(LineKind.ADDED, None, i + 1, t) for i, t in enumerate(text.split("\n")))
    return FileChange(path, None, FileStatus.ADDED, (Hunk(0, 0, 1, len(lines), "", lines),))


def weakened(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    findings = report.get("findings")
    assert isinstance(findings, list)
    return [(f["rule"], f["severity"], f["path"]) for f in findings if f["stage"] == "weakened-tests"]


@pytest.mark.parametrize("name", list(EVASIONS))
def test_each_evasion_is_caught_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    changes, expected = EVASIONS[name]
    repo = make_pr(tmp_path / "repo", changes)
    code, report = ai_gate(repo.root, capsys)
    assert expected in weakened(report), weakened(report)
    assert code == 1 and report["verdict"] == "fail"


# name -> files the PR changes besides the code: moves and removals that keep every test running
HONEST_MOVES: dict[str, dict[str, str | None]] = {
    "test-file-renamed-to-another-test-file": {
        "tests/test_more.py": None,
        "tests/unit/test_more.py": MORE_TEST,
    },
    "django-tests-py-split-into-a-package": {"shop/tests.py": None, "shop/tests/test_price.py": DJANGO_TEST},
    "python-module-deleted-with-its-test": {"app/fmt.py": None, "tests/test_fmt.py": None},
    "js-module-deleted-with-its-test": {"src/total.js": None, "src/total.test.js": None},
    "test-file-renamed-with-its-module": {
        "app/fmt.py": None,
        "app/format.py": BASE["app/fmt.py"],
        "tests/test_fmt.py": None,
        "tests/test_format.py": str(BASE["tests/test_fmt.py"]).replace("app.fmt", "app.format"),
    },
}


@pytest.mark.parametrize("name", list(HONEST_MOVES))
def test_tests_moved_or_removed_with_their_code_are_not_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    repo = make_pr(tmp_path / "repo", HONEST_MOVES[name])
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [] and code == 0


def test_a_test_file_that_cannot_be_parsed_is_a_finding_and_the_stage_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nested = "def test_deep():\n    assert total(" + "[" * 400 + "]" * 400 + ") == 0\n"
    repo = make_pr(
        tmp_path / "repo",
        {
            "tests/test_deep.py": "from app.calc import total\n\n\n" + nested,
            **_py("def test_negative():\n", "@pytest.mark.skip\ndef test_negative():\n"),
        },
    )
    code, report = ai_gate(repo.root, capsys)
    found = weakened(report)
    assert ("could-not-analyse", "medium", "tests/test_deep.py") in found
    assert ("test-skipped", "high", "tests/test_calc.py") in found
    stages = report["stages"]
    assert isinstance(stages, dict) and stages["weakened-tests"]["ran"] is True
    assert "error" not in stages["weakened-tests"] and code == 1


def test_a_test_file_over_the_size_limit_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = "def test_big():\n" + "    x = 1\n" * 120_000 + "    return\n    assert x\n"
    repo = make_pr(tmp_path / "repo", {"tests/test_big.py": big})
    _, report = ai_gate(repo.root, capsys)
    assert ("could-not-analyse", "medium", "tests/test_big.py") in weakened(report)


def test_conditions_that_are_conditions_stay_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A skip under a real condition, or a pytest.skip under an `if`, is medium, not high."""
    changes = _py(
        "def test_negative():\n",
        "@pytest.mark.skipif(sys.platform == 'win32', reason='posix')\ndef test_negative():\n",
    )
    changes["tests/test_calc.py"] = (
        changes["tests/test_calc.py"]
        .replace("import unittest\n", "import sys\nimport unittest\n")
        .replace(
            "    result = total([1, 2])\n",
            "    if sys.version_info < (3, 9):\n        pytest.skip('old python')\n"
            "    result = total([1, 2])\n",
        )
    )
    changes |= _js(
        "  it('adds', function () {", "  it.skipIf(process.platform === 'win32')('adds', function () {"
    )
    repo = make_pr(tmp_path / "repo", changes)
    code, report = ai_gate(repo.root, capsys)
    found = weakened(report)
    assert sorted(found) == [
        ("test-skipped", "medium", "src/total.test.js"),
        ("test-skipped", "medium", "tests/test_calc.py"),
        ("test-skipped", "medium", "tests/test_calc.py"),
    ]
    assert code == 0


def test_real_assertions_and_honest_rewrites_are_not_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Determinism checks (`f() == f()`), an early `return` in a helper, a rewritten assertion: none
    weakens a test."""
    changes = _py(
        "    assert total([]) == 0\n", "    assert total([]) == total([])\n    assert not total([])\n"
    )
    changes["tests/test_calc.py"] = str(changes["tests/test_calc.py"]) + (
        "\n\ndef helper(x):\n    if x:\n        return 1\n    return 2\n"
    )
    changes |= _js("    expect(total([])).toBe(0)\n", "    expect(total([])).toEqual(0)\n")
    repo = make_pr(tmp_path / "repo", changes)
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [] and code == 0


def test_tests_renamed_or_made_helpers_and_assertion_errors_checked_are_not_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A test renamed to another test name, a test made a helper that a test calls, an expected
    AssertionError (also the old way, `except AssertionError: pass` then `else: fail`), one whose
    message is checked, retries that wait: every check still runs."""
    text = (
        PY_TEST.replace("def test_total():", "def test_total_of_two():")
        .replace("def test_negative():", "def negative_case():")
        .replace(
            "    assert total([]) == 0\n",
            "    assert total([]) == 0\n    negative_case()\n"
            "    with pytest.raises(AssertionError):\n        assert total([1]) == 2\n"
            "    try:\n        assert total([1]) == 2\n    except AssertionError as error:\n"
            "        assert 'total' in str(error)\n",
        )
    )
    text += (
        "\n\ndef test_eventually():\n    for _ in range(3):\n        try:\n"
        "            assert total([1]) == 1\n            break\n        except AssertionError:\n"
        "            time.sleep(0.01)\n    else:\n        pytest.fail('never')\n"
        "\n\ndef test_eventually_passes():\n    for _ in range(3):\n        try:\n"
        "            assert total([1]) == 1\n            break\n        except AssertionError:\n"
        "            pass\n        time.sleep(0.01)\n    assert total([1]) == 1\n"
        "\n\ndef test_eventually_or_raise():\n    for _ in range(3):\n        try:\n"
        "            assert total([1]) == 1\n            return\n        except AssertionError:\n"
        "            continue\n    else: raise TimeoutError('total')\n"
        # a wait with no last round: it leaves only once the check holds
        "\n\ndef test_waits():\n    while True:\n        try:\n            assert total([1]) == 1\n"
        "            break\n        except AssertionError:\n            time.sleep(0.01)\n"
        # a search in a helper: its caller judges what it returns
        "\n\ndef first_total(cases):\n    for case in cases:\n        try:\n            assert total(case)\n"
        "            return case\n        except AssertionError:\n            pass\n    return None\n"
        # a failure kept for a check after the handler
        "\n\ndef test_exact_first():\n    try:\n        assert total([1]) == 1\n        exact = True\n"
        "    except AssertionError:\n        exact = False\n    if exact:\n        assert total([2]) == 2\n"
        # a broad handler around clean-up, not around an assertion
        "\n\ndef test_cleans_up(tmp_path):\n    assert total([1]) == 1\n    try:\n"
        "        (tmp_path / 'x').unlink()\n    except Exception:\n        pass\n"
        "\n\ndef test_a_wrong_total_fails():\n    try:\n        assert total([1]) == 2\n"
        "    except AssertionError:\n        pass\n    else:\n        pytest.fail('no failure')\n"
        # a helper class pytest would take for tests, kept from collection as usual
        "\n\nclass TestData:\n    __test__ = False\n    values = [1, 2]\n"
        # a name for ValueError: what it catches is no assertion's failure
        "\n\nBad = ValueError\n\n\ndef test_parses():\n    try:\n        assert int('x')\n    except Bad:\n"
        "        pass\n"
        # a `finally` whose loops and callbacks leave only themselves
        "\n\ndef test_stops_workers(workers):\n    try:\n        assert total([1]) == 1\n    finally:\n"
        "        for worker in workers:\n            if worker.done:\n                continue\n"
        "            worker.stop()\n        def report():\n            return len(workers)\n"
        "        workers.clear()\n"
        # a flag named like a skip, kept for a check after the handler
        "\n\ndef test_flagged():\n    Skipped = False\n    try:\n        assert total([1]) == 1\n"
        "    except AssertionError:\n        Skipped = True\n    if Skipped:\n"
        "        raise RuntimeError('bad')\n"
        # an assertion helper whose failure is the point, and code under test expected to assert
        "\n\ndef test_close_helper_fails():\n    with pytest.raises(AssertionError):\n"
        "        assert_close(total([1]), 2)\n    with pytest.raises(AssertionError):\n        total(None)\n"
        # clean-up in `finally`, and an `else:` that returns once the block passed
        "\n\ndef test_cleans_up_after(tmp_path):\n    try:\n        assert total([1]) == 1\n    finally:\n"
        "        (tmp_path / 'x').unlink(missing_ok=True)\n"
        "\n\ndef passed_once():\n    try:\n        assert total([1]) == 1\n    except AssertionError:\n"
        "        raise\n    else:\n        return True\n"
    )
    conftest = 'collect_ignore = ["setup.py"]\ncollect_ignore_glob = ["scripts/*.py"]\n'
    # JavaScript: an error checked in its catch, a promise's catch, clean-up allowed to fail, a retry.
    js = JS_TEST.replace(
        "    expect(total([])).toBe(0)\n",
        "    expect(total([])).toBe(0)\n    try {\n      total(null)\n      expect(true).toBe(false)\n"
        "    } catch (e) {\n      expect(e.message).toMatch(/null/)\n    }\n"
        "    load().catch(() => {})\n    try { fs.unlinkSync(tmp) } catch {}\n"
        "    try {\n      expect(total([])).toBe(0)\n    } finally {\n"
        "      fs.rmSync(tmp, { force: true })\n      for (const p of procs) {\n        if (p.done) {\n"
        "          continue\n        }\n        p.kill()\n      }\n      procs.forEach((p) => { return p })\n"
        "    }\n"
        "    for (let i = 0; i < 3; i++) {\n      try {\n        expect(total([])).toBe(0)\n        break\n"
        "      } catch {\n      }\n    }\n    expect(total([])).toBe(0)\n",
    )
    repo = make_pr(
        tmp_path / "repo",
        {"tests/test_calc.py": text, "tests/conftest.py": conftest, "src/total.test.js": js},
    )
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [] and code == 0


@pytest.mark.parametrize(
    ("path", "unit", "pad"),
    [("tests/test_x.py", "    try:\n        assert 1\n    except{}x:\n        pass\n", " "),
     ("src/x.test.js", "  try {{\n    expect(1)\n  }} catch{}x\n", " "),
     ("src/x.test.js", "  try {{\n    expect(1)\n  }} catch{}x\n", "/* ")],
)  # fmt: skip
def test_a_handler_line_of_many_spaces_is_read_in_linear_time(path: str, unit: str, pad: str) -> None:
    """A clause padded with spaces, or with block comments never closed, that fails to match at its
    end: read once, not once per space or comment."""
    times = {}
    for spaces in (4_000, 40_000):
        text = "def test():\n" + unit.format(pad * spaces)
        change = added_file(path, text)
        started = time.process_time()
        list(swallowed_assertions(change) if path.endswith(".py") else swallowed_expectations(change))
        times[spaces] = time.process_time() - started
    assert max(times[40_000], 0.02) / max(times[4_000], 0.02) < 30, times


def _modified(path: str, head: str, first: int, added: int) -> FileChange:
    """A hunk of `head` from its line `first` on, three lines of context then `added` lines added."""
    lines = head.split("\n")
    shown = [DiffLine(LineKind.CONTEXT, n, n, lines[n - 1]) for n in range(first, first + 3)]
    shown += [DiffLine(LineKind.ADDED, None, n, lines[n - 1]) for n in range(first + 3, first + 3 + added)]
    return FileChange(path, path, FileStatus.MODIFIED, (Hunk(first, 3, first, 3 + added, "", tuple(shown)),))


# A test whose docstring the hunk starts inside: its closing quotes are the first quotes the hunk shows.
DOCSTRING_ABOVE = (
    'def test_total():\n    """Totals.\n\n    More words.\n    """\n    try:\n        note = """\n'
    'at the margin\n"""\n        assert total([]) == 0\n    except Exception:\n        pass\n'
)
DOCSTRING_ABOVE_JS = (
    "it('adds', () => {\n  const text = `Totals.\n\n  More words.\n  `\n  try {\n    const note = `\n"
    "at the margin\n`\n    expect(total([])).toBe(0)\n  } catch (e) {\n  }\n})\n"
)


@pytest.mark.parametrize(
    ("path", "head"), [("tests/test_x.py", DOCSTRING_ABOVE), ("src/x.test.js", DOCSTRING_ABOVE_JS)]
)
def test_a_hunk_that_starts_inside_a_docstring_is_read_from_where_the_file_stands(
    path: str, head: str
) -> None:
    """The hunk's first quotes close a docstring begun above it: read with the file above, they close
    it, and the margin line in the `try` block below goes on with its string. Without the file, each
    line is read alone, and the handler is still read with its block when no margin line ends it."""
    change = _modified(path, head, 3, 8)
    find = swallowed_assertions if path.endswith(".py") else swallowed_expectations
    assert [line.new_no for line in find(change, head)] == [11]
    # Read alone, a margin line ends the block: what is left is what each line says.
    assert [line.new_no for line in find(change, None)] == []
    # Read from the file's first line, those same quotes would open a string and hide the handler.
    whole = FileChange(path, None, FileStatus.ADDED, change.hunks)
    assert [line.new_no for line in find(whole, None)] == []


def test_an_assertion_moved_elsewhere_is_not_one_inverted_by_an_identical_check() -> None:
    """The change moves `assert total([]) == 0` to another test, and a third test checks the same
    expression fails under `pytest.raises`: the removed assertion is back as it was, nothing inverted."""
    lines = (
        DiffLine(LineKind.CONTEXT, 1, 1, "def test_a():"),
        DiffLine(LineKind.REMOVED, 2, None, "    assert total([]) == 0"),
        DiffLine(LineKind.ADDED, None, 2, "    pass"),
        DiffLine(LineKind.ADDED, None, 3, "def test_b():"),
        DiffLine(LineKind.ADDED, None, 4, "    assert total([]) == 0"),
        DiffLine(LineKind.ADDED, None, 5, "def test_c():"),
        DiffLine(LineKind.ADDED, None, 6, "    with pytest.raises(AssertionError):"),
        DiffLine(LineKind.ADDED, None, 7, "        assert total([]) == 0"),
    )
    path = "tests/test_x.py"
    change = FileChange(path, path, FileStatus.MODIFIED, (Hunk(1, 2, 1, 7, "", lines),))
    assert list(inverted_assertions(change)) == []
    # Without the copy in test_b, the one under raises is the removed check, inverted.
    kept = tuple(line for line in lines if line.new_no not in (3, 4))
    moved = FileChange(path, path, FileStatus.MODIFIED, (Hunk(1, 2, 1, 5, "", kept),))
    assert [line.new_no for line in inverted_assertions(moved)] == [6]


def test_a_skip_where_an_import_fails_around_no_assertion_is_not_a_swallow() -> None:
    """A handler that names AssertionError (some libraries raise it on import) and skips, around no
    assertion: the skip is about the setup, not a check."""
    text = (
        "def test_needs_numpy():\n    try:\n        import numpy\n    except (ImportError, AssertionError):\n"
        "        pytest.skip('numpy')\n    assert total([1]) == 1\n"
    )
    assert list(swallowed_assertions(added_file("tests/test_x.py", text), text)) == []
    dropped = text.replace("import numpy", "assert total([]) == 0")
    assert [
        line.new_no for line in swallowed_assertions(added_file("tests/test_x.py", dropped), dropped)
    ] == [4]


@pytest.mark.parametrize(
    ("path", "opener", "escaped"),
    [("tests/test_x.py", 'x = """', '\\"""'), ("src/x.test.js", "x = `", "\\`")],
)
def test_escaped_closers_in_a_long_string_are_read_in_linear_time(
    path: str, opener: str, escaped: str
) -> None:
    """A string that runs over lines, its line a run of escaped closing quotes: each backslash is
    counted once, not again for every quote after it."""
    handler = "    try:\n        assert 1\n    except Exception:\n        pass\n"
    if path.endswith(".js"):
        handler = "  try {\n    expect(1)\n  } catch (e) {}\n"
    times = {}
    for count in (10_000, 100_000):
        text = f"def test():\n{handler}    {opener}\n{escaped * count}\n"
        change = added_file(path, text)
        started = time.process_time()
        list(swallowed_assertions(change) if path.endswith(".py") else swallowed_expectations(change))
        times[count] = time.process_time() - started
    assert max(times[100_000], 0.02) / max(times[10_000], 0.02) < 30, times


def _py_with(line: str) -> FileChange:
    """A test file whose change removes an assertion and adds `line` with a handler after it."""
    lines = (
        DiffLine(LineKind.CONTEXT, 1, 1, "def test_a():"),
        DiffLine(LineKind.REMOVED, 2, None, "    assert total([]) == 0"),
        DiffLine(LineKind.ADDED, None, 2, line),
        DiffLine(LineKind.ADDED, None, 3, "    try:"),
        DiffLine(LineKind.ADDED, None, 4, "        assert total([]) == 0"),
        DiffLine(LineKind.ADDED, None, 5, "    except Exception:"),
        DiffLine(LineKind.ADDED, None, 6, "        pass"),
    )
    return FileChange(
        "tests/test_x.py", "tests/test_x.py", FileStatus.MODIFIED, (Hunk(1, 2, 1, 6, "", lines),)
    )


ONE_LONG_LINE = {
    "an alias over a run of spaces": lambda n: _py_with("Failure = (AssertionError" + "  " * n + "x"),
    "an import of one long name": lambda n: _py_with("from x import " + "a" * n + " Exception as"),
    "an expected failure over a run of spaces": lambda n: _py_with("    with raises((" + " " * n),
    "braces and returns in a finally": lambda n: added_file(
        "src/x.test.js",
        "it('x', () => {\n  try {\n    expect(1)\n  } finally {\n    "
        + "{" * n
        + " return" * n
        + "\n  }\n})\n",
    ),
}


@pytest.mark.parametrize("shape", list(ONE_LONG_LINE))
def test_one_long_line_is_read_in_linear_time(shape: str) -> None:
    """Aliases, expected failures and a `finally`'s braces are read once along a line, however long."""
    times = {}
    for n in (20_000, 200_000):
        change = ONE_LONG_LINE[shape](n)
        started = time.process_time()
        if change.path.endswith(".js"):
            list(swallowed_expectations(change))
        else:
            list(swallowed_assertions(change))
            list(inverted_assertions(change))
        times[n] = time.process_time() - started
    assert max(times[200_000], 0.02) / max(times[20_000], 0.02) < 30, times


@pytest.mark.growth
def test_try_blocks_nested_deep_are_read_in_linear_time() -> None:
    """A broad handler's `try` block is read whole, however long, in one pass over the hunk: `try`
    statements nested fifty deep, with assertions inside and handlers after, cost ten times as much
    for ten times as many of them, not a hundred."""
    depth = 50
    opens = [" " * level + "try:" for level in range(1, depth + 1)]
    inner = [" " * (depth + 1) + "assert total([]) == 0"] * depth
    closes = [" " * level + line for level in range(depth, 0, -1) for line in ("except Exception:", " pass")]
    times = {}
    for nests in (40, 400):
        text = "\n".join(["def test():", *[*opens, *inner, *closes] * nests])
        change = added_file("tests/test_x.py", text)
        started = time.process_time()
        found = list(swallowed_assertions(change))
        times[nests] = time.process_time() - started
        assert len(found) == depth * nests
    assert max(times[400], 0.02) / max(times[40], 0.02) < 30, times


def test_assertion_apis_imported_or_aliased_are_not_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An assertion library imported under the usual names, and an old unittest name aliased to its new
    one, replace no assertion with a body of their own."""
    changes = _py(
        "class TotalTest(unittest.TestCase):\n",
        "class TotalTest(unittest.TestCase):\n    assertItemsEqual = unittest.TestCase.assertCountEqual\n\n",
    )
    changes |= {
        "src/total.test.js": "const assert = require('node:assert/strict')\n"
        "const expect = require('chai').expect\n" + JS_TEST + "\ntest('strict', () => {\n"
        "  assert.strictEqual(total([2]), 2)\n})\n"
    }
    repo = make_pr(tmp_path / "repo", changes)
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [] and code == 0, weakened(report)


PARAMETRIZED = """import pytest

from app.calc import total

CASES = [
    ([1], 1),
    ([2, 2], 4),
]


@pytest.mark.parametrize('xs,want', [
    ([1, 2], 3),
    ([], 0),
])
def test_rows(xs, want):
    assert total(xs) == want


@pytest.mark.parametrize('xs,want', CASES)
def test_named_rows(xs, want):
    assert total(xs) == want


@pytest.mark.parametrize('xs', [[1]])
def test_kept(xs):
    assert total(xs) == 1
"""


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("    ([1, 2], 3),\n    ([], 0),\n", "", 11),  # the rows removed, the decorator left as it was
        ("    ([1], 1),\n    ([2, 2], 4),\n", "", 17),  # the module-level list they came from emptied
    ],
)
def test_a_parametrize_emptied_of_its_cases_is_a_skip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, line: int
) -> None:
    """pytest skips a test whose parameter list is empty ("got empty parameter set"): emptying the list
    is high, at the decorator; a parametrize the change does not touch is not read."""
    base = {**BASE, "tests/test_rows.py": PARAMETRIZED}
    repo = make_pr(tmp_path / "repo", {"tests/test_rows.py": PARAMETRIZED.replace(old, new)}, base)
    code, report = ai_gate(repo.root, capsys)
    found = [f for f in report["findings"] if f["stage"] == "weakened-tests"]
    assert [(f["rule"], f["severity"], f["path"], f["start_line"]) for f in found] == [
        ("test-skipped", "high", "tests/test_rows.py", line)
    ]
    assert code == 1


GO_TEST = """package calc

import "testing"

func TestTotal(t *testing.T) {
\tif Total(2, 2) != 4 {
\t\tt.Errorf("bad")
\t}
}
"""


def test_skips_under_a_stated_condition_in_go_and_js_stay_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`if testing.Short() { t.Skip(...) }` in Go and `if (!process.env.X) { this.skip() }` in mocha are
    the usual way to leave out a slow or a database test: medium, as `pytest.skip()` under an `if` is."""
    go = GO_TEST + (
        "\nfunc TestTotalSlow(t *testing.T) {\n\tif testing.Short() {\n"
        '\t\tt.Skip("skipping integration test in short mode")\n\t}\n'
        '\tif Total(20, 20) != 40 {\n\t\tt.Fatal("bad")\n\t}\n}\n'
        '\nfunc TestTotalDB(t *testing.T) {\n\tif os.Getenv("DB") == "" { t.Skip("no db") }\n}\n'
    )
    changes = _js(
        "    expect(total([1, 2])).toBe(3)\n",
        "    if (!process.env.DATABASE_URL) {\n      this.skip();\n    }\n"
        "    expect(total([1, 2])).toBe(3)\n",
    )
    changes["src/total.test.js"] = str(changes["src/total.test.js"]).replace(
        "    expect(total([])).toBe(0)\n",
        "    if (process.platform === 'win32') this.skip()\n    expect(total([])).toBe(0)\n",
    )
    changes["calc/calc_test.go"] = go
    base = {**BASE, "calc/calc.go": "package calc\n\nfunc Total(a, b int) int { return a + b }\n"}
    base["calc/calc_test.go"] = GO_TEST
    repo = make_pr(tmp_path / "repo", changes, base)
    code, report = ai_gate(repo.root, capsys)
    assert sorted(weakened(report)) == [
        ("test-skipped", "medium", "calc/calc_test.go"),
        ("test-skipped", "medium", "calc/calc_test.go"),
        ("test-skipped", "medium", "src/total.test.js"),
        ("test-skipped", "medium", "src/total.test.js"),
    ]
    assert code == 0


def test_a_statement_before_a_skip_puts_no_condition_on_it() -> None:
    """Only an `if` whose condition closes where its line ends, or that holds the skip's own statement,
    makes a Go or JS skip conditional: a statement before it (`if (v) log();`, `cfg?.x;`) does not."""
    from gate.analyzers.weakened_tests.guards import guarded_skip

    assert guarded_skip("    this.skip();", ["  if (v) log()"]) is None
    assert guarded_skip("if (v) log(); this.skip();", []) is None
    assert guarded_skip("const v = cfg?.x; this.skip();", []) is None
    assert guarded_skip("    this.skip();", ["  if (!process.env.DB)"]) is not None
    assert guarded_skip("if (!env) this.skip()", []) is not None
