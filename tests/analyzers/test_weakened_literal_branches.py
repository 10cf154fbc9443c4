"""A skip in a branch that a literal condition decides is taken every time, in Go, JavaScript and Python.

`if (false) {} else { this.skip() }` read as a skip under a condition (medium, not blocking), though the
`else` of a literally false `if` runs whenever the test does, as the body of `if (true)` already read
as the unconditional skip it is. A skip in the `else` of a real condition (`if (env) ; else
this.skip()`), which had read as no condition at all when the `if` had no braces, is a conditional one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gate.analyzers.weakened_tests.guards import guarded_skip
from gate.analyzers.weakened_tests.lines import CONDITIONAL_SKIP, SKIP, SKIP_ALWAYS, line_marker
from tests.analyzers.test_weakened_evasions import BASE, JS_TEST, ai_gate, make_pr

# The skip's line, the lines above it (nearest last), and what it is.
ALWAYS_TAKEN: dict[str, tuple[str, list[str]]] = {
    "js-else-of-false-on-one-line": ("if (false) {} else { this.skip() }", []),
    "js-else-of-zero": ("if (0) {} else { this.skip() }", []),
    "js-else-of-not-true": ("if (!true) {} else { this.skip() }", []),
    "js-else-of-false-without-braces": ("if (false) ; else this.skip()", []),
    "js-else-block-below-an-if-block": ("  this.skip();", ["if (false) {", "  log()", "}", "else {"]),
    "js-else-alone-on-its-line": ("    this.skip();", ["  if (false)", "    ;", "  else"]),
    "js-else-of-a-chain-all-false": ("  this.skip();", ["if (false) {", "} else if (0) {", "} else {"]),
    "js-body-of-true": ("if (true) { this.skip() }", []),
    "js-body-of-one": ("if (1) this.skip()", []),
    "go-else-of-false": ("\tif false { } else { t.Skip() }", []),
    "go-else-block-of-false": ("\t\tt.Skip()", ["\tif false {", "\t} else {"]),
    "go-body-of-true": ("\tif true { t.Skip() }", []),
    "js-else-of-false-inside-a-true-block": ("    this.skip();", ["if (true) {", "  if (false) {} else {"]),
    "js-else-of-false-after-comment-lines": (
        "  this.skip();",
        ["if (false) {", *(["  // padding"] * 8), "  /* more", "   * padding */", "", "} else {"],
    ),
    "go-else-of-false-after-comment-lines": (
        "\t\tt.Skip()",
        ["\tif false {", *(["\t// x"] * 9), "\t} else {"],
    ),
}
# Conditions made only of literals, and literals an operator reaches the skip from: taken every time.
CONSTANT: dict[str, tuple[str, list[str]]] = {
    "js-body-of-one-equals-one": ("if (1 === 1) this.skip()", []),
    "js-block-of-one-equals-one": ("    this.skip()", ["  if (1 === 1) {"]),
    "js-body-of-a-comparison-of-literals": ("if (!!(2 > 1)) this.skip()", []),
    "js-body-of-literals-joined": ("if (true && !0) { this.skip() }", []),
    "js-else-of-one-equals-two": ("if (1 === 2) {} else { this.skip() }", []),
    "js-else-of-null-strictly-undefined": ("if (null === undefined) ; else this.skip()", []),
    "go-body-of-one-equals-one": ("\tif 1 == 1 { t.Skip() }", []),
    "js-true-and-inside-a-true-block": ("    1 && this.skip()", ["  if (true) {"]),
}
# The skip's line as an operator reaches it from a literal: the skip stands, with no condition.
REACHED: dict[str, str] = {
    "js-true-and": "    true && this.skip()",
    "js-false-or": "    false || this.skip()",
    "js-literal-comparison-then": "    1 === 1 ? this.skip() : run()",
    "js-else-of-zero": "    0 ? run() : this.skip()",
    "js-true-and-in-parentheses": "    (true && this.skip())",
}
CONDITIONAL: dict[str, tuple[str, list[str]]] = {
    "js-body-of-an-env-check": ("if (process.env.CI) this.skip()", []),
    "js-else-of-an-env-check": ("if (process.env.DB) {} else { this.skip() }", []),
    "js-else-of-an-env-check-without-braces": ("if (env) ; else this.skip()", []),
    "js-else-alone-below-an-env-check": ("    this.skip();", ["  if (env)", "    log();", "  else"]),
    "js-else-of-a-chain-with-one-condition": (
        "    this.skip();",
        ["  if (false) {", "  } else if (process.env.CI) {", "  } else {"],
    ),
    "go-else-of-short-mode": ("\t\tt.Skip()", ["\tif testing.Short() {", "\t} else {"]),
    "js-else-of-false-as-the-statement-of-an-env-check": (
        "if (process.env.CI) if (false) x(); else this.skip()",
        [],
    ),
    "js-else-of-false-inside-an-env-check": (
        "  this.skip()",
        ["if (process.env.SLOW) {", "  if (false) {} else"],
    ),
    "js-body-of-true-inside-an-env-check": (
        "    this.skip()",
        ["  if (process.env.SLOW) {", "    if (true) {"],
    ),
    "js-body-of-true-as-the-statement-of-an-env-check": ("    this.skip()", ["if (env) {", "  if (true)"]),
    "js-else-if-true-after-an-env-check": (
        "    this.skip()",
        ["  if (process.env.CI) {", "  } else if (true) {"],
    ),
    "go-body-of-true-inside-short-mode": ("\t\t\tt.Skip()", ["\tif testing.Short() {", "\t\tif true {"]),
    "js-body-of-true-inside-an-env-check-past-comments": (
        "    this.skip()",
        ["  if (process.env.SLOW) {", *(["    // padding"] * 8), "    if (true) {"],
    ),
}


@pytest.mark.parametrize("name", list(ALWAYS_TAKEN))
def test_a_skip_in_a_branch_a_literal_always_takes_always_skips(name: str) -> None:
    text, above = ALWAYS_TAKEN[name]
    assert guarded_skip(text, above) is SKIP_ALWAYS


@pytest.mark.parametrize("name", list(CONDITIONAL))
def test_a_skip_in_a_branch_of_a_real_condition_is_conditional(name: str) -> None:
    text, above = CONDITIONAL[name]
    assert guarded_skip(text, above) is CONDITIONAL_SKIP


@pytest.mark.parametrize("name", list(CONSTANT))
def test_a_skip_under_a_condition_of_literals_always_skips(name: str) -> None:
    """`if (1 === 1)` decides its branch before the test runs, as `if (true)` does."""
    text, above = CONSTANT[name]
    assert guarded_skip(text, above) is SKIP_ALWAYS


@pytest.mark.parametrize("name", list(REACHED))
def test_a_skip_an_operator_reaches_from_a_literal_is_no_conditional_skip(name: str) -> None:
    """`true && this.skip()` runs the skip every time: no condition stands over it."""
    assert guarded_skip(REACHED[name], []) is None


# Real conditions, and operators a literal does not reach the skip through: conditional.
STILL_CONDITIONAL: dict[str, tuple[str, list[str]]] = {
    "js-env-and": ("    process.env.CI && this.skip()", []),
    "js-true-or": ("    true || this.skip()", []),
    "js-or-binds-after-and": ("    a || true && this.skip()", []),
    "js-true-and-inside-an-env-check": ("    true && this.skip()", ["  if (process.env.CI) {"]),
    "js-true-and-in-the-block-of-an-env-check": ("if (process.env.CI) { true && this.skip() }", []),
    "js-variable-compared-with-a-literal": ("if (x === 1) this.skip()", []),
    "js-literal-compared-with-a-call": ("if (1 === count()) this.skip()", []),
    "js-strings-are-not-read": ("if ('a' === 'b') {} else { this.skip() }", []),
    "js-literal-then-else-of-a-condition": ("    cond ? this.skip() : run()", []),
    "go-variable-compared": ("\tif n == 1 { t.Skip() }", []),
}


@pytest.mark.parametrize("name", list(STILL_CONDITIONAL))
def test_conditions_not_made_of_literals_stay_conditional(name: str) -> None:
    text, above = STILL_CONDITIONAL[name]
    assert guarded_skip(text, above) is CONDITIONAL_SKIP


def test_a_test_declared_skipped_in_a_branch_is_skipped_whatever_the_branch() -> None:
    """`it.skip(...)` declares the test skipped where it stands: no condition above it is read."""
    text = "  if (false) ; else it.skip('adds', () => {})"
    assert guarded_skip(text, []) is None
    assert line_marker(text, "src/total.test.js") is SKIP


GO_BASE = 'package calc\n\nimport "testing"\n\nfunc TestTotal(t *testing.T) {\n\tif Total(2, 2) != 4 {\n'
GO_BASE += '\t\tt.Errorf("bad")\n\t}\n}\n'


def _findings(report: dict[str, Any]) -> list[tuple[str, int, str]]:
    return sorted(
        (f["path"], f["start_line"], f["severity"])
        for f in report["findings"]
        if f["stage"] == "weakened-tests" and f["rule"] == "test-skipped"
    )


def test_skips_a_literal_always_takes_block_the_gate_and_real_conditions_warn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    js = JS_TEST.replace(
        "    expect(total([1, 2])).toBe(3)\n",
        "    if (false) {} else { this.skip() }\n"  # line 5
        "    if (0) {\n    } else {\n      this.skip()\n    }\n"  # line 8
        "    if (!true) ; else this.skip()\n"  # line 10
        "    if (process.env.DB) {} else { this.skip() }\n"  # line 11
        "    if (process.env.CI) ; else this.skip()\n"  # line 12
        "    expect(total([1, 2])).toBe(3)\n",
    )
    go = GO_BASE + (
        "\nfunc TestTotalSkipped(t *testing.T) {\n"
        '\tif false {\n\t} else {\n\t\tt.Skip("later")\n\t}\n'  # line 14
        '\tif true { t.Skip("later") }\n'  # line 16
        '\tif testing.Short() {\n\t} else {\n\t\tt.Skip("long mode")\n\t}\n'  # line 19
        "}\n"
    )
    py = (
        "import pytest\n\nfrom app.calc import total\n\n\ndef test_sum():\n"
        "    if True:\n        pytest.skip('later')\n"  # line 8
        "    if False:\n        pass\n    else:\n        pytest.skip('later')\n"  # line 12
        "    if not total([]):\n        pytest.skip('empty')\n"  # line 14
        "    assert total([1]) == 1\n"
    )
    base = {**BASE, "calc/calc.go": "package calc\n\nfunc Total(a, b int) int { return a + b }\n"}
    base["calc/calc_test.go"] = GO_BASE
    base["tests/test_sum.py"] = py.replace(py[py.index("    if True") : py.index("    assert")], "")
    changes: dict[str, str | None] = {"src/total.test.js": js, "calc/calc_test.go": go}
    changes["tests/test_sum.py"] = py
    repo = make_pr(tmp_path / "repo", changes, base)

    code, report = ai_gate(repo.root, capsys)

    assert _findings(report) == [
        ("calc/calc_test.go", 14, "high"),
        ("calc/calc_test.go", 16, "high"),
        ("calc/calc_test.go", 19, "medium"),
        ("src/total.test.js", 5, "high"),
        ("src/total.test.js", 8, "high"),
        ("src/total.test.js", 10, "high"),
        ("src/total.test.js", 11, "medium"),
        ("src/total.test.js", 12, "medium"),
        ("tests/test_sum.py", 8, "high"),
        ("tests/test_sum.py", 12, "high"),
        ("tests/test_sum.py", 14, "medium"),
    ]
    assert code == 1


def test_comment_lines_do_not_hide_the_literal_if_above_a_skip_nor_a_condition_around_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Comment lines between a skip and its `if` are passed over: `if (false) {`, comments, `} else {`
    is the always-taken skip it reads as without them, and a real condition around `if (true) {`, however
    far up past comments, still makes its skip conditional."""
    padding = "      // the reason, at length\n" * 10
    js = JS_TEST.replace(
        "    expect(total([1, 2])).toBe(3)\n",
        "    if (false) {\n" + padding + "    } else {\n      this.skip()\n    }\n"  # line 17
        "    if (process.env.SLOW) {\n" + padding + "      if (true) {\n        this.skip()\n      }\n    }\n"
        "    expect(total([1, 2])).toBe(3)\n",
    )
    repo = make_pr(tmp_path / "repo", {"src/total.test.js": js}, BASE)

    code, report = ai_gate(repo.root, capsys)

    assert _findings(report) == [("src/total.test.js", 17, "high"), ("src/total.test.js", 31, "medium")]
    assert code == 1


def test_skips_under_conditions_of_literals_block_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`true && this.skip()`, `if (1 === 1) this.skip()`, `if (1 === 1) { ... }` around a skip and a
    skipped test: each skips every time the test runs, and fails the gate; a real condition warns."""
    js = JS_TEST.replace(
        "    expect(total([1, 2])).toBe(3)\n",
        "    true && this.skip()\n"  # line 5
        "    if (1 === 1) this.skip()\n"  # line 6
        "    if (1 === 1) {\n      this.skip()\n    }\n"  # line 8
        "    process.env.CI && this.skip()\n"  # line 10
        "    expect(total([1, 2])).toBe(3)\n",
    ).replace(
        "  test('empty', () => {\n    expect(total([])).toBe(0)\n  })\n",
        "  if (1 === 1) {\n    test.skip('empty', () => {\n      expect(total([])).toBe(0)\n    })\n  }\n",
    )
    repo = make_pr(tmp_path / "repo", {"src/total.test.js": js}, BASE)

    code, report = ai_gate(repo.root, capsys)

    assert _findings(report) == [
        ("src/total.test.js", 5, "high"),
        ("src/total.test.js", 6, "high"),
        ("src/total.test.js", 8, "high"),
        ("src/total.test.js", 10, "medium"),
        ("src/total.test.js", 15, "high"),
    ]
    assert code == 1
