"""New top-level imports in added Python and JS/TS lines, and which package each one needs.

Python reads the head file with `ast` when it is available (so multi-line and nested imports count),
and falls back to the added lines alone, read tolerantly, when it is not or does not parse.
"""

from __future__ import annotations

import ast
import posixpath
import re
import sys
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from gate.analyzers.dependencies.model import Ecosystem, plausible_npm_name
from gate.analyzers.parser_lines import parser_lines
from gate.analyzers.source import AddedLine, nodes, parse_python, statements
from gate.context.suffixes import JS_SUFFIXES, PYTHON_SUFFIXES

NAMESPACE = "*"


@dataclass(frozen=True)
class Imported:
    """A top-level module that an added line imports."""

    module: str  # "yaml", "lodash", "@scope/pkg"
    ecosystem: Ecosystem
    path: str
    line_no: int
    # Imported by a statement of a `try` body whose `except ImportError` handler neither raises nor
    # exits: the code runs without it.
    guarded: bool = False
    # The dotted names the statement imports, for a namespace that many distributions share
    # (`from google.cloud import storage`: "google.cloud", "google.cloud.storage").
    dotted: tuple[str, ...] = ()


# --- Python ----------------------------------------------------------------------------------------

_PY_IMPORT = re.compile(r"^\s*import\s+([\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*)")
_PY_FROM = re.compile(r"^\s*from\s+([\w.]+)\s+import\b")
_PY_DYNAMIC = re.compile(r"""(?<![\w.])(?:import_module|__import__)\s*\(\s*(?:"([^"\n]+)"|'([^'\n]+)')""")
# What a missing package raises, and the broader classes that catch it too: a handler naming one of
# those catches every error, so it says nothing of coping with the package missing.
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
_BROADER_ERRORS = frozenset({"Exception", "BaseException"})
# Calls that end the program: a handler that makes one has not coped with anything.
_EXITS = frozenset({"exit", "quit", "_exit", "abort"})


def python_imports(path: str, head: str | None, added: Iterable[AddedLine]) -> list[Imported]:
    """Raises Unreadable when the head file is past the parser's bounds (the caller reports it, then
    reads the added lines alone)."""
    added_nos = {line.line_no: line for line in added}
    if head is not None:
        tree = parse_python(head)
        if tree is not None:
            # A dynamic import names `import_module` or `__import__`; without either in the text only
            # statements can import, and the expressions (most of the tree) need no walk.
            dynamic = any(name in head for name in _DYNAMIC)
            walk = nodes if dynamic else statements
            mapped = parser_lines(head)
            if mapped is None:
                return _from_ast(path, tree, set(added_nos), walk=walk)
            # A lone `\r` ends a line to the parser, not to the diff: its lines are looked up and
            # reported as the diff numbers them.
            found = _from_ast(path, tree, mapped.parser_lines(added_nos), walk=walk)
            return [replace(i, line_no=mapped.diff_line(i.line_no)) for i in found]
    return _from_lines(path, added_nos.values())


# `importlib.import_module("x")`, `import_module("x")`, `__import__("x")` with a literal name.
_DYNAMIC = frozenset({"import_module", "__import__"})


def _called_name(call: ast.Call) -> str:
    """`f` of `f(...)` and of `mod.f(...)`; "" for anything else called."""
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _dynamic_module(node: ast.Call) -> str | None:
    if _called_name(node) not in _DYNAMIC or not node.args:
        return None
    first = node.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value:
        return None if first.value.startswith(".") else first.value
    return None


def _from_ast(
    path: str, tree: ast.AST, added: set[int], walk: Callable[[ast.AST], list[ast.AST]] = nodes
) -> list[Imported]:
    guarded: set[int] = set()
    every = walk(tree)  # one walk, in ast.walk's order, serves both passes
    for node in every:
        if isinstance(node, ast.Try | ast.TryStar) and _copes_with_import_error(node.handlers):
            guarded.update(_guarded_imports(node.body))
    out: list[Imported] = []
    modules: list[tuple[str, ...]]
    for node in every:
        if isinstance(node, ast.Import):
            modules = [(alias.name,) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = _from_import(node.module, node.names)
        elif isinstance(node, ast.Call) and (dynamic := _dynamic_module(node)):
            modules = [(dynamic,)]
        else:
            continue
        end = node.end_lineno or node.lineno
        lines = [n for n in range(node.lineno, end + 1) if n in added]
        if not lines:
            continue
        for dotted in modules:
            top = dotted[0].split(".")[0]
            out.append(Imported(top, Ecosystem.PYPI, path, lines[0], id(node) in guarded, dotted))
    return out


def _from_import(module: str, names: list[ast.alias]) -> list[tuple[str, ...]]:
    """The dotted names of `from module import names`. In a shared namespace each name may be a module
    of its own distribution (`from google.cloud import storage, vertexagents`), so each is kept apart."""
    if not is_namespace(module.split(".")[0]):
        return [(module,)]
    return [(module, f"{module}.{alias.name}") for alias in names if alias.name != "*"] or [(module,)]


def _guarded_imports(body: list[ast.stmt]) -> Iterable[int]:
    """The imports a `try` body makes itself (their node ids): its import statements, and the dynamic
    imports whose result one of its statements uses as it stands. An import inside a function the
    body defines runs later, outside the `try`; one under an `if` or a loop of the body is not the
    body's own either (a module-wide `try` guards no import but its own)."""
    for stmt in body:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            yield id(stmt)
        elif isinstance(stmt, ast.Expr | ast.Assign | ast.AnnAssign) and isinstance(stmt.value, ast.Call):
            yield id(stmt.value)


def _copes_with_import_error(handlers: list[ast.ExceptHandler]) -> bool:
    """True when the handler an ImportError reaches first names it (or ModuleNotFoundError) and goes
    on without raising or exiting. A bare `except:`, `except Exception` or `except BaseException`
    before it catches it first: such a handler is there for any error, not for a missing package."""
    for handler in handlers:
        if handler.type is None:
            return False
        names = {
            n.id
            for n in (handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type])
            if isinstance(n, ast.Name)
        }
        if names & _BROADER_ERRORS:
            return False
        if names & _IMPORT_ERRORS:
            return not _gives_up(handler.body)
    return False


def _gives_up(body: list[ast.stmt]) -> bool:
    """Whether a handler raises (re-raises, or raises another error) or ends the program anywhere in
    its own code; the functions it defines run later, if ever."""
    todo: list[ast.AST] = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Call) and _called_name(node) in _EXITS:
            return True
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            todo.extend(ast.iter_child_nodes(node))
    return False


def is_namespace(module: str) -> bool:
    """A top-level name many distributions share (google, azure): nothing single to look up by it."""
    return python_distributions().get(module) == (NAMESPACE,)


def namespace_distributions(dotted: Iterable[str]) -> list[str]:
    """The distributions that may provide a module of a shared namespace, the likeliest first: the
    bundled table's where it names them (`google.protobuf` -> protobuf), else the namespace's own rule,
    the dotted path joined with `-` up to one and two names past the namespace (`google.cloud.storage`
    -> google-cloud-storage; `azure.identity.aio` -> azure-identity, azure-identity-aio). A capitalised
    name is a class, not a module; the namespaces themselves (google, google.cloud, azure.mgmt, ...)
    are never candidates. Empty for an import of a namespace alone."""
    table = python_distributions()
    out: dict[str, None] = {}
    for name in dotted:
        parts = name.split(".")
        past = 0
        for depth in range(2, len(parts) + 1):
            if past == 2 or not parts[depth - 1][:1].islower():
                break
            prefix = ".".join(parts[:depth])
            mapped = table.get(prefix)
            if mapped == (NAMESPACE,):
                continue
            if mapped:
                out.update(dict.fromkeys(mapped))
                break
            out[prefix.replace(".", "-")] = None
            past += 1
    return list(out)


def _from_lines(path: str, lines: Iterable[AddedLine]) -> list[Imported]:
    out: list[Imported] = []
    for line in lines:
        modules = [a or b for a, b in _PY_DYNAMIC.findall(line.text)]
        if m := _PY_FROM.match(line.text):
            modules.append(m.group(1))
        elif m := _PY_IMPORT.match(line.text):
            modules.extend(part.split()[0] for part in m.group(1).split(","))
        for module in modules:
            if not module.startswith("."):
                top = module.split(".")[0]
                out.append(Imported(top, Ecosystem.PYPI, path, line.line_no, dotted=(module,)))
    return out


@lru_cache(maxsize=1)  # a bundled data file, read once per process
def python_distributions() -> Mapping[str, tuple[str, ...]]:
    """Import name -> distributions that provide it (bundled table of the well-known differences)."""
    table: dict[str, tuple[str, ...]] = {}
    for row in _data_lines("python-import-names.tsv"):
        module, dists = row.split("\t")
        table[module] = tuple(d.strip() for d in dists.split(","))
    return table


# Modules that exist without being installed: type-checker-only stubs and interpreter internals.
_IMPLICIT_PYTHON = frozenset({"__future__", "__main__", "_typeshed", "__builtin__", "__pypy__"})


def python_stdlib() -> Collection[str]:
    return sys.stdlib_module_names | _IMPLICIT_PYTHON


# --- JavaScript / TypeScript -----------------------------------------------------------------------

_JS_FROM = re.compile(r"""^\s*(?:import|export)\b[^'"`]*?\bfrom\s*['"]([^'"]+)['"]""")
# `from 'x'` opening a line ends an import or export whose names came on the lines before it.
_JS_CLOSING_FROM = re.compile(r"""^\s*(?:\}\s*)?from\s*['"]([^'"]+)['"]""")
_JS_BARE = re.compile(r"""^\s*import\s*['"]([^'"]+)['"]""")
# A template literal without `${...}` is as literal as a quoted string: require(`x`).
_JS_CALL = re.compile(r"""(?<![\w.$])(?:require|import)\s*\(\s*(?:['"]([^'"]+)['"]|`([^`$]+)`)\s*[,)]""")
# A call whose specifier comes on the next line: `await import(` at the end of a line, then `'x'`.
_JS_OPEN_CALL = re.compile(r"""(?<![\w.$])(?:require|import)\s*\(\s*$""")
_JS_SPECIFIER_LINE = re.compile(r"""^\s*(?:['"]([^'"]+)['"]|`([^`$]+)`)\s*(?:[,)]|$)""")
# Comments, and the strings they may sit in (a `//` inside a string is no comment). Each repeat is
# possessive and an unclosed comment or string runs to the end of the line: linear on any line.
_JS_TOKEN = re.compile(
    r"""/\*(?:[^*]|\*(?!/))*+(?:\*/)?|//.*+|'(?:[^'\\]|\\.)*+'?|"(?:[^"\\]|\\.)*+"?|`(?:[^`\\]|\\.)*+`?"""
)


def _without_comments(text: str, in_block: bool) -> tuple[str, bool]:
    """The line with its comments blanked, and whether a block comment is still open at its end.
    A line that starts inside a block comment is code only after the `*/`."""
    if in_block:
        end = text.find("*/")
        if end < 0:
            return "", True
        text = " " * (end + 2) + text[end + 2 :]
    still_open = False

    def blank(m: re.Match[str]) -> str:
        nonlocal still_open
        token = m.group()
        if token.startswith("/*"):
            still_open = not token.endswith("*/") or len(token) < 4
            return " "
        return " " if token.startswith("//") else token

    return _JS_TOKEN.sub(blank, text), still_open


def js_imports(path: str, added: Iterable[AddedLine]) -> list[Imported]:
    out: list[Imported] = []
    in_block = False
    open_call = False  # the line before ended in `import(` or `require(`
    previous = -1
    for line in added:
        if line.line_no != previous + 1:
            # Lines that do not follow each other: the comment state in between is unknown, and a
            # line that reads like code inside a comment is still read (a finding, never a miss).
            in_block = False
            open_call = False
        previous = line.line_no
        # ` * text` continues a block comment (JSDoc), whether or not its opening line is in view.
        in_block = in_block or line.text.lstrip().startswith("*")
        text, in_block = _without_comments(line.text, in_block)
        specs = [
            m.group(1)
            for m in (_JS_FROM.match(text), _JS_CLOSING_FROM.match(text), _JS_BARE.match(text))
            if m
        ]
        specs.extend(m.group(1) or m.group(2) for m in _JS_CALL.finditer(text))
        if open_call and (m := _JS_SPECIFIER_LINE.match(text)):
            specs.append(m.group(1) or m.group(2))
        open_call = bool(_JS_OPEN_CALL.search(text)) or (open_call and not text.strip())
        for spec in dict.fromkeys(specs):
            name = npm_package_of(spec)
            if name is not None:
                out.append(Imported(name, Ecosystem.NPM, path, line.line_no))
    return out


def npm_package_of(specifier: str) -> str | None:
    """The package a module specifier loads, or None for relative paths, URLs, aliases and built-ins.
    Deno's `npm:name@version/path` loads the npm package `name`."""
    if specifier.startswith("npm:"):
        specifier = _without_version(specifier.removeprefix("npm:").lstrip("/"))
    if specifier.startswith((".", "/", "#", "~", "@/")) or ":" in specifier or not specifier:
        return None  # relative, absolute, subpath-import, path alias, URL or node: built-in
    parts = specifier.split("/")
    name = "/".join(parts[:2]) if specifier.startswith("@") else parts[0]
    if name in node_builtins() or not plausible_npm_name(name):
        return None
    return name


def _without_version(specifier: str) -> str:
    """`name@1.2/path` -> `name`, `@scope/name@^1/path` -> `@scope/name` ("" when no name is left)."""
    scope, _, rest = specifier.partition("/") if specifier.startswith("@") else ("", "", specifier)
    name = rest.split("/")[0].split("@")[0]
    return f"{scope}/{name}" if scope and name else "" if scope else name


@lru_cache(maxsize=1)  # a bundled data file, read once per process
def node_builtins() -> frozenset[str]:
    names = set(_data_lines("node-builtins.txt"))
    return frozenset(names | {n.split("/")[0] for n in names})


# --- shared -----------------------------------------------------------------------------------------


def imports_in(path: str, head: str | None, added: Iterable[AddedLine], *, python: bool) -> list[Imported]:
    """`python`: the file is Python, by its suffix or its first line (`ChangeView.is_python`)."""
    if python:
        return python_imports(path, head, added)
    if path.endswith(JS_SUFFIXES):
        return js_imports(path, added)
    return []


def repo_module_names(paths: Iterable[str]) -> frozenset[str]:
    """Every directory name and source-file stem in the repo: anything that could be a top-level import
    of the repo itself, whatever its source root (src/, lib/, ...)."""
    names: set[str] = set()
    for path in paths:
        parts = path.split("/")
        names.update(parts[:-1])
        stem, ext = posixpath.splitext(parts[-1])
        if ext in PYTHON_SUFFIXES or ext in JS_SUFFIXES or ext in (".so", ".pyd"):
            names.add(stem.split(".")[0])
    return frozenset(names)


def _data_lines(name: str) -> list[str]:
    text = resources.files("gate.data").joinpath(name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
