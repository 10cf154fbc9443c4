"""The statement-only walk the import reader uses lists what the full walk lists, in the same order."""

from __future__ import annotations

import ast

from gate.analyzers.dependencies.imports import _from_ast, python_imports
from gate.analyzers.source import AddedLine, nodes, statements

SOURCE = """
import os, json as j
try:
    import yaml
except ImportError:
    yaml = None
def f(x=lambda: 0):
    from pkg.sub import name
    if x:
        with open(x) as fh:
            import toml
    for i in range(3):
        try:
            import ujson
        except* ValueError:
            pass
    match x:
        case 1:
            import attrs
        case _:
            pass
class C:
    import msgpack
    async def g(self):
        async with self:
            import anyio
while True:
    import numpy
    break
else:
    import scipy
"""


def test_statements_are_the_full_walks_blocks_in_its_order() -> None:
    tree = ast.parse(SOURCE)
    blocks = (ast.Module, ast.stmt, ast.excepthandler, ast.match_case)
    assert statements(tree) == [n for n in nodes(tree) if isinstance(n, blocks)]


def test_imports_read_by_statements_match_the_full_walk() -> None:
    tree = ast.parse(SOURCE)
    added = set(range(1, SOURCE.count("\n") + 2))
    full = _from_ast("m.py", tree, added, nodes)
    assert _from_ast("m.py", tree, added, statements) == full
    modules = {"os", "json", "yaml", "pkg", "toml", "ujson", "attrs", "msgpack", "anyio", "numpy", "scipy"}
    assert {i.module for i in full} == modules
    assert {i.module for i in full if i.guarded} == {"yaml"}
    # a text that names a dynamic import is read by the full walk, which finds it
    dynamic = SOURCE + "\nimportlib.import_module('late')\n"
    lines = dynamic.splitlines()
    found = python_imports("m.py", dynamic, [AddedLine("m.py", n, t) for n, t in enumerate(lines, start=1)])
    assert found == _from_ast("m.py", ast.parse(dynamic), set(range(1, len(lines) + 1)), nodes)
    assert "late" in {i.module for i in found}
