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
