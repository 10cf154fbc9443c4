"""A changed Python test file's facts (`python.analyse` on its added lines), made by whichever stage
parses its head first: phantom-symbols parses most changed test files before this analyzer's turn, and
a second parse of a large test file cost as much as everything else this analyzer does with it. Only
the facts are kept, never the tree. Emptied when a run ends (`forget`).
"""

from __future__ import annotations

import ast
from dataclasses import replace

from gate.analyzers.parser_lines import ParserLines, parser_lines
from gate.analyzers.weakened_tests.paths import is_code, is_python, is_test_file
from gate.analyzers.weakened_tests.python import PythonFacts, analyse
from gate.diff.model import FileChange, FileStatus

# path -> (the head text, the added lines, the facts read from that text's tree)
_FACTS: dict[str, tuple[str, frozenset[int], PythonFacts]] = {}


def added_lines(change: FileChange) -> frozenset[int]:
    return frozenset(line.new_no for line in change.added_lines() if line.new_no is not None)


def read_facts(change: FileChange, head: str, tree: ast.Module) -> PythonFacts:
    """The facts of a test file whose head `head` parsed into `tree`: those on its added lines."""
    return _analyse(tree, added_lines(change), head)


def _analyse(tree: ast.Module, lines: frozenset[int], head: str) -> PythonFacts:
    """The facts on the diff's `lines`, placed on the diff's lines: in a text with a lone `\r` the
    parser counts more lines than the diff does."""
    mapped = parser_lines(head)
    if mapped is None:
        return analyse(tree, lines, head)
    return _on_diff_lines(analyse(tree, mapped.parser_lines(lines), head), mapped)


def _on_diff_lines(facts: PythonFacts, mapped: ParserLines) -> PythonFacts:
    """`facts` with each parser line made the diff's line that holds it. Of two markers on one diff
    line the unconditional one stands, as of two on one parser line."""
    out = PythonFacts()
    for line, marker in sorted(facts.markers.items()):
        at = mapped.diff_line(line)
        known = out.markers.get(at)
        if known is None or (known.conditional and not marker.conditional):
            out.markers[at] = marker
    out.short_circuits = [replace(cut, line=mapped.diff_line(cut.line)) for cut in facts.short_circuits]
    return out


def note_tree(change: FileChange, head: str, tree: ast.Module) -> None:
    """Called with the tree of a changed file's whole head text: kept as facts if it is test code."""
    path = change.path
    if change.status is not FileStatus.DELETED and is_test_file(path) and is_code(path) and is_python(path):
        lines = added_lines(change)
        try:
            facts = _analyse(tree, lines, head)
        except RecursionError:
            return  # past the bounds: weakened-tests meets it again in its own turn, and says so
        _FACTS[path] = (head, lines, facts)


def take_facts(change: FileChange, head: str) -> PythonFacts | None:
    """The facts noted for this head text and these added lines, once; None when none were."""
    held = _FACTS.pop(change.path, None)
    if held is None or held[0] != head or held[1] != added_lines(change):
        return None
    return held[2]


def forget() -> None:
    _FACTS.clear()
