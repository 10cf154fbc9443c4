"""The `phantom-symbols` stage: added Python code that imports, or reads an attribute of, a repository
module or class that the head revision does not define. Anything that cannot be known without running
the code (open modules, classes with outside bases, names rebound locally) is left alone."""

from __future__ import annotations

import ast
import bisect
import re
import unicodedata
from collections.abc import Iterator, Set
from typing import NamedTuple

from gate.analyzers.interface import Analyzer, AnalyzerMeta
from gate.analyzers.limits import RULE, Unreadable, could_not_analyse
from gate.analyzers.parser_lines import parser_lines
from gate.analyzers.skipped import skipped_files
from gate.analyzers.source import (
    NO_REVISIONS_NOTE,
    ChangeView,
    child_fields,
    children,
    name_chain,
    parse_python,
    statements,
)
from gate.analyzers.symbols.index import RepoIndex, module_names, resolve_relative
from gate.analyzers.weakened_tests.tree_facts import note_tree
from gate.diff.model import FileChange, FileStatus
from gate.findings import Confidence, Finding, Location, Severity
from gate.run import RunContext, StageResult

# Attributes every class and module has without defining them.
_IMPLICIT = frozenset(dir(type("_Probe", (), {}))) | frozenset(
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


class _Missing(NamedTuple):
    """A name found missing (a tuple: one is made for every finding, thousands on a large change)."""

    line: int
    owner: str  # "pkg.mod" or "pkg.mod.Class"
    name: str
    kind: str  # "import", "module", "module-attribute", "class-attribute"
    known: tuple[str, ...]  # names the owner does define, for the close-match hint
    # Which file's check found it: a hint is worked out once per file for each (name, owner's names).
    scope: int


class PhantomSymbolsAnalyzer(Analyzer):
    meta = AnalyzerMeta(
        id="phantom-symbols",
        description="find added Python that uses names the repository does not define",
        docs="#phantom-symbols",
    )

    def run(self, ctx: RunContext) -> StageResult:
        view = ChangeView(ctx.changeset)
        if view.has_revisions:
            paths = view.head_paths()
        else:
            paths = tuple(f.path for f in ctx.changeset.diff.files if f.status is FileStatus.ADDED)
        index = RepoIndex(paths, lambda p: view.text("head", p))
        tops = {name.split(".")[0] for name in index.paths}
        hints = _Hints()
        findings: list[Finding] = []
        checked: list[str] = []
        notes: list[str] = [] if view.has_revisions else [NO_REVISIONS_NOTE + "; only files the diff adds"]
        index.pending = {
            c.path
            for c in ctx.changeset.diff.files
            if c.path.endswith(".py") and c.status is not FileStatus.DELETED and view.is_whole_file(c)
        }
        for change in view.changes():
            if not change.path.endswith(".py") or change.status is FileStatus.DELETED:
                continue
            parsed = index.take_tree(change.path)
            whole = view.is_whole_file(change)
            text = view.text("head", change.path) if whole else None
            if text is None:
                # Over the size limit or binary at head: its added import lines stand in for it, and
                # they are no account of what it defines (nor of its tests' facts). The index meets
                # it unread: nothing imported from it is reported.
                whole = False
                # Patch input: of a file the diff shows in part, the added one-line imports still say
                # what they take from the repository's (added) modules.
                text = _imports_only(change)
                notes.append(f"{change.path}: whole file not available; only its added import lines checked")
            imports = _may_use_repository(text, tops, change)
            if not imports and not _may_read_own_attributes(text):
                continue  # no import of a repository module and no class
            try:
                found = self._check_file(
                    index, change, text, notes, hints, whole=whole, parsed=parsed, imports=imports
                )
            except (Unreadable, RecursionError) as exc:
                why = str(exc) if isinstance(exc, Unreadable) else "nested too deeply to analyse"
                findings.append(could_not_analyse(self.meta, change.path, why))
                # What the added import lines take from the repository can still be checked.
                try:
                    found = self._check_file(index, change, _imports_only(change), notes, hints)
                except (Unreadable, RecursionError):
                    found = None  # the import lines themselves are past the bounds: reported above
            if found is not None:
                if imports:  # a file with a class only is checked for its own reads, not counted here
                    checked.append(change.path)
                findings.extend(found)
        changed = {c.path for c in ctx.changeset.diff.files if c.status is not FileStatus.DELETED}
        for path, why in index.unreadable.items():
            reported = {f.location.path for f in findings if f.rule == RULE and f.location is not None}
            if path in changed and path not in reported:
                findings.append(could_not_analyse(self.meta, path, why))
            elif path not in changed:
                notes.append(f"{path}: could not be read ({why}); nothing reported against it")
        details = {"files_checked": checked, "notes": notes, "skipped_files": view.notes}
        return self.meta.result(findings, details, skipped_files=skipped_files(view))

    def _check_file(
        self,
        index: RepoIndex,
        change: FileChange,
        text: str,
        notes: list[str],
        hints: _Hints,
        *,
        whole: bool = False,
        parsed: ast.Module | None = None,
        imports: bool = True,
    ) -> list[Finding] | None:
        """The file's findings, or None (with a note) when it is not valid Python. `whole`: `text` is
        the file's head text, so its tree serves the index too; `parsed`: its tree, when the index
        parsed that text already; `imports`: False when the text imports no repository module, so that
        only its classes' own reads can be found (none, when it does not parse)."""
        if text == _NO_IMPORTS and not whole:
            return []  # `_imports_only` found no import line: its module is empty
        tree = parsed if parsed is not None and whole else parse_python(text)
        if tree is not None and whole:
            index.prime(change.path, text, tree)
            note_tree(change, text, tree)  # a test file's skip facts, for weakened-tests: no second parse
        if tree is None:
            if not imports:
                return []  # no class to read, and its import lines take nothing from the repository
            notes.append(f"{change.path}: does not parse; only its added import lines checked")
            text = _imports_only(change)
            if text == _NO_IMPORTS:
                return []  # the empty module: nothing imported, no class, nothing to find
            tree = parse_python(text)
            if tree is None:
                return None
        checker = _Checker(index, change, tree, hints, text)
        return [self._finding(change.path, missing, hints) for missing in checker.run()]

    def _finding(self, path: str, m: _Missing, hints: _Hints) -> Finding:
        close = hints.close_names(m.name, m.known, m.scope)
        hint = f" Close names it does define: {', '.join(close)}." if close else ""
        if m.kind == "module":
            title = f"Module '{m.owner}.{m.name}' does not exist in the repository"
            body = (
                f"Line {m.line} of {path} imports '{m.owner}.{m.name}', but the repository's package "
                f"'{m.owner}' has no module or name '{m.name}' at head.{hint}"
            )
            return self.meta.finding(
                "missing-module", Severity.HIGH, Confidence.HIGH, title, body, Location(path, m.line)
            )
        if m.kind == "class-attribute":
            title = f"'{m.owner}' has no attribute '{m.name}'"
            body = (
                f"Line {m.line} of {path} uses '{m.name}' on '{m.owner}', a class of the repository whose "
                f"body, methods and repository bases define no such attribute at head.{hint}"
            )
            return self.meta.finding(
                "missing-attribute", Severity.MEDIUM, Confidence.MEDIUM, title, body, Location(path, m.line)
            )
        verb = "imports" if m.kind == "import" else "uses"
        title = f"'{m.name}' is not defined in {m.owner}"
        body = (
            f"Line {m.line} of {path} {verb} '{m.name}' from '{m.owner}', a module of the repository that "
            f"defines no such name at head (no function, class, assignment, import or submodule); the "
            f"code would fail with ImportError or AttributeError.{hint}"
        )
        return self.meta.finding(
            "missing-name", Severity.HIGH, Confidence.HIGH, title, body, Location(path, m.line)
        )


class _Checker:
    def __init__(
        self, index: RepoIndex, change: FileChange, tree: ast.Module, hints: _Hints, text: str
    ) -> None:
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
        names = module_names([change.path])
        self.current = next(iter(names), "")
        self.is_package = change.path.endswith("__init__.py")
        self.tree = tree

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

    def run(self) -> Iterator[_Missing]:
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
        reads, bound = _reads_and_bindings(self.tree, modules.keys() | classes.keys())
        for name in bound:
            modules.pop(name, None)
            classes.pop(name, None)
        for node in reads:
            if node.__class__ is attribute:
                if not _may_name(node, modules, classes):  # type: ignore[arg-type]
                    continue  # not a chain from an imported repository name: nothing to check
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
    ) -> Iterator[_Missing]:
        source = resolve_relative(self.current, self.is_package, node.module, node.level)
        if source is None:
            return
        if not self.index.has_module(source):
            # Only a dotted name has a parent package to be missing from (most imports are of outside
            # modules: `from typing import ...`).
            line = self._on_added(node) if "." in source else None
            if line is not None:
                yield from self._missing_module(source, line)
            return
        for alias in node.names:
            if alias.name == "*":
                continue
            local = alias.asname or alias.name
            if self.index.has_module(f"{source}.{alias.name}"):
                modules[local] = f"{source}.{alias.name}"
            else:
                classes.setdefault(local, []).append((source, alias.name))
            # A name on an added line, or every name when the `from ... import` line itself is new.
            line = self._on_added(alias) or (
                self._diff_line(node.lineno) if node.lineno in self.added else None
            )
            if line is not None and self.index.defines(source, alias.name) is False:
                info = self.index.module(source)
                known = self.hints.sorted_names(info.names) if info else ()
                yield _Missing(line, source, alias.name, "import", known, self.scope)

    def _repo_class(self, candidates: list[tuple[str, str]]) -> tuple[str, str] | None:
        """The last import of a local name that brings in a class of the repository."""
        for source, name in reversed(candidates):
            info = self.index.module(source)
            if info is not None and name in info.classes:
                return source, name
        return None

    def _import(self, node: ast.Import, modules: dict[str, str]) -> Iterator[_Missing]:
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

    def _missing_module(self, dotted: str, line: int) -> Iterator[_Missing]:
        """`pkg.nothing` where `pkg` is a closed repo package that has no `nothing`."""
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            parent = ".".join(parts[:cut])
            if self.index.has_module(parent):
                defined = self.index.defines(parent, parts[cut])
                info = self.index.module(parent)
                if defined is False and info is not None and info.is_package:
                    known = self.hints.sorted_names(info.names)
                    yield _Missing(line, parent, parts[cut], "module", known, self.scope)
                return

    def _attribute(
        self,
        node: ast.Attribute,
        line: int,
        modules: dict[str, str],
        classes: dict[str, list[tuple[str, str]]],
    ) -> Iterator[_Missing]:
        chain = name_chain(node)
        if not chain or len(chain) < 2:
            return
        head, rest = chain[0], chain[1:]
        if head in modules:
            module = modules[head]
            while len(rest) > 1 and self.index.has_module(f"{module}.{rest[0]}"):
                module, rest = f"{module}.{rest[0]}", rest[1:]
            name = rest[0]
            if name in _IMPLICIT:
                return
            if self.index.defines(module, name) is False:
                info = self.index.module(module)
                known = self.hints.sorted_names(info.names) if info else ()
                yield _Missing(line, module, name, "module-attribute", known, self.scope)
        elif head in classes:
            owner = self._repo_class(classes[head])
            if owner is not None:
                yield from self._class_attribute(owner, rest[0], line)

    def _class_attribute(self, owner: tuple[str, str], name: str, line: int) -> Iterator[_Missing]:
        if name in _IMPLICIT:
            return
        members = self.index.class_members(*owner)
        if members is not None and name not in members:
            known = self.hints.sorted_names(members)
            yield _Missing(line, f"{owner[0]}.{owner[1]}", name, "class-attribute", known, self.scope)

    def _self_attributes(self, cls: ast.ClassDef, seen: set[tuple[int, str, str]]) -> Iterator[_Missing]:
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
            for node in _own_reads(method, method.args.args[0].arg):
                line = self._on_added(node)
                if line is None:
                    continue
                for missing in self._class_attribute((self.current, cls.name), node.attr, line):
                    key = (missing.line, missing.owner, missing.name)
                    if key not in seen:
                        seen.add(key)
                        yield missing


# Names longer than this get no close-name hint: no one mistypes a name that long, and comparing it
# with every defined name is where the time would go.
MAX_HINT_NAME = 200


def _sorted(names: set[str]) -> tuple[str, ...]:
    """The names a finding offers hints from: sorted for a stable order, the long ones left out."""
    return tuple(sorted(n for n in names if len(n) <= MAX_HINT_NAME))


# Findings of one run that get a close-name hint: each hint compares a name with every name its owner
# defines, so a change adding thousands of both would cost their product; past this, no hints.
MAX_HINTED = 100


class _Hints:
    """Close-name hints for one run: each (name, owner's names) worked out once per file that finds it,
    MAX_HINTED at most."""

    def __init__(self) -> None:
        # id of a name set -> (the set, kept alive so that its id is not reused while the entry stands,
        # and its names sorted for hints): sorted once for the run, not once per file.
        self._sorted: dict[int, tuple[set[str], tuple[str, ...]]] = {}
        # (name, scope, id of the sorted names) -> hints
        self._done: dict[tuple[str, int, int], list[str]] = {}
        self._scopes = 0

    def new_scope(self) -> int:
        """A new file's check: the hints it asks for count against MAX_HINTED on their own."""
        self._scopes += 1
        return self._scopes

    def sorted_names(self, names: set[str]) -> tuple[str, ...]:
        """The names a finding offers hints from (callers never modify the sets they pass)."""
        held = self._sorted.get(id(names))
        if held is None:
            held = self._sorted[id(names)] = (names, _sorted(names))
        return held[1]

    def close_names(self, name: str, known: tuple[str, ...], scope: int) -> list[str]:
        """Up to three defined names most like `name` (similarity of at least 0.6, as difflib's cutoff
        reads it), best first. rapidfuzz's bit-parallel Indel ratio is linear in the names compared,
        where difflib's SequenceMatcher took ~24 s against 2,000 long names. `known` comes from
        `sorted_names`, which keeps it alive for the run."""
        key = (name, scope, id(known))
        done = self._done.get(key)
        if done is not None:
            return done
        if not known or len(name) > MAX_HINT_NAME or len(self._done) >= MAX_HINTED:
            return []
        from rapidfuzz import fuzz, process  # loaded at the first hint: a run without one never needs it

        best = process.extract(name, known, scorer=fuzz.ratio, limit=3, score_cutoff=60)
        close = [match for match, _, _ in best]
        self._done[key] = close
        return close


_ONE_LINE_IMPORT = re.compile(r"^\s*(?:from\s+[\w.]+\s+import\s+[\w\s,]+|import\s+[\w.\s,]+)$")


# What `_imports_only` gives for a file with no added one-line import: the empty module.
_NO_IMPORTS = "\n"


def _imports_only(change: FileChange) -> str:
    """A module holding just the added single-line imports, each on its own line number."""
    lines: dict[int, str] = {}
    for line in change.added_lines():
        # Every line the pattern takes says `import`: the word's look is cheaper than the pattern's.
        text = line.text
        if "import" not in text or line.new_no is None:
            continue
        if "\r" in text or "#" in text:
            # A lone `\r` ends a line to the parser: each piece is a line of its own (the checker
            # maps the parser's lines back to the diff's). A `#` in an import starts its comment
            # (`from pkg import name  # why`): an import holds no string.
            cut = (piece.split("#", 1)[0] for piece in text.split("\r"))
            pieces = [piece.strip() for piece in cut if _ONE_LINE_IMPORT.match(piece)]
            if pieces:
                lines[line.new_no] = "\r".join(pieces)
        elif _ONE_LINE_IMPORT.match(text):
            lines[line.new_no] = text.strip()
    last = max(lines, default=0)
    return "\n".join(lines.get(n, "") for n in range(1, last + 1)) + "\n"


_SCOPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda})
# The node-holding fields of each node class, as `child_fields` gives them, held here for the walks
# below (one look-up a node, where a call of `child_fields` was one more call).
_FIELDS: dict[type, tuple[str, ...]] = {}


def _own_reads(method: ast.FunctionDef | ast.AsyncFunctionDef, me: str) -> list[ast.Attribute]:
    """The reads `me.x` in the method, in the order of a depth-first walk (last child first), not
    descending into nested classes, nor into nested functions that bind a name `me` of their own (a
    nested handler class's `self` is another object). One loop: a walk of every node of every method
    with an added line, so calls per node cost more than the checks."""
    out: list[ast.Attribute] = []
    stack: list[ast.AST] = children(method)
    pop = stack.pop
    push = stack.append
    node_type = ast.AST
    attribute, name_type, load, class_def, scopes = ast.Attribute, ast.Name, ast.Load, ast.ClassDef, _SCOPES
    constant, fields = ast.Constant, _FIELDS
    while stack:
        node = pop()
        kind = node.__class__
        if kind is name_type or kind is constant:
            continue  # holds no node
        if kind is attribute:
            value = node.value  # type: ignore[attr-defined]
            if value.__class__ is name_type and value.id == me and node.ctx.__class__ is load:  # type: ignore[attr-defined]
                out.append(node)  # type: ignore[arg-type]
        elif kind is class_def:
            continue
        elif kind in scopes:
            args = node.args  # type: ignore[attr-defined]
            if any(a.arg == me for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)):
                continue
        names = fields.get(kind)
        if names is None:
            names = fields[kind] = child_fields(kind)
        for field in names:
            value = getattr(node, field, None)
            if value.__class__ is list:
                for item in value:  # type: ignore[union-attr]
                    if isinstance(item, node_type):
                        push(item)
            elif isinstance(value, node_type):
                push(value)
    return out


def _decorator(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    return (
        target.id
        if isinstance(target, ast.Name)
        else target.attr
        if isinstance(target, ast.Attribute)
        else ""
    )


# `from X` or `import X, Y` where a statement can start: at a line's start (after spaces, tabs, form
# feeds), after `;`, or after the `:` of a one-line compound statement (`if c: import x`). The text has
# its continuation lines joined and its line breaks made `\n` first (`_logical_text`).
_IMPORT_WORDS = re.compile(r"(?:^|[;:])[ \t\f]*(?:from\s+(\.|\w+)|import\s+([^#\n;]+))", re.MULTILINE)
_CONTINUATION = re.compile(r"\\(?:\r\n|\r|\n)")


def _logical_text(text: str) -> str:
    """The text as the parser reads its lines: backslash continuations joined, `\r\n` and a lone `\r`
    read as `\n`."""
    if "\\" in text:
        text = _CONTINUATION.sub(" ", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _top_name(part: str) -> str:
    """The first name of a dotted module name as the parser reads it (NFKC: `ｐｋｇ` is `pkg`)."""
    words = part.strip().lstrip("(").split(".", 1)[0].split()
    name = words[0] if words else ""
    return name if name.isascii() else unicodedata.normalize("NFKC", name)


def _may_use_repository(text: str, tops: set[str], change: FileChange) -> bool:
    """A cheap look before parsing: only imports of repository modules, or reads of an attribute of a
    method's first argument (`self.x`) in a class, can lead to a finding. Parsing every added file of a
    large change costs seconds otherwise. The look errs only towards parsing."""
    # The keywords are ASCII (the parser reads only identifiers in NFKC form): a text without the
    # word imports nothing.
    matches = _IMPORT_WORDS.finditer(_logical_text(text)) if "import" in text else ()
    for m in matches:
        if m.group(1) is not None:
            if m.group(1) == "." or _top_name(m.group(1)) in tops:
                return True
        elif any(_top_name(part) in tops for part in m.group(2).split(",")):
            return True
    return any("self." in line.text for line in change.added_lines())


def _may_read_own_attributes(text: str) -> bool:
    """Whether a method's read of its first argument's attribute (`self.x`, `this .x`, `(self` and
    `.x` on two lines, `ｓｅｌｆ.x`) can lie on an added line: only a text with a class has methods."""
    return "class" in text


# A chain longer than this is checked the long way (its line first, then its names): the quick look
# below walks it for every attribute node of it.
_QUICK_CHAIN = 32


def _may_name(
    node: ast.Attribute, modules: dict[str, str], classes: dict[str, list[tuple[str, str]]]
) -> bool:
    """False when the chain `node` ends in is certainly not from an imported repository name: then
    neither its lines nor its names need a look."""
    value = node.value
    for _ in range(_QUICK_CHAIN):
        if value.__class__ is not ast.Attribute:
            break
        value = value.value  # type: ignore[attr-defined]
    else:
        return True
    return value.__class__ is ast.Name and (value.id in modules or value.id in classes)  # type: ignore[attr-defined]


_DEFINITIONS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})


def _reads_and_bindings(tree: ast.Module, local: Set[str]) -> tuple[list[ast.AST], set[str]]:
    """One walk of every node, in `nodes`' order, for the attribute pass: the reads of an attribute
    that may hang off a name in `local` (off a name of it, or off another attribute: `_may_name` decides
    those) and the classes, in walk order; and every name assigned, deleted, taken as a parameter or
    defined anywhere (an alias that is rebound is no longer the module). The walk visits each node of
    the file, so it does the three jobs of what were three passes in one loop."""
    reads: list[ast.AST] = []
    bound: set[str] = set()
    order: list[ast.AST] = [tree]
    keep, add, push = reads.append, bound.add, order.append
    fields = _FIELDS
    node_type, name_type, attribute, load = ast.AST, ast.Name, ast.Attribute, ast.Load
    arg_type, constant, class_def, definitions = ast.arg, ast.Constant, ast.ClassDef, _DEFINITIONS
    for node in order:  # grows while it is read: breadth first
        kind = node.__class__
        if kind is name_type:
            if node.ctx.__class__ is not load:  # type: ignore[attr-defined]
                add(node.id)  # type: ignore[attr-defined]  # Store or Del
            continue  # a name holds no node
        if kind is constant:
            continue
        if kind is attribute:
            if node.ctx.__class__ is load:  # type: ignore[attr-defined]
                value = node.value  # type: ignore[attr-defined]
                if value.__class__ is attribute or (value.__class__ is name_type and value.id in local):
                    keep(node)
        elif kind is arg_type:
            add(node.arg)  # type: ignore[attr-defined]
        elif kind in definitions:
            add(node.name)  # type: ignore[attr-defined]
            if kind is class_def:
                keep(node)
        names = fields.get(kind)
        if names is None:
            names = fields[kind] = child_fields(kind)
        for field in names:
            value = getattr(node, field, None)
            if value.__class__ is list:
                for item in value:  # type: ignore[union-attr]
                    if isinstance(item, node_type):
                        push(item)
            elif isinstance(value, node_type):
                push(value)
    return reads, bound
