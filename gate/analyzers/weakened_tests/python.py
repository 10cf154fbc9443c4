"""What a Python test module does, read from its syntax tree: the skips it holds whatever they are called
(`from pytest import skip as s`), module-wide marks (`pytestmark = pytest.mark.skip`), skip exceptions
raised (`raise unittest.SkipTest`), whether each sits under a condition, and tests that return before
their remaining statements (the assertions after an early `return` never run).

Statements are visited recursively (Python's parser bounds their nesting at 100 levels); expressions
are walked iteratively, so a deep expression cannot exhaust the stack.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field

from gate import syntax
from gate.analyzers.source import name_chain, nodes, statements
from gate.analyzers.weakened_tests.lines import (
    CONDITIONAL_SKIP,
    MODULE_SKIP,
    SKIP,
    SKIP_ALWAYS,
    Marker,
    truth,
)

# Fully qualified names of what skips: module aliases are resolved before looking here.
_SKIPS = frozenset(
    {
        "pytest.skip",
        "pytest.xfail",
        "pytest.mark.skip",
        "pytest.mark.xfail",
        "unittest.skip",
        "unittest.expectedFailure",
    }
)
# (name, the condition's truth value that skips)
_CONDITIONAL = {
    "pytest.mark.skipif": True,
    "unittest.skipIf": True,
    "unittest.skipUnless": False,
}
_RAISED = ("SkipTest", "Skipped", "skip.Exception")
# Where a name comes from, written as its home module: `unittest.case.SkipTest` is `unittest.SkipTest`.
_HOMES = (
    ("unittest.case.", "unittest."),
    ("_pytest.outcomes.", "pytest."),
    ("_pytest.mark.", "pytest.mark."),
)


@dataclass(frozen=True)
class ShortCircuit:
    """A `return` in a test with statements after it, which never run."""

    line: int
    test: str
    remaining: int
    assertions: int


@dataclass
class PythonFacts:
    markers: dict[int, Marker] = field(default_factory=dict)  # line -> the skip the line holds
    short_circuits: list[ShortCircuit] = field(default_factory=list)


def analyse(tree: ast.Module, lines: Collection[int] | None = None, source: str | None = None) -> PythonFacts:
    """The module's facts; with `lines` (the lines a caller reports on), only those on these lines:
    a statement that holds none of them is not visited, which leaves most of a large test file alone
    when a change edits a few of its tests. `source`, the text `tree` was parsed from, lets the
    expressions of a statement whose lines name no skip go unwalked."""
    facts = PythonFacts()
    aliases = _aliases(tree)
    named = _NamingLines(source, aliases) if source is not None else None
    _Visitor(aliases, facts, lines, named).body(tree.body, conditional=False, test=None, module=True)
    return facts


class _NamingLines:
    """Which lines of the source may name a skip: every call or mark `expression` acts on has as its
    last part (an attribute's name, or a plain name) one of `_CALL_LAST_PARTS` or a local alias of one,
    written on a line of its statement. A line with any other than ASCII characters counts too: the
    parser reads identifiers in their NFKC form (a full-width `ｓkip` is `skip`)."""

    def __init__(self, source: str, aliases: dict[str, str]) -> None:
        words = set(_CALL_LAST_PARTS)
        words.update(local for local, name in aliases.items() if name.rpartition(".")[2] in _CALL_LAST_PARTS)
        pattern = re.compile("|".join(re.escape(word) for word in sorted(words)))
        # The parser counts a lone carriage return as a line break too.
        text = source.replace("\r\n", "\n").replace("\r", "\n")
        # counts[n]: how many of the lines 1..n may name a skip
        self.counts = [0]
        total = 0
        for line in text.split("\n"):
            if not line.isascii() or pattern.search(line):
                total += 1
            self.counts.append(total)

    def any_in(self, start: int, end: int) -> bool:
        last = len(self.counts) - 1
        return self.counts[min(end, last)] > self.counts[min(max(start, 1), last + 1) - 1]


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> what it is: `pt` -> `pytest`, `skip` -> `pytest.skip`, `mark` -> `pytest.mark`.
    Imports are statements: the statement walk lists them in the full walk's order, without
    visiting a single expression."""
    out: dict[str, str] = {}
    for node in statements(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    out[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                out[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return out


class _Visitor:
    def __init__(
        self,
        aliases: dict[str, str],
        facts: PythonFacts,
        lines: Collection[int] | None,
        named: _NamingLines | None,
    ) -> None:
        self.aliases = aliases
        self.facts = facts
        self.lines = lines
        self._sorted_lines = sorted(lines) if lines is not None else []
        self.named = named

    def _holds_line(self, stmt: ast.stmt) -> bool:
        """Whether the statement spans one of `lines`: every node under a statement sits within its
        lines, so a marker or an early return on one of `lines` is only ever found under a statement
        that spans it."""
        if self.lines is None:
            return True
        start, end = _span(stmt)
        at = bisect.bisect_left(self._sorted_lines, start)
        return at < len(self._sorted_lines) and self._sorted_lines[at] <= end

    def _may_name_skip(self, stmt: ast.stmt) -> bool:
        return self.named is None or self.named.any_in(*_span(stmt))

    def qualified(self, node: ast.expr) -> str | None:
        chain = name_chain(node)
        if chain is None:
            return None
        name = ".".join([self.aliases.get(chain[0], chain[0]), *chain[1:]])
        for home, short in _HOMES:
            if name.startswith(home):
                return short + name[len(home) :]
        return name

    def mark(self, line: int, marker: Marker) -> None:
        known = self.facts.markers.get(line)
        if known is None or (known.conditional and not marker.conditional):
            self.facts.markers[line] = marker

    def body(self, stmts: Sequence[ast.stmt], *, conditional: bool, test: str | None, module: bool) -> None:
        for index, stmt in enumerate(stmts):
            if not self._holds_line(stmt):
                continue
            self.statement(stmt, conditional=conditional, test=test, module=module)
            if (
                test is not None
                and index + 1 < len(stmts)
                and (self.lines is None or stmt.lineno in self.lines)
                and _terminates(stmt)
            ):
                after = stmts[index + 1 :]
                self.facts.short_circuits.append(
                    ShortCircuit(stmt.lineno, test, len(after), sum(_assertions(s) for s in after))
                )

    def statement(self, stmt: ast.stmt, *, conditional: bool, test: str | None, module: bool) -> None:
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and _assigns_pytestmark(stmt) and stmt.value:
            for node in nodes(stmt.value):
                if isinstance(node, ast.expr) and self.qualified(node) in (
                    "pytest.mark.skip",
                    "pytest.mark.xfail",
                ):
                    self.mark(stmt.lineno, MODULE_SKIP)
                    break
        if isinstance(stmt, ast.Raise) and stmt.exc is not None:
            exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
            name = self.qualified(exc) or ""
            if name.endswith(_RAISED):
                self.mark(stmt.lineno, CONDITIONAL_SKIP if conditional else SKIP)
        walk = self._may_name_skip(stmt)
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for decorator in stmt.decorator_list if walk else ():
                self.expression(decorator, conditional=conditional)
            inner = stmt.name if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) else None
            is_test = inner is not None and inner.startswith("test")
            self.body(stmt.body, conditional=conditional, test=inner if is_test else None, module=False)
            return
        for name, value in ast.iter_fields(stmt) if walk else ():
            if name in ("body", "orelse", "finalbody", "handlers", "cases"):
                continue
            if isinstance(value, ast.AST):
                self.expression(value, conditional=conditional)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.expression(item, conditional=conditional)
        for block, block_conditional in _blocks(stmt, conditional):
            self.body(block, conditional=block_conditional, test=test, module=module)

    def expression(self, root: ast.AST, *, conditional: bool) -> None:
        # Most nodes are not skips: a name's last part (`skip` of `pytest.mark.skip`) rules them out
        # before the full name is worked out, as the full check would.
        aliases = self.aliases
        for node in nodes(root):
            if isinstance(node, ast.Call):
                if _last_part(node.func, aliases) not in _CALL_LAST_PARTS:
                    continue
                name = self.qualified(node.func)
                if name in _CONDITIONAL:
                    self.mark(node.lineno, self._condition(node, _CONDITIONAL[name], conditional))
                elif name in _SKIPS or (name or "").endswith((".skipTest", "pytest.importorskip")):
                    skip = not conditional and not (name or "").endswith("importorskip")
                    self.mark(node.lineno, SKIP if skip else CONDITIONAL_SKIP)
            elif (
                isinstance(node, ast.Attribute | ast.Name)
                and _last_part(node, aliases) in _SKIP_LAST_PARTS
                and self.qualified(node) in _SKIPS
            ):
                # `@pytest.mark.skip`, `marks=pytest.mark.xfail`: the mark used without a call.
                self.mark(node.lineno, CONDITIONAL_SKIP if conditional else SKIP)

    def _condition(self, call: ast.Call, skips_when: bool, conditional: bool) -> Marker:
        condition = call.args[0] if call.args else None
        for keyword in call.keywords:
            if keyword.arg == "condition":
                condition = keyword.value
        if condition is None:  # `skipif(reason=...)` without a condition always skips
            return SKIP_ALWAYS if not conditional else CONDITIONAL_SKIP
        value = truth(condition)
        if isinstance(condition, ast.Constant) and isinstance(condition.value, str):
            value = _string_condition(condition.value)
        if value is skips_when and not conditional:
            return SKIP_ALWAYS
        return CONDITIONAL_SKIP


def _span(stmt: ast.stmt) -> tuple[int, int]:
    """The statement's first and last lines, its decorators included (they come before its own line)."""
    start = stmt.lineno
    decorators = getattr(stmt, "decorator_list", None)
    if decorators:
        start = min(start, *(d.lineno for d in decorators))
    return start, stmt.end_lineno or stmt.lineno


def _last_part(node: ast.expr, aliases: dict[str, str]) -> str | None:
    """The last part of the name `_Visitor.qualified` gives the node, without working it out: the
    attribute's name, or what a plain name stands for; None for what has no name. Moving a prefix to
    its home module (`_HOMES`) never changes the last part."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return aliases.get(node.id, node.id).rpartition(".")[2]
    return None


# The last parts of every name `expression` acts on: what is not among them is not looked at further.
_SKIP_LAST_PARTS = frozenset(name.rpartition(".")[2] for name in _SKIPS)
_CALL_LAST_PARTS = (
    _SKIP_LAST_PARTS | {name.rpartition(".")[2] for name in _CONDITIONAL} | {"skipTest", "importorskip"}
)


def _string_condition(text: str) -> bool | None:
    """pytest evaluates a string condition: `skipif("True")` always skips."""
    try:
        tree = syntax.parse_expression(text.strip())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return truth(tree.body)


def _assigns_pytestmark(stmt: ast.Assign | ast.AnnAssign) -> bool:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    return any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in targets)


def _blocks(stmt: ast.stmt, conditional: bool) -> Iterator[tuple[list[ast.stmt], bool]]:
    """The statement lists inside `stmt`, each with whether it runs only under a condition."""
    if isinstance(stmt, ast.If | ast.While):
        test = truth(stmt.test)
        yield stmt.body, conditional or test is not True
        yield stmt.orelse, conditional or test is not False
    elif isinstance(stmt, ast.Try | ast.TryStar):
        yield stmt.body, conditional
        for handler in stmt.handlers:
            yield handler.body, True
        yield stmt.orelse, True
        yield stmt.finalbody, conditional
    elif isinstance(stmt, ast.Match):
        for case in stmt.cases:
            yield case.body, True
    elif isinstance(stmt, ast.For | ast.AsyncFor | ast.With | ast.AsyncWith):
        yield stmt.body, conditional
        if isinstance(stmt, ast.For | ast.AsyncFor):
            yield stmt.orelse, True


def _terminates(stmt: ast.stmt) -> bool:
    """A `return`, or an `if` whose literal-true test always takes a branch that returns."""
    if isinstance(stmt, ast.Return):
        return True
    if isinstance(stmt, ast.If) and truth(stmt.test) is True:
        return any(_terminates(s) for s in stmt.body)
    return False


def _assertions(stmt: ast.stmt) -> int:
    count = 0
    for node in nodes(stmt):
        if isinstance(node, ast.Assert):
            count += 1
        elif isinstance(node, ast.Call):
            func = node.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else ""
            )
            if name.startswith(("assert", "raises", "fail")) or name in ("expect", "approx"):
                count += 1
    return count
