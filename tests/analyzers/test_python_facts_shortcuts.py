"""The shortcuts that spare the syntax-tree analyzers most of their walks find what the full walks find:
weakened-tests' facts on the lines it reports on (read once, by the first stage that parses the file),
and phantom-symbols' index of a class whose walk waited until its members were asked for."""

from __future__ import annotations

import ast
from pathlib import Path

from gate.analyzers.source import nodes
from gate.analyzers.symbols.index import RepoIndex
from gate.analyzers.weakened_tests.python import analyse
from gate.analyzers.weakened_tests.tree_facts import note_tree, read_facts, take_facts
from gate.diff.model import FileChange
from gate.diff.parser import parse_diff

TESTS = """
import pytest as pt
import unittest
from pytest import skip as leave, mark
from unittest import expectedFailure as ef, skipIf

pytestmark = pt.mark.xfail

@pt.mark.\\
skip
def test_a():
    assert 1

@ef
def test_b():
    x = 1
    return
    assert x

@skipIf(
    True, reason="multi-line")
def test_c():
    leave("now")

class TestD(unittest.TestCase):
    @mark.skipif("True")
    def test_e(self):
        if True:
            return
        self.assertEqual(1, 1)

    def test_f(self):
        pt.mark.ｓkip  # a full-width letter, read by the parser as its ASCII twin
        raise unittest.SkipTest("x")

    def test_g(self):
        self.skipTest("y")
        value = [pt.importorskip("z") for _ in range(2)]

def helper():
    return (pt
            .mark
            .xfail)
"""


def test_facts_on_given_lines_are_the_full_visits() -> None:
    tree = ast.parse(TESTS)
    full = analyse(tree)
    assert len(full.markers) >= 10 and full.short_circuits
    every = set(range(1, TESTS.count("\n") + 2))
    for lines in (every, {10, 11, 17, 25, 33, 38, 39, 44, 45, 51}, set(range(30, 47)), {18}):
        facts = analyse(tree, lines, TESTS)
        on_lines = {n: m for n, m in facts.markers.items() if n in lines}
        assert on_lines == {n: m for n, m in full.markers.items() if n in lines}
        assert facts.short_circuits == [c for c in full.short_circuits if c.line in lines]


def test_a_carriage_return_counts_as_a_line_break() -> None:
    source = "import pytest\r@pytest.mark.skip\rdef test_a():\r    pass\r"
    tree = ast.parse(source)
    assert analyse(tree, {2}, source).markers == analyse(tree).markers


MODULE = """
class Base:
    x = 1

class Plain(Base):
    def __init__(self):
        self.y = 2
        [0 for self.z in range(1)]

class Outside(dict):
    def __init__(self):
        self.w = 3
"""


def test_a_class_walked_when_asked_has_the_members_of_one_walked_at_once() -> None:
    index = RepoIndex(["pkg/mod.py"], lambda path: MODULE)
    assert index.class_members("pkg.mod", "Plain") == {"x", "y", "z", "__init__"}
    assert index.class_members("pkg.mod", "Outside") is None
    with_setattr = MODULE + "\nsetattr\n"  # the text names setattr(): every class is walked at once
    eager = RepoIndex(["pkg/mod.py"], lambda path: with_setattr)
    assert eager.class_members("pkg.mod", "Plain") == {"x", "y", "z", "__init__"}


def test_a_class_that_may_call_setattr_is_walked_at_once() -> None:
    opens = MODULE + "\nclass Opened(Base):\n    def __init__(self):\n        ｓetattr(self, 'v', 1)\n"
    index = RepoIndex(["pkg/mod.py"], lambda path: opens)
    assert index.class_members("pkg.mod", "Opened") is None  # its setattr() opens it
    assert index.class_members("pkg.mod", "Plain") == {"x", "y", "z", "__init__"}


def test_a_module_that_writes_its_globals_in_full_width_is_open() -> None:
    # NFKC makes `ｇlobals` the builtin `globals`: its names may be made at run time, as with `globals`
    for call in ("globals()['made'] = 1", "ｇlobals()['made'] = 1", "ｅxec('made = 1')"):
        index = RepoIndex(["pkg/mod.py"], lambda path, call=call: MODULE + "\n" + call + "\n")
        assert index.defines("pkg.mod", "made") is None, call
    assert RepoIndex(["pkg/mod.py"], lambda path: MODULE).defines("pkg.mod", "made") is False


HEAD = "import pytest\n\n@pytest.mark.skip\ndef test_a():\n    return\n    assert 1\n"


def _added(path: str, text: str) -> FileChange:
    body = "".join("+" + line + "\n" for line in text.splitlines())
    header = f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
    return parse_diff(f"{header}@@ -0,0 +1,{text.count(chr(10))} @@\n{body}").files[0]


def test_facts_noted_by_a_stage_that_parsed_the_head_are_the_facts_read_again() -> None:
    change = _added("tests/test_a.py", HEAD)
    note_tree(change, HEAD, ast.parse(HEAD))
    taken = take_facts(change, HEAD)
    assert taken is not None and taken == read_facts(change, HEAD, ast.parse(HEAD))
    assert taken.markers and taken.short_circuits
    assert take_facts(change, HEAD) is None  # taken once
    note_tree(change, HEAD, ast.parse(HEAD))
    assert take_facts(change, HEAD + "\n") is None  # another head text: read again
    note_tree(_added("pkg/code.py", HEAD), HEAD, ast.parse(HEAD))
    assert take_facts(_added("pkg/code.py", HEAD), HEAD) is None  # not test code: nothing noted


EVERY_KIND = """
from . import a as b
import c.d
x: int = 1
def f(p, /, q=2, *r, s, **t) -> None:
    global g
    def h():
        nonlocal p
    async def i():
        return [y async for y in z]
    match p:
        case None | True | 1 | "s" | [1, *rest] | {"k": v, **kw} | Point(x=0) as w:
            print(f"{p!r:>{q}}", key=w)
    try:
        pass
    except* ValueError as e:
        del e
"""


def test_the_walk_leaves_out_only_fields_that_never_hold_nodes() -> None:
    leaf = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop)  # the `ctx` and `op` fields
    package = Path(__file__).parents[2] / "gate"
    sources = [EVERY_KIND, *(p.read_text(encoding="utf-8") for p in sorted(package.rglob("*.py")))]
    for source in sources:
        tree = ast.parse(source)
        assert nodes(tree) == [n for n in ast.walk(tree) if not isinstance(n, leaf)]


def test_names_listed_in_all_are_read_in_every_spelling_the_parser_reads() -> None:
    # Only a text that says `__all__` (or has letters NFKC makes ASCII) is read for its list: the ones
    # that do not are the full read's answer too.
    spellings = (
        "__all__ = ['made']",
        "__all__ += ['made']",
        "__all__: list[str] = ['made']",
        "__all__.append('made')",
        "__ａll__ = ['made']",  # a full-width letter: the parser reads `__all__`
        "_\uff3fall__.extend(['made'])",  # a full-width low line after the first
        "__all__ = [\\\n    'made']",  # a line continuation inside the statement
    )
    for line in spellings:
        index = RepoIndex(["pkg/mod.py"], lambda path, line=line: MODULE + "\n" + line + "\n")
        assert index.defines("pkg.mod", "made") is True, line
    for line in ("x = '__all__'", "# __all__ = ['made']", "__alls__ = ['made']", "__all = ['made']"):
        index = RepoIndex(["pkg/mod.py"], lambda path, line=line: MODULE + "\n" + line + "\n")
        assert index.defines("pkg.mod", "made") is False, line
