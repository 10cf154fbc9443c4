"""setuptools manifests: `setup.cfg` (`[options]` and `[options.extras_require]`) and `setup.py`, read
with `ast` and never run: only literal lists (written in the call, or assigned once to a module-level
name the call uses) count. A list built by code is said in a note, not guessed at."""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterable, Iterator

from packaging.requirements import InvalidRequirement, Requirement

from gate.analyzers.dependencies.model import Declared, Ecosystem, Parsed, ReadSibling
from gate.analyzers.limits import Unreadable
from gate.analyzers.source import nodes, parse_python
from gate.context.manifest_includes import SETUP_CFG_REQUIRES, file_directive, setup_cfg_requirements

_KEYWORDS = (*SETUP_CFG_REQUIRES, "extras_require")
_QUOTED = re.compile(r"""["']([^"'\n]{1,10000})["']""")
_SPECIFIER = re.compile(r"[<>=~!]")


def _requirements(values: Iterable[str], path: str, kind: str, problems: list[str]) -> Iterator[Declared]:
    for raw in values:
        value = raw.split(" #", 1)[0].strip()
        if not value or value.startswith("#"):
            continue
        try:
            req = Requirement(value)
        except InvalidRequirement as exc:
            problems.append(f"{path}: {kind}: {exc}")
            continue
        yield Declared(req.name, Ecosystem.PYPI, path, kind, from_registry=req.url is None)


# --- setup.cfg ----------------------------------------------------------------------------------


class SetupCfgParser:
    ecosystem = Ecosystem.PYPI

    def matches(self, path: str) -> bool:
        return posixpath.basename(path) == "setup.cfg"

    def parse(self, text: str, path: str, read: ReadSibling) -> Parsed:
        declared: list[Declared] = []
        problems: list[str] = []
        notes: list[str] = []
        for kind, values in setup_cfg_requirements(text):
            if (others := file_directive(values, path)) is not None:
                # setuptools' `file:` directive: the requirements are in other files.
                for other in others:
                    included = read(other)
                    if included is None:
                        notes.append(f"{path}: {kind}: {other} not found")
                        continue
                    lines = [line for line in included.splitlines() if not line.lstrip().startswith("#")]
                    declared.extend(_requirements(lines, other, kind, problems))
                continue
            declared.extend(_requirements(values, path, kind, problems))
        return Parsed(tuple(declared), tuple(problems), tuple(notes))

    def parse_fragment(self, lines: Iterable[str], path: str) -> Parsed:
        """Indented lines with a version specifier: the continuation lines of a requirement list."""
        problems: list[str] = []
        values = [line.strip() for line in lines if line[:1] in " \t" and _SPECIFIER.search(line)]
        declared = tuple(_requirements(values, path, "options", problems))
        return Parsed(declared, notes=(f"{path}: read from the diff lines only",))


# --- setup.py -----------------------------------------------------------------------------------


class SetupPyParser:
    ecosystem = Ecosystem.PYPI

    def matches(self, path: str) -> bool:
        return posixpath.basename(path) == "setup.py"

    def parse(self, text: str, path: str, read: ReadSibling) -> Parsed:
        tree = parse_python(text)
        if tree is None:
            raise Unreadable("not valid Python")
        assigned = _module_literals(tree)
        declared: list[Declared] = []
        problems: list[str] = []
        notes: list[str] = []
        for node in nodes(tree):
            if not (isinstance(node, ast.Call) and _called_name(node.func) == "setup"):
                continue
            for keyword in node.keywords:
                if keyword.arg not in _KEYWORDS:
                    continue
                literal = _literal(keyword.value, assigned)
                if literal is None:
                    notes.append(f"{path}:{keyword.value.lineno}: {keyword.arg} is computed; not read")
                    continue
                for kind, items in _requirement_lists(keyword.arg, literal):
                    declared.extend(_requirements(items, path, kind, problems))
        return Parsed(tuple(declared), tuple(problems), tuple(notes))

    def parse_fragment(self, lines: Iterable[str], path: str) -> Parsed:
        """Quoted strings with a version specifier on the diff lines."""
        problems: list[str] = []
        values = [q for line in lines for q in _QUOTED.findall(line) if _SPECIFIER.search(q)]
        declared = tuple(_requirements(values, path, "setup", problems))
        return Parsed(declared, notes=(f"{path}: read from the diff lines only",))


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _module_literals(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level `NAME = <value>` assignments (the last one wins, as when the module runs)."""
    out: dict[str, ast.expr] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
            out[stmt.target.id] = stmt.value
    return out


# How many module-level names a literal may go through (`EXTRAS = {"dev": DEV}`, `DEV = [...]`).
_MAX_NAME_HOPS = 8


def _literal(node: ast.expr, assigned: dict[str, ast.expr], hops: int = 0) -> object | None:
    """The value of a literal string, list, tuple, set or dict, reading module-level names it uses;
    None for anything computed."""
    if isinstance(node, ast.Name) and node.id in assigned and hops < _MAX_NAME_HOPS:
        return _literal(assigned[node.id], assigned, hops + 1)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        items = [_literal(item, assigned, hops) for item in node.elts]
        return None if any(item is None for item in items) else items
    if isinstance(node, ast.Dict):
        keys = [_literal(k, assigned, hops) if k is not None else None for k in node.keys]
        values = [_literal(v, assigned, hops) for v in node.values]
        if any(k is None or not isinstance(k, str) for k in keys) or any(v is None for v in values):
            return None
        return dict(zip(keys, values, strict=True))
    return None


def _requirement_lists(keyword: str, value: object) -> Iterator[tuple[str, list[str]]]:
    if isinstance(value, dict):
        for extra, items in value.items():
            yield from _requirement_lists(f"{keyword}.{extra}", items)
    elif isinstance(value, str):
        yield keyword, value.splitlines()
    elif isinstance(value, list | tuple | set | frozenset):
        yield keyword, [item for item in value if isinstance(item, str)]
