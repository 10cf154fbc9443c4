"""Parametrized tests left with no cases: pytest skips a test whose `parametrize` list is empty ("got empty
parameter set"), so removing every row of the list turns the test off with no skip written anywhere.

Read from the head's syntax tree, for the decorators the change touches: an added line in the decorator,
or a removed one between two of its lines (the rows removed, the decorator's own lines kept), or the same
in the module-level assignment of the name the decorator reads its cases from (`CASES = []`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from gate.analyzers.limits import Unreadable
from gate.analyzers.source import name_chain, parse_python, statements
from gate.diff.model import FileChange, LineKind

# An empty list or tuple, however it is spaced: a head without one holds no empty parametrize.
_EMPTY = re.compile(r"[\[(]\s*[\])]")


@dataclass(frozen=True)
class Emptied:
    line: int  # the decorator's first line at head
    test: str  # the test it decorates


def emptied_parameters(change: FileChange, head: str) -> Iterator[Emptied]:
    """The parametrize decorators the change leaves with an empty list of cases."""
    if "parametrize" not in head or _EMPTY.search(head) is None:
        return
    touched = _touched(change)
    if not touched:
        return
    try:
        tree = parse_python(head)
    except Unreadable:
        return  # the stage reports the file as not analysed
    if tree is None:
        return
    empty_names = {
        target.id: (stmt.lineno, stmt.end_lineno or stmt.lineno)
        for stmt in tree.body
        if isinstance(stmt, ast.Assign) and _empty(stmt.value)
        for target in stmt.targets
        if isinstance(target, ast.Name)
    }
    for node in statements(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for decorator in node.decorator_list:
            cases = _cases(decorator)
            if cases is None:
                continue
            spans = [(decorator.lineno, decorator.end_lineno or decorator.lineno)]
            if isinstance(cases, ast.Name) and cases.id in empty_names:
                spans.append(empty_names[cases.id])
            elif not _empty(cases):
                continue
            if any(line in touched for first, last in spans for line in range(first, last + 1)):
                yield Emptied(decorator.lineno, node.name)


def _cases(decorator: ast.expr) -> ast.expr | None:
    """The list of cases of a `pytest.mark.parametrize(names, cases)` decorator, else None."""
    if not isinstance(decorator, ast.Call):
        return None
    chain = name_chain(decorator.func)
    if chain is None or chain[-2:] != ["mark", "parametrize"]:
        return None
    if len(decorator.args) >= 2:
        return decorator.args[1]
    return next((k.value for k in decorator.keywords if k.arg == "argvalues"), None)


def _empty(node: ast.expr) -> bool:
    """`[]`, `()`, `list()`, `tuple()`."""
    if isinstance(node, ast.List | ast.Tuple):
        return not node.elts
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("list", "tuple")
        and not node.args
        and not node.keywords
    )


def _touched(change: FileChange) -> frozenset[int]:
    """The head's lines the change touches: each added line, and the lines on either side of a removal."""
    out: set[int] = set()
    for hunk in change.hunks:
        last_new: int | None = None
        removed = False
        for line in hunk.lines:
            if line.kind is LineKind.REMOVED:
                removed = True
                if last_new is not None:
                    out.add(last_new)
                continue
            if line.new_no is None:
                continue
            if line.kind is LineKind.ADDED or removed:
                out.add(line.new_no)
            removed = False
            last_new = line.new_no
    return frozenset(out)
