"""What the repository's Python modules define at head, read with `ast` and never run.

A module whose names cannot be known statically (a star import, a module-level `__getattr__`, writes to
`globals()`, an object put in its place in `sys.modules`) is "open": nothing is reported against it.
Conditional definitions (under `if`, `try`, `with`, loops) count as definitions, so code that defines a
name on one branch only is never flagged; but a name a module defines only under `if TYPE_CHECKING:`
(or `if False:`) does not exist when the code runs, and is held apart as a name for type checkers.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from gate.analyzers.dependencies.imports import python_distributions, python_stdlib
from gate.analyzers.dependencies.model import Ecosystem
from gate.analyzers.limits import Unreadable
from gate.analyzers.source import name_chain, nodes, parse_python
from gate.analyzers.symbols.roots import (
    MAX_MANIFESTS,
    SOURCE_ROOTS,
    Overlay,
    View,
    both_folders,
    is_manifest,
    module_names,
    opaque_modules,
    project_roots,
)

_WORD = re.compile(r"[a-z0-9_]+")
_TYPE_ALIAS: type[ast.stmt] | None = getattr(ast, "TypeAlias", None)
_TRUSTED_DECORATORS = frozenset({"dataclass", "total_ordering", "final", "dataclass_transform"})
# Most source text whose trees the index keeps for the files its caller has still to check (a tree
# takes ~17 times its text in memory): a module imported before its own turn comes is parsed once.
KEPT_TREE_CHARS = 1_000_000


@dataclass
class ClassInfo:
    name: str
    members: set[str] = field(default_factory=set)
    bases: list[str] = field(default_factory=list)  # dotted names as written
    # Attributes may come from somewhere this index cannot see: an outside base, a metaclass, a
    # decorator, __getattr__, setattr().
    open: bool = False
    # Whether `members` holds the attributes the class's methods set (`self.x = ...`) yet: that takes a
    # walk of the whole class, left until its members are asked for (most classes' never are: their
    # bases are outside the repository). `line` finds the class again in its module's tree.
    walked: bool = True
    line: int = 0


@dataclass
class ModuleInfo:
    name: str  # dotted
    path: str
    is_package: bool
    names: set[str] = field(default_factory=set)
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    open: bool = False
    # Names bound only in blocks that never run (`if TYPE_CHECKING:`, `if False:`): an import of one
    # fails at run time, though code that is itself only for type checkers may name it.
    type_only: set[str] = field(default_factory=set)
    # The module's top-level `from ... import` statements (the only part of its tree kept after
    # indexing: holding whole trees of hundreds of modules cost memory and garbage-collector time).
    imports_from: tuple[ast.ImportFrom, ...] = ()
    # Its text, to parse again for the classes whose walk was left until asked for (the caller's
    # reader holds the text for the whole stage anyway).
    text: str = ""


class RepoIndex:
    """Lazily parsed modules of the repository at head."""

    def __init__(
        self, paths: Iterable[str], read: Callable[[str], str | None], *, complete: bool = True
    ) -> None:
        """`complete`: `paths` are all the files at head. Else (a patch without revisions: the files it
        adds) a folder without `__init__.py` may hold files the index does not see, and is not taken
        for a namespace package whose whole content is known."""
        paths = tuple(paths)
        self._all_paths = paths
        self._packages: frozenset[str] | None = (
            frozenset(p for p in paths if p.endswith("__init__.py")) if complete else None
        )
        shared = View(module_names(paths, SOURCE_ROOTS, self._packages), opaque_modules(paths))
        self._shared = shared
        # Sub-projects: their files import by names taken from their own folder too (see `enter`).
        self._project_set = frozenset(project_roots(paths))
        self._own: dict[str, tuple[dict[str, str], frozenset[str]]] | None = None
        self._views: dict[str, View] = {"": shared}
        self.paths = shared.paths  # the names of the file being checked: see `enter`
        self.opaque = shared.opaque  # what may be imported, though not read as source
        self._read = read
        # By path: a module reached by two names (a sub-project's `app.util` is the root's
        # `svc.app.util`) is one module, whose relative imports resolve from `name_of` its path. A
        # namespace package is by path and name: whether it is the repository's alone depends on the name.
        self._modules: dict[str, ModuleInfo | None] = {}
        self._folders: dict[tuple[str, str], ModuleInfo] = {}
        self._outside: frozenset[str] | None = None  # see `_alone`
        # Modules that could not be read within the parser's bounds: path -> why. Nothing is reported
        # against them; the stage reports the ones the change touches.
        self.unreadable: dict[str, str] = {}
        self._members: dict[tuple[str, str], set[str] | None] = {}
        # Files the caller is still to parse itself (the changed ones it has not reached): a tree
        # parsed here for one of them is kept for `take_tree`, within KEPT_TREE_CHARS of their text.
        self.pending: set[str] = set()
        self._kept: dict[str, ast.Module] = {}
        self._kept_sizes: dict[str, int] = {}
        self._kept_chars = 0

    def tops(self) -> set[str]:
        """The first part of every name a file of the repository may import from it."""
        tops = {name.split(".")[0] for name in self._shared.paths}
        for own, _ in self._own_names().values():
            tops.update(name.split(".")[0] for name in own)
        return tops

    def enter(self, path: str) -> None:
        """Take the names the file `path` imports by: those of the repository's root and source folders,
        and, for a file of a sub-project, those of the sub-project's folder and its `src/`."""
        view = self._view(self._project_of(path) or "")
        self.paths, self.opaque = view.paths, view.opaque

    def _view(self, root: str) -> View:
        """The names a file of the sub-project `root` (the repository's root: "") imports by."""
        view = self._views.get(root)
        if view is None:
            own, opaque = self._own_names().get(root, ({}, frozenset()))
            shared = self._shared.paths
            # A name both the sub-project's files and the root's answer to: which one Python takes
            # depends on its path, so neither is judged (two folders of one namespace package are one).
            hidden = frozenset(
                d for d, p in own.items() if d in shared and shared[d] != p and not both_folders(p, shared[d])
            )
            mine = {d: p for d, p in own.items() if d not in hidden}
            view = View(Overlay(mine, shared, hidden), self._shared.opaque | opaque | hidden)
            self._views[root] = view
        return view

    def name_of(self, path: str) -> str:
        """The dotted name the module at `path` resolves its relative imports from, whichever name it was
        reached by: its name from the repository's root or source folders, else (a sub-project's folder
        that is no identifier, `my-service/`) its name in its sub-project; "" when it has none."""
        names = module_names([path])
        if not names:
            root = self._project_of(path)
            if root is not None:
                names = module_names([path], (root, root + "/src"))
        return next(iter(names), "")

    def _project_of(self, path: str) -> str | None:
        """The deepest sub-project folder that holds `path`, if any."""
        folder = path.rpartition("/")[0]
        while folder:
            if folder in self._project_set:
                return folder
            folder = folder.rpartition("/")[0]
        return None

    def _own_names(self) -> dict[str, tuple[dict[str, str], frozenset[str]]]:
        """Of each sub-project: the names its own files (those of no deeper sub-project) take from its
        folder and its `src/`, and its opaque names. Worked out once, when first asked."""
        if self._own is None:
            grouped: dict[str, list[str]] = {}
            if self._project_set:
                for path in self._all_paths:
                    root = self._project_of(path)
                    if root is not None:
                        grouped.setdefault(root, []).append(path)
            self._own = {
                root: (
                    module_names(files, (root, root + "/src"), self._packages),
                    opaque_modules(files, (root, root + "/src")),
                )
                for root, files in grouped.items()
            }
        return self._own

    def has_module(self, dotted: str) -> bool:
        return dotted in self.paths

    def module(self, dotted: str) -> ModuleInfo | None:
        """The module's definitions, or None when it is not the repo's or cannot be read or parsed."""
        path = self.paths.get(dotted)
        if path is None:
            return None
        if path.endswith("/"):
            folder = self._folders.get((path, dotted))
            if folder is None:
                # A namespace package defines no name of its own; what it holds is known only when no
                # other folder on Python's path can add to it.
                folder = ModuleInfo(dotted, path, True, open=not self._alone(dotted))
                self._folders[path, dotted] = folder
            return folder
        return self._file(path)

    def _file(self, path: str) -> ModuleInfo | None:
        """The module of the .py file `path`, read and indexed when first asked for."""
        if path not in self._modules:
            self._modules[path] = self._load(path)
        return self._modules[path]

    def prime(self, path: str, text: str, tree: ast.Module) -> None:
        """Index a module from a tree the caller parsed from its head text: a module the change both
        adds and imports is parsed once, not again when an import of it is checked."""
        if path in self._modules:
            return
        dotted = self.name_of(path)
        if dotted:
            self._modules[path] = self._index(dotted, path, text, tree)

    def take_tree(self, path: str) -> ast.Module | None:
        """The tree of a pending file this index parsed (from the same head text), once; and the file
        is no longer pending."""
        self.pending.discard(path)
        tree = self._kept.pop(path, None)
        if tree is not None:
            self._kept_chars -= self._kept_sizes.pop(path)
        return tree

    def _load(self, path: str) -> ModuleInfo | None:
        text = self._read(path)
        if text is None:
            return None
        try:
            tree = parse_python(text)
            if tree is None:
                return None
            if (
                path in self.pending
                and path not in self._kept
                and self._kept_chars + len(text) <= KEPT_TREE_CHARS
            ):
                self._kept[path] = tree
                self._kept_sizes[path] = len(text)
                self._kept_chars += len(text)
            return self._index(self.name_of(path), path, text, tree)
        except (Unreadable, RecursionError) as exc:
            self.unreadable[path] = str(exc) if isinstance(exc, Unreadable) else "nested too deeply"
            return None

    def _index(self, dotted: str, path: str, text: str, tree: ast.Module) -> ModuleInfo:
        imports_from = tuple(node for node in tree.body if isinstance(node, ast.ImportFrom))
        info = ModuleInfo(dotted, path, path.endswith("__init__.py"), imports_from=imports_from, text=text)
        _collect(tree.body, info, _TextHints.of(text))
        if "__getattr__" in info.names:
            info.open = True  # PEP 562 however it is bound: assigned, imported, defined
        if info.is_package and ("__path__" in info.names or "declare_namespace" in text):
            # pkgutil.extend_path or pkg_resources: its submodules may sit in other folders too.
            info.open = True
        return info

    def _alone(self, dotted: str) -> bool:
        """Whether the namespace package `dotted` is found in the repository's folders only. Inside a
        regular package it is (Python looks in that package's folder, unless the package opens its
        `__path__`); at the top, any folder on Python's path may add to it, and a regular package of
        the name anywhere there replaces it: it is the repository's alone when no distribution is known
        to provide the name, none of the repository's Python manifests names it, and it is no standard
        module."""
        parent = dotted.rpartition(".")[0]
        if parent:
            if self.paths.get(parent, "").endswith("/"):
                return self._alone(parent)
            info = self.module(parent)
            return info is not None and not info.open
        if self._outside is None:
            self._outside = self._named_outside()
        # rapidfuzz and the popular names load only for a namespace package to judge
        from gate.analyzers.dependencies.nearmiss import is_popular

        return dotted.lower() not in self._outside and not is_popular(dotted, Ecosystem.PYPI)

    def _named_outside(self) -> frozenset[str]:
        """The top-level names (in lower case) the standard library or a known distribution provides, and
        every word of the repository's Python manifests (`acme` of a dependency on `acme-common`)."""
        names = {n.lower() for n in (*python_stdlib(), *python_distributions())}
        manifests = [p for p in self._all_paths if is_manifest(p.rpartition("/")[2])]
        for path in manifests[:MAX_MANIFESTS]:
            names.update(_WORD.findall((self._read(path) or "").lower()))
        return frozenset(names)

    def defines(self, dotted: str, name: str) -> bool | None:
        """True/False when known; None when the module is open or not the repo's."""
        if self.has_module(f"{dotted}.{name}"):
            return True  # a submodule of a package
        if f"{dotted}.{name}" in self.opaque:
            return None  # an extension module, or a link to a package: what it holds is not read
        info = self.module(dotted)
        if info is None or info.open:
            return None
        return name in info.names

    def class_members(self, dotted: str, cls: str) -> set[str] | None:
        """Every attribute a repo class (and its repo bases) defines, or None when that is unknowable.
        Worked out once per class: callers must not modify the set."""
        path = self.paths.get(dotted)
        if path is None or path.endswith("/"):
            return None
        key = (path, cls)
        if key not in self._members:
            self._members[key] = self._class_members(path, cls, 0)
        return self._members[key]

    def members_unknowable(self, dotted: str, cls: str) -> bool:
        """True when the class's members were asked for and cannot be known: nothing of it is reported."""
        key = (self.paths.get(dotted, dotted), cls)
        return key in self._members and self._members[key] is None

    def _class_members(self, path: str, cls: str, depth: int) -> set[str] | None:
        info = self._file(path)
        klass = info.classes.get(cls) if info else None
        if info is None or klass is None or klass.open or depth > 10:
            return None
        inherited: list[set[str]] = []
        for base in klass.bases:
            if base == "object":
                continue
            resolved = self._resolve_class(info, base)
            if resolved is None:
                return None
            members = self._class_members(*resolved, depth + 1)
            if members is None:
                return None
            inherited.append(members)
        # Only a class whose every base is known needs its own members: walked now if not yet.
        if not klass.walked:
            _walk_classes(info)
        return set(klass.members).union(*inherited)

    def _resolve_class(self, info: ModuleInfo, name: str) -> tuple[str, str] | None:
        """(path, class) for a class name used in a module: defined there or imported from the repo. The
        module's imports are those its own code makes: read by the names of its own sub-project (or of
        the root), whichever file's check asked, so that what a class holds is the same for every one."""
        if name in info.classes:
            return info.path, name
        paths = self._view(self._project_of(info.path) or "").paths
        for node in info.imports_from:
            source = resolve_relative(info.name, info.is_package, node.module, node.level)
            for alias in node.names:
                where = paths.get(source) if source and (alias.asname or alias.name) == name else None
                if where is not None and not where.endswith("/"):
                    target = self._file(where)
                    if target is not None and alias.name in target.classes:
                        return where, alias.name
        return None


def resolve_relative(current: str, is_package: bool, module: str | None, level: int) -> str | None:
    """The absolute module of `from <level dots><module> import ...` written in `current`."""
    if level == 0:
        return module
    parts = current.split(".") if current else []
    if not is_package:
        parts = parts[:-1]
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    if module:
        base.append(module)
    return ".".join(base) if base else None


@dataclass(frozen=True)
class _TextHints:
    """What the module's text cannot contain, so that whole-subtree walks looking for it can be skipped:
    a `global` statement, an assignment expression, or a call of globals()/setattr()/exec() each need
    their word (or `:=`) literally in the source, and so does a list of `__all__` in an ASCII text."""

    has_global: bool
    has_walrus: bool
    has_global_writes: bool
    # `__all__` may be written in the text: in ASCII, or in other letters that NFKC makes ASCII.
    may_list_all: bool
    # The lines that may call setattr(): those naming it, and those with other than ASCII characters
    # (the parser reads identifiers in their NFKC form, so a full-width `ｓetattr` is `setattr`).
    setattr_lines: tuple[int, ...]
    # `sys.modules` may be written (its word, or other letters that NFKC makes it).
    may_replace_module: bool

    @classmethod
    def of(cls, text: str) -> _TextHints:
        has_setattr = "setattr" in text
        other = not text.isascii()
        lines: tuple[int, ...] = ()
        if has_setattr or other:
            # The parser counts a lone carriage return as a line break too.
            split = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            lines = tuple(n for n, line in enumerate(split, 1) if "setattr" in line or not line.isascii())
        # globals()/exec() in full width are the builtins too: a text with other than ASCII may call them.
        writes = has_setattr or other or any(word in text for word in _GLOBAL_WRITERS)
        return cls(
            "global" in text,
            ":=" in text,
            writes,
            "__all__" in text or other,
            lines,
            "modules" in text or other,
        )

    def may_call_setattr(self, start: int, end: int) -> bool:
        at = bisect.bisect_left(self.setattr_lines, start)
        return at < len(self.setattr_lines) and self.setattr_lines[at] <= end


def _collect(body: list[ast.stmt], info: ModuleInfo, hints: _TextHints) -> None:
    never_run: list[list[ast.stmt]] = []
    for node in _module_level(body, never_run):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            info.names.add(node.name)
            if node.name == "__getattr__":
                info.open = True  # PEP 562: any name may exist
            if hints.has_global:
                for inner in nodes(node):
                    if isinstance(inner, ast.Global):
                        info.names.update(inner.names)
        elif isinstance(node, ast.ClassDef):
            info.names.add(node.name)
            info.classes[node.name] = _class_info(node, hints)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                info.names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    info.open = True
                else:
                    info.names.add(alias.asname or alias.name)
        else:
            for target in _targets(node, hints):
                info.names.update(_bound(target))
        if (
            hints.has_global_writes
            and isinstance(node, ast.Expr | ast.Assign | ast.AugAssign)
            and _writes_globals(node)
        ):
            info.open = True
        if hints.may_list_all:
            info.names.update(_all_entries(node))
        if hints.may_replace_module and isinstance(node, ast.Assign | ast.Expr) and _replaces_module(node):
            info.open = True
    if never_run:
        # What those blocks bind is known to type checkers only; what they would open (a star import)
        # still opens the module, as it did before they were told apart.
        typing = ModuleInfo(info.name, info.path, info.is_package)
        for block in never_run:
            _collect(block, typing, hints)
        info.open = info.open or typing.open
        info.type_only = (typing.names | typing.type_only) - info.names


def _module_level(body: list[ast.stmt], never_run: list[list[ast.stmt]] | None = None) -> Iterator[ast.stmt]:
    """Statements that run at module level, through if/try/with/for/while/match, not into def/class.
    With `never_run`, the bodies of `if TYPE_CHECKING:` and `if False:` are put there instead."""
    for node in body:
        yield node
        if never_run is not None and isinstance(node, ast.If) and never_runs(node.test):
            never_run.append(node.body)
            yield from _module_level(node.orelse, never_run)
        elif isinstance(node, ast.If | ast.For | ast.AsyncFor | ast.While):
            yield from _module_level(node.body, never_run)
            yield from _module_level(node.orelse, never_run)
        elif isinstance(node, ast.With | ast.AsyncWith):
            yield from _module_level(node.body, never_run)
        elif isinstance(node, ast.Try | ast.TryStar):
            yield from _module_level(node.body, never_run)
            for handler in node.handlers:
                yield from _module_level(handler.body, never_run)
            yield from _module_level(node.orelse, never_run)
            yield from _module_level(node.finalbody, never_run)
        elif isinstance(node, ast.Match):
            for case in node.cases:
                yield from _module_level(case.body, never_run)


def never_runs(test: ast.expr) -> bool:
    """`TYPE_CHECKING`, `typing.TYPE_CHECKING` (under any module name) or `False`: a condition that is
    false whenever the code runs."""
    if isinstance(test, ast.Constant):
        return test.value is False
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _replaces_module(node: ast.Assign | ast.Expr) -> bool:
    """`sys.modules[...] = ...` or `sys.modules.update(...)` and the like: a module that puts an object
    in its own place has that object's attributes, which its source does not show."""
    if isinstance(node, ast.Assign):
        return any(
            isinstance(t, ast.Subscript) and isinstance(t.value, ast.Attribute) and t.value.attr == "modules"
            for t in node.targets
        )
    call = node.value
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Attribute)
        and call.func.value.attr == "modules"
    )


def _targets(node: ast.stmt, hints: _TextHints) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return list(node.targets)
    if isinstance(node, ast.AnnAssign | ast.AugAssign):
        return [node.target]
    if isinstance(node, ast.For | ast.AsyncFor):
        return [node.target]
    if isinstance(node, ast.With | ast.AsyncWith):
        return [item.optional_vars for item in node.items if item.optional_vars is not None]
    if isinstance(node, ast.Try | ast.TryStar):
        return [ast.Name(id=h.name) for h in node.handlers if h.name]
    if _TYPE_ALIAS is not None and isinstance(node, _TYPE_ALIAS):  # `type X = ...`, Python 3.12+
        return [getattr(node, "name")]  # noqa: B009 - ast.TypeAlias is not in the 3.11 stubs
    # A `case` pattern binds the names it captures in the scope of its `match`, as an assignment does.
    captured: list[ast.expr] = [ast.Name(id=n) for n in captures(node)] if isinstance(node, ast.Match) else []
    if not hints.has_walrus:
        return captured
    return captured + [n for n in nodes(node) if isinstance(n, ast.NamedExpr)]


def captures(node: ast.Match) -> Iterator[str]:
    """The names the `case` patterns of a `match` capture: `case name`, `case [a, *rest]`,
    `case {"k": v, **rest}`, `case Point(x=name)`, `case ... as name`."""
    for case in node.cases:
        for pattern in ast.walk(case.pattern):
            if isinstance(pattern, ast.MatchAs | ast.MatchStar) and pattern.name:
                yield pattern.name
            elif isinstance(pattern, ast.MatchMapping) and pattern.rest:
                yield pattern.rest


def _bound(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.NamedExpr):
        yield from _bound(target.target)
    elif isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _bound(element)
    elif isinstance(target, ast.Starred):
        yield from _bound(target.value)


def _all_entries(node: ast.stmt) -> Iterator[str]:
    """Names listed in `__all__ = [...]`, `__all__ += [...]` or `__all__.extend/append(...)`: a module
    that exports a name it defines some other way (globals(), a loop) counts as defining it."""
    value: ast.expr | None = None
    if isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
    ):
        value = node.value
    elif isinstance(node, ast.AugAssign | ast.AnnAssign) and isinstance(node.target, ast.Name):
        value = node.value if node.target.id == "__all__" else None
    elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "__all__"
        ):
            value = ast.Tuple(elts=list(node.value.args))
    if value is None:
        return
    for element in nodes(value):
        if isinstance(element, ast.Constant) and isinstance(element.value, str):
            yield element.value


# Builtins through which module-level code can write the module's names: `globals()`, `setattr(...)`,
# `exec(...)`, and at module level `vars()` and `locals()`, which are `globals()` there.
_GLOBAL_WRITERS = ("globals", "setattr", "exec", "vars", "locals")


def _writes_globals(node: ast.stmt) -> bool:
    for inner in nodes(node):
        if (
            isinstance(inner, ast.Call)
            and isinstance(inner.func, ast.Name)
            and inner.func.id in _GLOBAL_WRITERS
            and (inner.func.id != "vars" or not inner.args)  # `vars(obj)` is another object's
        ):
            return True
    return False


def _class_info(node: ast.ClassDef, hints: _TextHints) -> ClassInfo:
    info = ClassInfo(node.name)
    for base in node.bases:
        dotted = _dotted(base)
        if dotted is None:
            info.open = True
        else:
            info.bases.append(dotted)
    if node.keywords or any(_decorator_name(d) not in _TRUSTED_DECORATORS for d in node.decorator_list):
        info.open = True  # a metaclass or a decorator can add attributes
    for stmt in _module_level(node.body):
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            info.members.add(stmt.name)
            if stmt.name in ("__getattr__", "__getattribute__"):
                info.open = True
        else:
            for target in _targets(stmt, hints):
                info.members.update(_bound(target))
    if info.open:
        return info  # nothing is reported against an open class: its members are never asked for
    start = min((d.lineno for d in node.decorator_list), default=node.lineno)
    if not hints.may_call_setattr(start, node.end_lineno or node.lineno):
        # The walk below can only add members (no setattr() to open the class): left until asked for.
        info.walked, info.line = False, node.lineno
        return info
    _walk_class(node, info)
    return info


def _walk_classes(module: ModuleInfo) -> None:
    """Walk the module's classes that were left unwalked, all at once: its text is parsed again (the
    same text that parsed when it was indexed)."""
    tree = parse_python(module.text)
    assert tree is not None
    waiting = {(c.name, c.line): c for c in module.classes.values() if not c.walked}
    for node in _module_level(tree.body):
        if isinstance(node, ast.ClassDef):
            info = waiting.pop((node.name, node.lineno), None)
            if info is not None:
                _walk_class(node, info)
                info.walked = True


def _walk_class(node: ast.ClassDef, info: ClassInfo) -> None:
    """What only a walk of the whole class shows: attributes its methods set, `__slots__`, setattr()."""
    for inner in nodes(node):
        if (
            isinstance(inner, ast.Attribute)
            and isinstance(inner.ctx, ast.Store)
            and isinstance(inner.value, ast.Name)
        ):
            info.members.add(inner.attr)  # self.x = ... (or cls.x = ...)
        elif isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "setattr":
            info.open = True
        elif isinstance(inner, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__slots__" for t in inner.targets
        ):
            info.members.update(
                e.value
                for e in nodes(inner.value)
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            )


def _decorator_name(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    dotted = _dotted(target) or ""
    return dotted.rsplit(".", 1)[-1]


def _dotted(node: ast.expr) -> str | None:
    """`a.b.c` as written, or None for anything but a chain of names."""
    chain = name_chain(node)
    return ".".join(chain) if chain is not None else None
