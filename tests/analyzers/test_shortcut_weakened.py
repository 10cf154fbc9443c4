"""weakened-tests visits only the statements that hold an added line, and walks a statement's expressions
only when its lines may name a skip (a skip word, a local alias of one, or any non-ASCII character); the
facts must be those of a full visit, kept to the added lines.

Test modules are put together from adversarial pieces: aliases imported on unchanged lines (`from
pytest import skip as leave`), decorators on lines apart from their function, backslash continuations,
parenthesised multi-line calls, full-width identifiers the parser reads as ASCII, comments and strings
that mention a skip, tabs, CRLF and lone CR line ends, and very long lines; with every subset of lines
marked as added. The facts phantom-symbols notes for weakened-tests must be the same facts.
"""

from __future__ import annotations

import ast

from hypothesis import given, settings
from hypothesis import strategies as st

from gate.analyzers.source import parse_python
from gate.analyzers.weakened_tests.python import PythonFacts, analyse
from gate.analyzers.weakened_tests.tree_facts import note_tree, take_facts
from gate.diff.parser import parse_diff

_IMPORTS = [
    "import pytest",
    "import pytest as pt",
    "import unittest",
    "import unittest as ut",
    "from pytest import skip as leave, mark",
    "from pytest import mark as m",
    "from unittest import skipIf as when, skipUnless, expectedFailure as ef",
    "from _pytest.outcomes import skip as later",
    "from unittest.case import SkipTest as Stop",
    "from pytest import importorskip as need",
]
# Each piece is a test (or a statement) that skips, returns early, or only looks like it does.
_PIECES = [
    "@pytest.mark.skip\ndef test_a():\n    assert 1\n",
    "@pt.mark.\\\nskip\ndef test_b():\n    assert 1\n",
    "@when(\n    True,\n    reason='x')\ndef test_c():\n    pass\n",
    "@ef\ndef test_d():\n    x = 1\n    return\n    assert x\n",
    "def test_e():\n    leave('now')\n",
    "def test_f():\n    (pt\n     .mark\n     .xfail)\n",
    "def test_g():\n    pt.mark.ｓｋｉｐ\n",
    "def test_h():\n    ｌｅａｖｅ('x')\n",
    "def test_i():\n    raise Stop('x')\n",
    "def test_j():\n    if True:\n        return\n    assert 1\n",
    "class TestK(unittest.TestCase):\n    def test_k(self):\n        self.skipTest('y')\n",
    "def test_l():\n    # pytest.skip() in a comment\n    s = 'pytest.mark.skip'\n    assert s\n",
    '@m.skipif("True")\ndef test_m():\n    pass\n',
    "pytestmark = [pt.mark.xfail]\n",
    "def test_n():\n\tneed('zlib')\n\tlater()\n",
    "def test_o():\n    value = [pytest.importorskip('z') for _ in range(2)]\n",
    "@pytest.mark.parametrize('x', [pytest.param(1, marks=pytest.mark.xfail)])\ndef test_p(x):\n    pass\n",
    "def test_q():\n    x = " + " + ".join(["1"] * 400) + "; pytest.skip()\n",
    "@ut.skipUnless(\n    False, 'no')\nclass TestR:\n"
    "    def test_r(self):\n        return None\n        assert 1\n",
    "def test_s():\n    with open('f'):\n        pytest.xfail('x')\n",
    "def test_t():\n    try:\n        pass\n    except Exception:\n        pytest.skip('x')\n",
]


def _full(tree: ast.Module, lines: set[int]) -> tuple[dict[int, object], list[object]]:
    full = analyse(tree)
    return (
        {n: m for n, m in full.markers.items() if n in lines},
        [c for c in full.short_circuits if c.line in lines],
    )


def _given(facts: PythonFacts, lines: set[int]) -> tuple[dict[int, object], list[object]]:
    return {n: m for n, m in facts.markers.items() if n in lines}, list(facts.short_circuits)


def _module(imports: list[str], pieces: list[str], newline: str) -> str:
    return newline.join(("\n".join(imports) + "\n\n" + "\n\n".join(pieces)).split("\n"))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(_IMPORTS), min_size=1, max_size=6),
    st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.data(),
)
def test_facts_on_added_lines_are_those_of_the_full_visit(imports, pieces, newline, data):
    source = _module(imports, pieces, newline)
    tree = parse_python(source)
    assert tree is not None
    count = source.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    lines = data.draw(st.sets(st.integers(1, count)))
    assert _given(analyse(tree, lines, source), lines) == _full(tree, lines)


def test_every_single_added_line_of_every_piece_gives_the_full_visits_facts():
    source = _module(_IMPORTS, _PIECES, "\n")
    tree = parse_python(source)
    assert tree is not None
    full = analyse(tree)
    assert len(full.markers) >= 18 and len(full.short_circuits) >= 3
    for line in range(1, source.count("\n") + 2):
        assert _given(analyse(tree, {line}, source), {line}) == _full(tree, {line}), line


def test_facts_noted_by_phantom_symbols_are_those_weakened_tests_reads():
    source = _module(_IMPORTS, _PIECES, "\n")
    body = source.split("\n")
    diff = (
        "diff --git a/tests/test_x.py b/tests/test_x.py\n--- a/tests/test_x.py\n+++ b/tests/test_x.py\n"
        f"@@ -1,0 +1,{len(body)} @@\n" + "".join(f"+{line}\n" for line in body)
    )
    (change,) = parse_diff(diff).files
    tree = parse_python(source)
    assert tree is not None
    note_tree(change, source, tree)
    noted = take_facts(change, source)
    assert noted is not None
    every = set(range(1, len(body) + 1))
    assert _given(noted, every) == _full(tree, every)
