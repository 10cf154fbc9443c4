"""What one line of test code does, read from the line alone: an assertion, an assertion that cannot fail,
a skip or a focus marker (and whether its condition is a literal).

Works for any language and for patch input, where only the diff's lines are known. Every function here
runs in time linear in the line: patterns have no nested quantifiers over the same characters, strings
are scanned by hand, and a line is searched only when it holds one of a pattern's literal words.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from gate import syntax
from gate.analyzers.weakened_tests.go_build import expression, never_builds

# Assertion forms, each tried only where one of the anchors below starts (a match is anchored there):
# searching a long line for a dozen alternatives at every position costs far more than finding the
# few places where one can start. Every anchor begins with a literal, so the scan runs in C. Besides
# Python's and JS's: Rust's macros (`assert_eq!`, `debug_assert!`), the assertion classes of JUnit, xUnit,
# NUnit and MSTest (`Assertions.assertEquals`, `Assert.Equal`, `Assert.That`), camelCase assertion
# functions (`assertSame`, `$this->assertCount`), Swift's `XCTAssert*`, Ruby's minitest (`assert_equal`,
# `refute_nil`, with or without parentheses) and RSpec (`expect { }`, `is_expected`), Go's testify and
# Gomega, FluentAssertions and Shouldly (`.Should()`, `.ShouldBe(`), Kotest (`x shouldBe y`), GoogleTest
# (`EXPECT_EQ(`, `ASSERT_TRUE(`).
_ANCHOR = re.compile(
    r"self\.|pytest\.|np\.testing|\.assert_|\.should|\.Should|expect|Expect|is_expected|debug_assert"
    r"|prop_assert|XCTAssert|XCTFail|assert|Assert|ASSERT_|EXPECT_|refute|flunk|should|require\.|t\."
)
# Ruby's minitest calls without parentheses (`assert_equal 4, r`, `refute x`): a word after a space,
# unless the line is Python that names a variable so (`for assert_case in cases`).
_BARE_ARGUMENT = r"(?:\s*\(|[ \t]+(?!(?:in|is|if|for|and|or|not)\b)[^\s=(])"
_ASSERTION_AT = re.compile(
    r"(?<![\w.$])(?:self\.assert\w*\s*\(|self\.fail\s*\(|pytest\.(?:raises|warns|approx)\b|np\.testing\.assert"
    r"|expect\s*\(|assert(?:\.\w+)?\s*\(|require\.\w+\s*\(|t\.(?:Error|Errorf|Fatal|Fatalf|Fail)\b"
    r"|assert[A-Z]\w*\s*\(|(?:debug_|prop_)?assert\w*!\s*\(|XCTAssert\w*\s*\(|XCTFail\s*\("
    r"|(?:assert|refute)_\w+" + _BARE_ARGUMENT + r"|refute" + _BARE_ARGUMENT + r"|flunk\b"
    r"|expect\s*\{|is_expected\.|Expect\s*\(|(?:EXPECT|ASSERT)_[A-Z_]+\s*\("
    r"|should(?:Be|NotBe|Equal|Contain|Throw|Match|Have)\w*[ \t]+[\w\"'(\[{-])"
    # `Assert.Ignore()`, `Assert.Inconclusive()` and `Assert.Pass()` end a test without checking: skips.
    r"|(?<![.$])Assert(?:ions)?\.(?!Ignore\b|Inconclusive\b|Pass\b)\w+\s*[(<]"
    r"|\.assert_\w+\s*\(|\.should(?:_not)?\b|\.Should\w*\s*\("
)
_WORD = re.compile(r"\w")


# The test-runner names a JS/TS skip, focus or condition hangs off, and the modifiers that may sit between
# (`it.concurrent.skip`, `describe.skip.each`, `test.each.only`). The modifier names are disjoint from the
# runner names, so a chain is read once from its start.
_JS_RUNNERS = r"(?<![\w.$])(?:it|test|describe|context|suite|specify|bench)"
_JS_CHAIN = r"(?:\.(?:concurrent|sequential|serial|parallel|each|failing|extend|fails))*"
# `test.failing` (Jest) and `test.fails` (Vitest) pass only when the test fails: like `xfail`, they turn
# its assertions around, and count as a skip.
_JS_SKIP = re.compile(_JS_RUNNERS + _JS_CHAIN + r"\.(?:skip|todo|fixme|failing|fails)\b")
_JS_FOCUS = re.compile(_JS_RUNNERS + _JS_CHAIN + r"\.only\b|(?<![\w.$])(?:fit|fdescribe|ftest)\s*[(.]")
_JS_CONDITION = re.compile(_JS_RUNNERS + _JS_CHAIN + r"\.(skipIf|runIf)\s*\(")
_SKIP = re.compile(
    r"@pytest\.mark\.(?:skip|xfail)\b|\bpytest\.(?:skip|xfail)\s*\(|@unittest\.(?:skip|expectedFailure)\b"
    r"|\bself\.skipTest\s*\(|\braise\s+(?:\w+\.)*(?:SkipTest|Skipped)\b|\bpytestmark\s*=.*\b(?:skip|xfail)\b"
    r"|(?<![\w.$])(?:xit|xtest|xdescribe|xcontext|xspecify|xsuite)\s*[(.]|(?<![\w.$])(?:this|ctx|t)\.skip\s*\("
    r"|@(?:Disabled|Ignore|skip|expectedFailure)\b|\bt\.Skip(?:f|Now)?\s*\("
)
# Skips of other languages' runners: Rust's `#[ignore]`, xUnit's `[Fact(Skip = "...")]`, NUnit's and
# MSTest's `[Ignore]` and NUnit's `[Explicit]` (also in a list, `[Test, Ignore("...")]`), NUnit's
# `Assert.Ignore()` and `Assert.Inconclusive()`, TestNG's `@Test(enabled = false)`, and minitest's and
# RSpec's `skip` and RSpec's `pending` opening a line (`skip "flaky"`, `skip`). A Ruby skip with a
# trailing `if`/`unless`, and Rust's `#[cfg_attr(condition, ignore)]`, take a condition. Attributes and
# annotations are read where they stand, at the line's start: searched for anywhere, a line of many
# `#[cfg_attr(` would be scanned to its end from each.
_OTHER_SKIP = re.compile(
    r"^\s*#\[ignore\b|^\s*#\[cfg_attr\(.*\bignore\b|^\s*\[(?:[^\]]*,\s*)?(?:Ignore|Explicit)\b"
    r"|^\s*\[\s*(?:Fact|Theory)\b[^\]]*\bSkip\s*=|\bAssert\.(?:Ignore|Inconclusive)\s*\("
    r"|^\s*@Test\s*\([^)]*\benabled\s*=\s*false\b"
)
# Read in Ruby files only: elsewhere a line that opens with the word is no call (a JavaScript object's
# `skip` shorthand, a Python `pending(...)` helper).
_RUBY_SKIP = re.compile(r"^\s*(?:skip|pending)(?:\s*\(|[ \t]+(?!(?:in|is|if|for|and|or|not)\b)[\"'\w]|\s*$)")
_OTHER_CONDITION = re.compile(r"^\s*#\[cfg_attr\(.*\bignore\b|^\s*(?:skip|pending)\b.*\s(?:if|unless)\s")
_OTHER_SKIP_WORDS = ("ignore", "Ignore", "Explicit", "Skip", "Inconclusive", "enabled", "skip", "pending")
# A Go build constraint (`//go:build integration`, `// +build ignore`): the file is compiled, and its
# tests run, only when the tags say so; `ignore` is the tag no build sets (`go_build.py`).
_GO_BUILD = re.compile(r"\s*//\s*(?:go:build|\+build)\s")

# Skips that take a condition: the condition decides the severity (a literal one is no condition).
_PY_CONDITION = re.compile(r"\b(skipif|skipIf|skipUnless)\s*\(")
_IMPORTORSKIP = re.compile(r"\bpytest\.importorskip\s*\(")
_SKIP_WORDS = (
    "pytest",
    "unittest.",
    "skip",
    "Skip",
    ".todo",
    ".fixme",
    ".failing",
    ".fails",
    "xit",
    "xtest",
    "xdescribe",
    "xcontext",
    "xspecify",
    "xsuite",
    "@Disabled",
    "@Ignore",
    "@expectedFailure",
    "runIf",
)
_FOCUS_WORDS = (".only", "fit", "fdescribe", "ftest")


def has_any(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


# The line caches below hold the text of test lines a run reads, and what it says: a line is asked about
# several times (counted, then paired with the other side's assertions). Sized for the test lines of a
# large change; emptied when a run ends (`forget_lines`), so no run's text outlives it.
ASSERTION_CACHE_ENTRIES = 8192
LINE_CACHE_ENTRIES = 4096


@lru_cache(maxsize=ASSERTION_CACHE_ENTRIES)
def is_assertion(text: str) -> bool:
    stripped = text.lstrip()
    if stripped.startswith(("#", "//", "*")):
        return False
    if stripped.startswith("assert") and not _WORD.match(stripped, 6):
        return True  # Python's `assert` statement
    return any(_ASSERTION_AT.match(text, m.start()) for m in _ANCHOR.finditer(text))


def is_real_assertion(text: str) -> bool:
    """An assertion that can fail: `assert True` and `expect(x).toBe(x)` check nothing."""
    return is_assertion(text) and not is_tautology(text)


# --- strings ---------------------------------------------------------------------------------------


# A string literal of each quote: a backslash escapes the character after it (or ends the line), and one
# left open runs to the end of the line. Possessive, so that each character is read once.
_STRING = re.compile(r""""(?:[^"\\]++|\\.?)*+"?|'(?:[^'\\]++|\\.?)*+'?|`(?:[^`\\]++|\\.?)*+`?""", re.DOTALL)


def code_only(text: str) -> str:
    """The line with its string literals emptied: a skip marker quoted in a string is data, not a skip.
    An unterminated string runs to the end of the line. One pass, so linear whatever the quotes."""
    if '"' not in text and "'" not in text and "`" not in text:
        return text  # most lines of code
    return _STRING.sub(_emptied, text)


def _emptied(m: re.Match[str]) -> str:
    return m.group(0)[0] * 2


def call_argument(text: str, open_at: int, limit: int = 400) -> str | None:
    """The first argument of the call whose `(` is at `open_at`, or None when it runs past `limit`
    characters or the line. Strings and brackets inside are skipped."""
    span = argument_span(text, open_at, limit)
    return None if span is None else text[open_at + 1 : span].strip()


def argument_span(text: str, open_at: int, limit: int) -> int | None:
    """Where the first argument after `text[open_at]` ends: the index of its `,` or closing `)`."""
    depth = 0
    i = open_at + 1
    n = min(len(text), open_at + 1 + limit)
    while i < n:
        c = text[i]
        if c in "\"'`":
            i += 1
            while i < n and text[i] != c:
                i += 2 if text[i] == "\\" else 1
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return i
            depth -= 1
        elif c == "," and depth == 0:
            return i
        i += 1
    return None


_TRUE = frozenset({"true", "1", "!false", "!0", "!!1", "!!true", "not false", "not 0", "not none", "'true'"})
_FALSE = frozenset(
    {"false", "0", "!true", "!1", "not true", "not 1", "none", "null", "undefined", "''", '""'}
)


def literal_truth(argument: str) -> bool | None:
    """True or False when the expression is a literal with that truth value, None when it is a condition."""
    value = " ".join(argument.replace('"', "'").lower().split())
    value = value.removeprefix("condition=").strip()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


# --- markers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Marker:
    """A skip or focus that a line adds."""

    focus: bool
    # A skip under a stated condition (platform, missing optional dependency) is often legitimate; a
    # literal condition (`skipIf(True)`, `runIf(false)`) is none.
    conditional: bool
    what: str  # what the marker does, for the finding's text


FOCUS = Marker(True, False, "focuses the suite on one test (`.only`/`fit`): every other test stops running")
SKIP = Marker(False, False, "skips or expects failure of a test: the test no longer checks anything")
CONDITIONAL_SKIP = Marker(False, True, "skips a test under a condition: check that the condition is meant")
MODULE_SKIP = Marker(False, False, "skips every test in the module: none of them checks anything")
SKIP_ALWAYS = Marker(
    False, False, "skips a test under a condition that is always met: the test no longer checks anything"
)
NOT_COLLECTED = Marker(
    False, False, "tells the test runner not to collect tests: none of them runs, so none checks anything"
)

GO_BUILD_IGNORED = Marker(
    False,
    False,
    "keeps the Go file out of every build (`ignore`, or a constraint no setting meets): none of its tests "
    "runs any more",
)
GO_BUILD_TAGGED = Marker(
    False, True, "compiles the Go file, and runs its tests, only under a build tag: check that they still run"
)

# `__test__ = False` at a module's top level: pytest and nose collect nothing from it (inside a helper
# class named `Test...` it is the usual way to keep the class from being collected, and no finding).
_MODULE_NOT_A_TEST = re.compile(r"__test__\s*(?::[^=]*)?=\s*False\b")
# A conftest's `collect_ignore` or `collect_ignore_glob` given a test file's name or pattern.
_COLLECT_IGNORE = re.compile(r"\bcollect_ignore(?:_glob)?\s*(?:\+?=|\.(?:append|extend)\s*\()")
_TEST_NAME = re.compile(r"""["'][^"']*test[^"']*["']""", re.IGNORECASE)


@lru_cache(maxsize=LINE_CACHE_ENTRIES)
def line_marker(text: str, path: str = "") -> Marker | None:
    """The skip or focus a line adds, read from its text; `path`, the file's, for the forms only one
    language's runner reads (Go's build constraints, Ruby's `skip` and `pending`)."""
    code = code_only(text)
    if has_any(code, _FOCUS_WORDS) and _JS_FOCUS.search(code):
        return FOCUS
    if _not_collected(text, code):
        return NOT_COLLECTED
    other = _other_languages(code, path)
    if other is not None:
        return other
    if not has_any(code, _SKIP_WORDS):
        return None
    conditional = _conditional(text, code)
    if conditional is not None:
        return conditional
    if "pytestmark" in code and _SKIP.search(code):
        return MODULE_SKIP
    if _SKIP.search(code) or _JS_SKIP.search(code):
        return SKIP
    return None


def _other_languages(code: str, path: str) -> Marker | None:
    """A Go build constraint, or a skip of the Rust, .NET, TestNG or Ruby runners."""
    if path.endswith(".go") and "build" in code and _GO_BUILD.match(code):
        return GO_BUILD_IGNORED if never_builds(expression([code]) or "") else GO_BUILD_TAGGED
    if not has_any(code, _OTHER_SKIP_WORDS):
        return None
    if not _OTHER_SKIP.search(code) and not (path.endswith(".rb") and _RUBY_SKIP.search(code)):
        return None
    return CONDITIONAL_SKIP if _OTHER_CONDITION.search(code) else SKIP


def _not_collected(text: str, code: str) -> bool:
    """`__test__ = False` at a module's top level, or `collect_ignore` given a test file's name."""
    if "__test__" in code and _MODULE_NOT_A_TEST.match(code):
        return True
    return "collect_ignore" in code and bool(_COLLECT_IGNORE.search(code)) and bool(_TEST_NAME.search(text))


def _conditional(text: str, code: str) -> Marker | None:
    """`skipif(cond)`, `skipIf(cond)`, `skipUnless(cond)`, `it.skipIf(cond)`, `test.runIf(cond)`,
    `pytest.importorskip(...)`: conditional unless the condition is a literal that always skips."""
    if _IMPORTORSKIP.search(code):
        return CONDITIONAL_SKIP
    m = _PY_CONDITION.search(code) or _JS_CONDITION.search(code)
    if m is None:
        return None
    # The condition is read from the original line: emptied strings would read as false.
    argument = call_argument(text, m.end() - 1)
    truth = literal_truth(argument) if argument is not None else None
    skips_when = m.group(1) in ("skipif", "skipIf")
    if truth is not None and truth is skips_when:
        return SKIP_ALWAYS
    return CONDITIONAL_SKIP


# --- assertions replaced ---------------------------------------------------------------------------

# An assertion API given a new body, so that every check through it passes: unittest's methods assigned
# (`unittest.TestCase.assertEqual = lambda *a, **k: None`, `self.assertTrue = ...`, `assertEqual = ...` in
# a class body) or patched (`monkeypatch.setattr(TestCase, "assertEqual", ...)`, `patch("unittest.TestCase
# .assertEqual")`), and JS's `expect` or `assert` declared as a function of the file's own (`const expect
# = () => ...`, `function expect(`), set on the global object or spied on there. An alias of another
# assertion (`assertItemsEqual = assertCountEqual`) and an import (`const assert = require('assert')`)
# replace nothing.
_OVERRIDE = re.compile(
    r"(?P<assigned>(?:\bTestCase\.|\bself\.)(?:assert[A-Z]\w*|fail(?:[A-Z]\w*)?\b)|^\s*(?:assert|fail)[A-Z]\w*)"
    r"\s*=(?!=)"
    r"|\b(?:setattr|patch(?:\.object)?)\s*\(\s*[\"']?[\w.]*\b(?:TestCase|self)(?:[\"']?\s*,\s*[\"']|\.)(?:assert|fail)"
    r"|(?<![\w.$])(?:const|let|var)\s+(?:expect|assert)\s*=\s*(?:\(|function\b|async\b|\{|[\w$]+\s*=>)"
    r"|(?<![\w.$])function\s*(?:expect|assert)\s*\("
    r"|\b(?:global|globalThis|window)\.(?:expect|assert)\s*=(?!=)"
    r"|\b(?:jest|vi)\.spyOn\s*\(\s*(?:global|globalThis|window)\s*,\s*[\"'`](?:expect|assert)\b"
)
_OVERRIDE_WORDS = ("assert", "fail", "expect")
_ASSERT_WORD = re.compile(r"\bassert")


@lru_cache(maxsize=LINE_CACHE_ENTRIES)
def overrides_assertion(text: str) -> bool:
    """Whether the line gives an assertion API a body of its own (see `_OVERRIDE`)."""
    stripped = text.lstrip()
    if stripped.startswith(("#", "//", "*")) or not has_any(text, _OVERRIDE_WORDS):
        return False
    asserts: list[int] | None = None
    hashes: list[int] | None = None
    for m in _OVERRIDE.finditer(text):
        if m.group("assigned") is None:
            return True
        # An assignment whose value names an assertion before any comment is an alias of one. Looked
        # up, not searched for from each place: a line of many assignments stays linear.
        if asserts is None or hashes is None:
            asserts = [a.start() for a in _ASSERT_WORD.finditer(text)]
            hashes = [i for i, char in enumerate(text) if char == "#"]
        comment = hashes[h] if (h := bisect_left(hashes, m.end())) < len(hashes) else len(text)
        if not (a := bisect_left(asserts, m.end())) < len(asserts) or asserts[a] >= comment:
            return True
    return False


# --- assertions that cannot fail -------------------------------------------------------------------

MAX_PARSED_LINE = 10_000
_JS_SAME = ("toBe", "toEqual", "toStrictEqual", "to.equal", "to.eql", "to.deep.equal")
_JS_ASSERT_SAME = ("equal", "strictEqual", "deepEqual", "deepStrictEqual")


@lru_cache(maxsize=LINE_CACHE_ENTRIES)
def is_tautology(text: str) -> bool:
    """An assertion that holds whatever the code does: `assert True`, `assert x == x`, `assert (a, "m")`,
    `self.assertTrue(1)`, `expect(true).toBe(true)`, `expect(x).toEqual(x)`, `assert.ok(true)`."""
    stripped = text.strip()
    if stripped.startswith(("assert ", "assert(", "self.assert", "self.fail")) and not stripped.startswith(
        "assert."
    ):
        # Past this length a line is not parsed (a tautology is short; the parse of a long one is not).
        verdict = _python_tautology(stripped) if len(stripped) <= MAX_PARSED_LINE else None
        if verdict is not None:
            return verdict
    return _js_tautology(stripped) or _call_tautology(stripped)


def _python_tautology(stripped: str) -> bool | None:
    try:
        tree = syntax.parse_module(stripped)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if len(tree.body) != 1:
        return None
    stmt = tree.body[0]
    # Only a yes is final: `assert(true)` parses as Python too, and is read again as JavaScript.
    if isinstance(stmt, ast.Assert) and truth(stmt.test) is True:
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and unittest_tautology(stmt.value):
        return True
    return None


_SAME_ARGS = frozenset(
    {
        "assertEqual",
        "assertEquals",
        "assertIs",
        "assertCountEqual",
        "assertListEqual",
        "assertDictEqual",
        "assertSetEqual",
        "assertTupleEqual",
        "assertSequenceEqual",
        "assertMultiLineEqual",
        "assertAlmostEqual",
        "assertGreaterEqual",
        "assertLessEqual",
    }
)


def unittest_tautology(call: ast.Call) -> bool:
    """`self.assertTrue(True)`, `self.assertEqual(x, x)`, `self.assertIsNone(None)` and the like."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self"):
        return False
    name, args = func.attr, call.args
    if name in ("assertTrue", "assert_") and args:
        return truth(args[0]) is True
    if name == "assertFalse" and args:
        return truth(args[0]) is False
    if name == "assertIsNone" and args:
        return isinstance(args[0], ast.Constant) and args[0].value is None
    if name == "assertIsNotNone" and args:
        return isinstance(args[0], ast.Constant) and args[0].value is not None
    if name in _SAME_ARGS and len(args) >= 2:
        return same(args[0], args[1])
    return False


def same(a: ast.expr, b: ast.expr) -> bool:
    """Two expressions that are the same value whatever runs: equal literals, or one name, attribute or
    subscript written twice. Calls are left out: `f() == f()` can be a test of determinism."""
    if isinstance(a, ast.Constant) and isinstance(b, ast.Constant):
        return type(a.value) is type(b.value) and a.value == b.value
    return _plain(a) and ast.dump(a) == ast.dump(b)


def _plain(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute | ast.Subscript):
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Constant | ast.Name):
            return False
        node = node.value
    return isinstance(node, ast.Name | ast.Constant)


_ALWAYS = (ast.Eq, ast.Is, ast.GtE, ast.LtE)


def truth(node: ast.expr) -> bool | None:
    """The truth value of an expression that does not depend on anything that runs, else None."""
    if isinstance(node, ast.Constant):
        return bool(node.value)
    if isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict):
        # `assert (x, "message")` is a non-empty tuple: always true.
        return bool(node.elts if not isinstance(node, ast.Dict) else node.keys)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = truth(node.operand)
        return None if inner is None else not inner
    if isinstance(node, ast.JoinedStr):
        # `assert f"{result} == 4"`: a string with text of its own is never empty.
        return True if any(isinstance(v, ast.Constant) and v.value for v in node.values) else None
    if isinstance(node, ast.Lambda | ast.GeneratorExp):
        return True  # `assert lambda: result == 4`: a function, or a generator, is true uncalled
    if isinstance(node, ast.BoolOp):
        values = [truth(v) for v in node.values]
        if isinstance(node.op, ast.Or):
            if True in values or _holds_its_negation(node.values):
                return True  # `x == 4 or x != 4`, `ok or not ok`
            return False if all(v is False for v in values) else None
        if False in values or _holds_its_negation(node.values):
            return False
        return True if all(v is True for v in values) else None
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, op, right = node.left, node.ops[0], node.comparators[0]
        if isinstance(op, _ALWAYS) and same(left, right):
            return True
        if isinstance(op, ast.In | ast.NotIn) and _holds(right, left):
            return isinstance(op, ast.In)  # `x in [x]`, `x in (x, y)`, `x in {x}`
        if isinstance(left, ast.Constant) and isinstance(right, ast.Constant):
            return _compare_constants(left.value, op, right.value)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "isinstance"
        and len(node.args) == 2
        and isinstance(node.args[1], ast.Name)
        and node.args[1].id == "object"
    ):
        return True
    return None


def _holds(container: ast.expr, value: ast.expr) -> bool:
    """A list, tuple or set written out with `value` among its items."""
    return isinstance(container, ast.List | ast.Tuple | ast.Set) and any(
        same(e, value) for e in container.elts
    )


_NEGATED: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}


def _holds_its_negation(values: list[ast.expr]) -> bool:
    """Two of the operands say opposite things: `a == b` and `a != b`, or `p` and `not p`. Read by
    their text, so any expression counts: `f() or not f()` of a deterministic `f` is no check either."""
    said = {ast.dump(v) for v in values}
    for v in values:
        if isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.Not) and ast.dump(v.operand) in said:
            return True
        if isinstance(v, ast.Compare) and len(v.ops) == 1:
            negated = ast.Compare(v.left, [_NEGATED[type(v.ops[0])]()], v.comparators)
            if ast.dump(negated) in said:
                return True
    return False


def _compare_constants(a: object, op: ast.cmpop, b: object) -> bool | None:
    if type(a) is not type(b) or not isinstance(a, int | float | str | bytes | bool):
        return None
    x, y = a, b
    try:
        if isinstance(op, ast.Eq | ast.Is):
            return x == y
        if isinstance(op, ast.NotEq | ast.IsNot):
            return x != y
        if isinstance(op, ast.Lt):
            return x < y  # type: ignore[operator]
        if isinstance(op, ast.LtE):
            return x <= y  # type: ignore[operator]
        if isinstance(op, ast.Gt):
            return x > y  # type: ignore[operator]
        if isinstance(op, ast.GtE):
            return x >= y  # type: ignore[operator]
    except TypeError:
        return None
    return None


def _js_tautology(stripped: str) -> bool:
    """`expect(A).toBe(A)`, `expect(true).toBeTruthy()`, `assert(true)`, `assert.ok(1)`,
    `assert.equal(a, a)`. Only the line's first `expect(` or `assert` is read."""
    at = stripped.find("expect(")
    if at != -1 and (at == 0 or not (stripped[at - 1].isalnum() or stripped[at - 1] in "_$.")):
        open_at = at + len("expect")
        close = argument_span(stripped, open_at, len(stripped))
        if close is None or stripped[close] != ")":
            return False
        actual = stripped[open_at + 1 : close].strip()
        rest = stripped[close + 1 :].lstrip()
        if not rest.startswith("."):
            return False
        rest = rest[1:]  # `.not.toBe(x)` of the same value always fails: not a tautology
        for matcher in _JS_SAME:
            if rest.startswith(matcher + "("):
                expected = call_argument(rest, len(matcher), limit=len(rest))
                return expected is not None and _js_same(actual, expected)
        truthy = literal_truth(actual)
        if truthy is True and rest.startswith(("toBeTruthy(", "to.be.true", "to.be.ok", "toBeDefined(")):
            return True
        return truthy is False and rest.startswith(("toBeFalsy(", "to.be.false"))
    for prefix in ("assert(", "assert.ok(", "assert.isTrue(", "assert.isOk("):
        if stripped.startswith(prefix):
            argument = call_argument(stripped, len(prefix) - 1, limit=len(stripped))
            return argument is not None and literal_truth(argument) is True
    for name in _JS_ASSERT_SAME:
        prefix = f"assert.{name}("
        if stripped.startswith(prefix):
            comma = argument_span(stripped, len(prefix) - 1, len(stripped))
            if comma is None or stripped[comma] != ",":
                return False
            second = call_argument(stripped, comma, limit=len(stripped))
            first = stripped[len(prefix) : comma]
            return second is not None and _js_same(first, second)
    return False


# Other languages' assertions of a truth and of an equality, by the name of the call (its last dotted
# part): `assert!(true)`, `Assert.True(true)`, `assertTrue(true)`, `assert true`; `assert_eq!(x, x)`,
# `Assert.Equal(r, r)`, `assertEquals(4, 4)`, `assert_equal r, r`, `EXPECT_EQ(x, x)`.
_CALL = re.compile(r"(?:[\w$]+\.)*([\w$]+!?)(?:\s*\(|[ \t]+(?=\S))")
_TRUE_CALLS = frozenset(
    {"assert!", "debug_assert!", "assertTrue", "True", "IsTrue", "assert", "XCTAssert", "XCTAssertTrue"}
    | {"EXPECT_TRUE", "ASSERT_TRUE"}
)
_FALSE_CALLS = frozenset({"assertFalse", "False", "IsFalse", "refute", "XCTAssertFalse", "EXPECT_FALSE"})
_SAME_CALLS = frozenset(
    {"assert_eq!", "debug_assert_eq!", "assertEquals", "assertSame", "Equal", "AreEqual", "Same", "AreSame"}
    | {"assert_equal", "assert_same", "XCTAssertEqual", "EXPECT_EQ", "ASSERT_EQ", "StrictEqual"}
)


def _call_tautology(stripped: str) -> bool:
    m = _CALL.match(stripped)
    if m is None or m.group(1) not in _TRUE_CALLS | _FALSE_CALLS | _SAME_CALLS:
        return False
    # The arguments as a call's, whether in parentheses or after a space (Ruby's `assert_equal a, b`).
    args = stripped[m.end() - 1 :] if stripped[m.end() - 1] == "(" else "(" + stripped[m.end() :] + ")"
    first_end = argument_span(args, 0, len(args))
    if first_end is None:
        return False
    first = args[1:first_end].strip()
    name = m.group(1)
    if name in _TRUE_CALLS or name in _FALSE_CALLS:
        return literal_truth(first) is (name in _TRUE_CALLS)
    if args[first_end] != ",":
        return False
    second = call_argument(args, first_end, limit=len(args))
    return second is not None and _js_same(first, second)


def _js_same(a: str, b: str) -> bool:
    a, b = "".join(a.split()), "".join(b.split())
    if not a or a != b:
        return False
    # `expect(f()).toBe(f())` may test determinism; a name, a property path or a literal cannot fail.
    return "(" not in a


def forget_lines() -> None:
    """Empty the line caches: the next run reads other lines."""
    is_assertion.cache_clear()
    line_marker.cache_clear()
    is_tautology.cache_clear()
    overrides_assertion.cache_clear()
