"""The check of one Python file: which repository names its imports take, and which of its added lines
import, or read an attribute of, a repository module or class that does not define that name."""

from __future__ import annotations

import ast
import bisect
from collections.abc import Iterator
from typing import NamedTuple

from gate.analyzers.parser_lines import parser_lines
from gate.analyzers.source import name_chain, statements
from gate.analyzers.symbols.hints import Hints
from gate.analyzers.symbols.index import ModuleInfo, RepoIndex, never_runs, resolve_relative
from gate.analyzers.symbols.walks import may_name, own_reads, reads_and_bindings, scoped_bindings
from gate.diff.model import FileChange

# Attributes every class and module has without defining them.
IMPLICIT = frozenset(dir(type("_Probe", (), {}))) | frozenset(
    {
        "__name__",
        "__qualname__",
        "__module__",
        "__doc__",
        "__dict__",
        "__file__",
        "__path__",
        "__all__",
        "__spec__",
        "__loader__",
        "__package__",
        "__annotations__",
        "__mro__",
        "__wrapped__",
    }
)


class Missing(NamedTuple):
    """A name found missing (a tuple: one is made for every finding, thousands on a large change)."""

    line: int
    owner: str  # "pkg.mod" or "pkg.mod.Class"
    name: str
    kind: str  # "import", "module", "module-attribute", "class-attribute"
    known: tuple[str, ...]  # names the owner does define, for the close-match hint
    # Which file's check found it: a hint is worked out once per file for each (name, owner's names).
    scope: int


class Checker:
    """One file's check against the index: `run` yields what its added lines use that is missing."""

    def __init__(
        self,
        index: RepoIndex,
        change: FileChange,
        tree: ast.Module,
        hints: Hints,
        text: str,
        *,
        imports_only: bool = False,
    ) -> None:
        """`imports_only`: `tree` holds the file's added import lines only, out of the blocks they sit in
        (an `if TYPE_CHECKING:` among them)."""
        self.index = index
        self.hints = hints
        self.scope = hints.new_scope()
        added = {line.new_no for line in change.added_lines()}
        # A text with a lone `\r` has more lines to the parser than to the diff: the added lines are
        # held as the parser numbers them, and a finding is placed on the diff's line.
        self._lines = parser_lines(text)
        self.added = self._lines.parser_lines(added) if self._lines is not None else added
        # Sorted when a range of more than a few lines is first looked up (a method's, a class's).
        self._added_sorted: list[int] | None = None
        # The name its relative imports resolve from: the one the index gives the module too.
        self.current = index.name_of(change.path)
        self.is_package = change.path.endswith("__init__.py")
        self.tree = tree
        # The nodes of the file's code for type checkers only, found when first needed (rarely).
        self._typing_nodes: set[int] | None = None
        self._imports_only = imports_only

    def _on_added(self, node: ast.AST) -> int | None:
        start = getattr(node, "lineno", None)
        if start is None:
            return None
        end = getattr(node, "end_lineno", None) or start
        return self._first_added(start, end)

    def _first_added(self, start: int, end: int) -> int | None:
        """The diff's number of the first added line in the parser's lines [start, end], if any."""
        if end - start < 4:
            for n in range(start, end + 1):
                if n in self.added:
                    return self._diff_line(n)
            return None
        in_order = self._added_sorted
        if in_order is None:
            in_order = self._added_sorted = sorted(n for n in self.added if n is not None)
        at = bisect.bisect_left(in_order, start)
        if at < len(in_order) and in_order[at] <= end:
            return self._diff_line(in_order[at])
        return None

    def _diff_line(self, parser_line: int) -> int:
        return parser_line if self._lines is None else self._lines.diff_line(parser_line)

    def run(self) -> Iterator[Missing]:
        modules: dict[str, str] = {}  # local name -> repo module
        # local name -> every (module, name) imported under it, in order; a candidate is a repo class
        # only when its module defines that class, which is looked up (parsing the module) only when an
        # added line uses an attribute of the name.
        classes: dict[str, list[tuple[str, str]]] = {}
        seen: set[tuple[int, str, str]] = set()
        # Node classes compared by identity: the parser makes no subclasses, and these loops go over
        # every node of the file.
        import_from, import_, attribute, class_def = ast.ImportFrom, ast.Import, ast.Attribute, ast.ClassDef
        # Imports and classes are statements: the statement walk lists them in the full walk's order
        # (`ast.walk`'s, so findings keep their order) without visiting an expression.
        blocks = statements(self.tree)
        for node in blocks:
            kind = node.__class__
            if kind is import_from:
                yield from self._import_from(node, modules, classes)  # type: ignore[arg-type]
            elif kind is import_:
                yield from self._import(node, modules)  # type: ignore[arg-type]
        if not modules and not classes:
            # No name from the repository to read attributes of: only `self.x` in classes is left.
            for node in blocks:
                if node.__class__ is class_def:
                    yield from self._self_attributes(node, seen)  # type: ignore[arg-type]
            return
        # One walk of the whole tree gives both the names bound anywhere and the nodes looked at below.
        reads, bound = reads_and_bindings(self.tree, modules.keys() | classes.keys())
        rebound = bound & (modules.keys() | classes.keys())
        hidden: set[int] = set()
        if rebound:
            # Rebound at module level, the name is the module nowhere safely; in a function (a
            # parameter, a local), only there.
            everywhere, hidden = scoped_bindings(self.tree, rebound)
            for name in everywhere:
                modules.pop(name, None)
                classes.pop(name, None)
        for node in reads:
            if node.__class__ is attribute:
                if not may_name(node, modules, classes):  # type: ignore[arg-type]
                    continue  # not a chain from an imported repository name: nothing to check
                if hidden and id(_chain_head(node)) in hidden:  # type: ignore[arg-type]
                    continue  # the name is a local of the function it is read in
                line = self._on_added(node)
                if line is None:
                    continue
                for missing in self._attribute(node, line, modules, classes):  # type: ignore[arg-type]
                    key = (missing.line, missing.owner, missing.name)
                    if key not in seen:
                        seen.add(key)
                        yield missing
            else:
                yield from self._self_attributes(node, seen)  # type: ignore[arg-type]

    def _import_from(
        self, node: ast.ImportFrom, modules: dict[str, str], classes: dict[str, list[tuple[str, str]]]
    ) -> Iterator[Missing]:
        source = resolve_relative(self.current, self.is_package, node.module, node.level)
        if source is None:
            return
        paths = self.index.paths
        if source not in paths:
            # Only a dotted name has a parent package to be missing from (most imports are of outside
            # modules: `from typing import ...`).
            line = self._on_added(node) if "." in source else None
            if line is not None:
                yield from self._missing_module(source, line)
            return
        for alias in node.names:
            name = alias.name
            if name == "*":
                continue
            local = alias.asname or name
            submodule = f"{source}.{name}"
            if submodule in paths:
                modules[local] = submodule
                continue  # a module of the package: defined, whatever line imports it
            if submodule in self.index.opaque:
                continue  # an extension module or a linked package: there, but not read
            classes.setdefault(local, []).append((source, name))
            # A name on an added line, or every name when the `from ... import` line itself is new.
            line = self._on_added(alias) or (
                self._diff_line(node.lineno) if node.lineno in self.added else None
            )
            if line is None:
                continue
            # `RepoIndex.defines` less its look for a submodule, made above.
            info = self.index.module(source)
            if (
                info is not None
                and not info.open
                and name not in info.names
                and not self._for_type_checkers(node, name, info)
            ):
                known = self.hints.sorted_names(info.names)
                yield Missing(line, source, name, "import", known, self.scope)

    def _for_type_checkers(self, node: ast.AST, name: str, info: ModuleInfo | None) -> bool:
        """True when the module binds `name` for type checkers only and `node` is code that only they
        read: an annotation Python does not evaluate, or a block under `if TYPE_CHECKING:`."""
        if info is None or name not in info.type_only:
            return False
        if self._imports_only:
            return True  # where the import sits is not known: it may well be for type checkers
        if self._typing_nodes is None:
            self._typing_nodes = _typing_nodes(self.tree)
        return id(node) in self._typing_nodes

    def _repo_class(self, candidates: list[tuple[str, str]]) -> tuple[str, str] | None:
        """The last import of a local name that brings in a class of the repository."""
        for source, name in reversed(candidates):
            info = self.index.module(source)
            if info is not None and name in info.classes:
                return source, name
        return None

    def _import(self, node: ast.Import, modules: dict[str, str]) -> Iterator[Missing]:
        for alias in node.names:
            if self.index.has_module(alias.name):
                if alias.asname:
                    modules[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    if self.index.has_module(top):
                        modules[top] = top
                continue
            line = self._on_added(node)
            if line is not None:
                yield from self._missing_module(alias.name, line)

    def _missing_module(self, dotted: str, line: int) -> Iterator[Missing]:
        """`pkg.nothing` where `pkg` is a closed repo package that has no `nothing`."""
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            parent = ".".join(parts[:cut])
            if self.index.has_module(parent):
                defined = self.index.defines(parent, parts[cut])
                info = self.index.module(parent)
                if defined is False and info is not None and info.is_package:
                    known = self.hints.sorted_names(info.names)
                    yield Missing(line, parent, parts[cut], "module", known, self.scope)
                return

    def _attribute(
        self,
        node: ast.Attribute,
        line: int,
        modules: dict[str, str],
        classes: dict[str, list[tuple[str, str]]],
    ) -> Iterator[Missing]:
        chain = name_chain(node)
        if not chain or len(chain) < 2:
            return
        head, rest = chain[0], chain[1:]
        if head in modules:
            module = modules[head]
            while len(rest) > 1 and self.index.has_module(f"{module}.{rest[0]}"):
                module, rest = f"{module}.{rest[0]}", rest[1:]
            name = rest[0]
            if name in IMPLICIT:
                return
            if self.index.defines(module, name) is False:
                info = self.index.module(module)
                if self._for_type_checkers(node, name, info):
                    return
                known = self.hints.sorted_names(info.names) if info else ()
                yield Missing(line, module, name, "module-attribute", known, self.scope)
        elif head in classes:
            owner = self._repo_class(classes[head])
            if owner is not None:
                yield from self._class_attribute(owner, rest[0], line)

    def _class_attribute(self, owner: tuple[str, str], name: str, line: int) -> Iterator[Missing]:
        if name in IMPLICIT:
            return
        members = self.index.class_members(*owner)
        if members is not None and name not in members:
            known = self.hints.sorted_names(members)
            yield Missing(line, f"{owner[0]}.{owner[1]}", name, "class-attribute", known, self.scope)

    def _self_attributes(self, cls: ast.ClassDef, seen: set[tuple[int, str, str]]) -> Iterator[Missing]:
        """`self.x` read in an added line of a method of a repo class that never defines `x`."""
        if not self.current or not self.index.has_module(self.current):
            return
        for method in cls.body:
            if self.index.members_unknowable(self.current, cls.name):
                return  # no read of its attributes can be reported: its other methods need no walk
            if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef) or not method.args.args:
                continue
            if any(_decorator(d) in ("staticmethod", "classmethod") for d in method.decorator_list):
                continue
            first = min((d.lineno for d in method.decorator_list), default=method.lineno)
            if self._first_added(min(first, method.lineno), method.end_lineno or method.lineno) is None:
                continue  # no added line in the method: nothing of it can be reported
            for node in own_reads(method, method.args.args[0].arg):
                line = self._on_added(node)
                if line is None:
                    continue
                for missing in self._class_attribute((self.current, cls.name), node.attr, line):
                    key = (missing.line, missing.owner, missing.name)
                    if key not in seen:
                        seen.add(key)
                        yield missing


def _decorator(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    return (
        target.id
        if isinstance(target, ast.Name)
        else target.attr
        if isinstance(target, ast.Attribute)
        else ""
    )


def _typing_nodes(tree: ast.Module) -> set[int]:
    """The ids of the nodes only type checkers read: those of `if TYPE_CHECKING:` (or `if False:`)
    blocks, and the annotations Python does not evaluate. Under `from __future__ import annotations`
    that is every annotation; without it (Python 3.11 and 3.12) a def's parameter and return annotations
    are evaluated when the def runs and a module's or class's variable annotations when its body runs,
    so only those of a function's local variables are never evaluated. A string annotation holds no
    node to read either way."""
    postponed = _postpones_annotations(tree)
    roots: list[ast.AST] = []
    # (node, whether its nearest scope is a function's body)
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, in_function = stack.pop()
        if isinstance(node, ast.If) and never_runs(node.test):
            roots.extend(node.body)
            stack.extend((other, in_function) for other in node.orelse)
            continue
        if postponed or (in_function and isinstance(node, ast.AnnAssign)):
            roots.extend(_annotations(node))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            in_function = True
        elif isinstance(node, ast.ClassDef):
            in_function = False  # a class body runs, in a function too, when its statement does
        stack.extend((child, in_function) for child in ast.iter_child_nodes(node))
    return {id(inner) for root in roots for inner in ast.walk(root)}


def _annotations(node: ast.AST) -> list[ast.expr]:
    """The annotation a variable or parameter carries, or a def's return annotation."""
    if isinstance(node, ast.AnnAssign):
        return [node.annotation]
    if isinstance(node, ast.arg) and node.annotation is not None:
        return [node.annotation]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
        return [node.returns]
    return []


def _postpones_annotations(tree: ast.Module) -> bool:
    """Whether the module starts with `from __future__ import annotations` (PEP 563)."""
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(alias.name == "annotations" for alias in node.names)
        for node in tree.body
    )


def _chain_head(node: ast.Attribute) -> ast.expr:
    """The node a chain of attributes hangs off (`a` of `a.b.c`)."""
    value = node.value
    while value.__class__ is ast.Attribute:
        value = value.value  # type: ignore[attr-defined]
    return value
