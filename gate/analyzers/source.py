"""The read side every analyzer shares: the files of a change at base and head, within size limits.

Huge or binary files are skipped with a note (the stage puts the notes in its details) rather than
parsed; without a RevisionReader (patch-only input) only what the diff shows is available, and the
analyzers say so.
"""

from __future__ import annotations

import ast
import bisect
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import accumulate
from typing import Any

from gate import syntax
from gate.analyzers.limits import LONG_NAME, Unreadable, shorten_dotted_names
from gate.context.file_kinds import BYTE_ORDER_MARK, is_python_change
from gate.context.links import LINK_SKIPPED, is_link
from gate.context.model import TOO_LARGE, ChangeSet
from gate.diff.model import DiffLine, FileChange, FileStatus, LineKind

# Files larger than this are not analysed: generated bundles and data dumps, not code someone wrote.
MAX_FILE_BYTES = 1_000_000

NO_REVISIONS_NOTE = "no base/head revisions (patch input): analysed the lines the diff shows only"
# What a stage names as skipped when the list of files at head was not given (`why_unlisted`).
HEAD_LISTING = "the list of files at head"
# Why a changed Python file was not analysed though its head was read whole (`ChangeView.parses`).
GATE_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
NOT_PARSED = f"does not parse as Python {GATE_PYTHON}"
LFS_POINTER = "a Git LFS pointer, not the file's content"
# How a Git LFS pointer file opens (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md).
_LFS_POINTER_START = "version https://git-lfs.github.com/spec/"


def part_bounds(sizes: Sequence[int], index: int, count: int) -> tuple[int, int]:
    """Where part `index` of `count` starts and ends in a list of files of these sizes (added lines):
    consecutive runs of the files, each about as large, a file whole in one part. A file belongs to
    the part its first line falls in; a file of no lines counts as one."""
    weights = [max(size, 1) for size in sizes]
    total = sum(weights)
    starts = [at * count // total for at in accumulate(weights, initial=0)][:-1] if total else []
    return bisect.bisect_left(starts, index), bisect.bisect_left(starts, index + 1)


@dataclass(frozen=True, slots=True)
class AddedLine:
    path: str
    line_no: int
    text: str


class ChangeView:
    """One analyzer's read access to a change: caches file reads and records the files it skipped."""

    def __init__(self, changeset: ChangeSet) -> None:
        self.changeset = changeset
        self.notes: list[str] = []
        self._texts: dict[tuple[str, str], str | None] = {}
        self._paths: tuple[str, ...] | None = None
        self._skipped: set[str] = set()
        self._readable: dict[str, bool] = {}
        self._python: dict[str, bool] = {}

    @property
    def has_revisions(self) -> bool:
        return self.changeset.revisions is not None

    def _skip(self, path: str, why: str) -> None:
        if path not in self._skipped:
            self._skipped.add(path)
            self.notes.append(f"{path}: skipped ({why})")

    def readable(self, change: FileChange) -> bool:
        """False (with a note) for a binary file or one whose added text alone is over the size limit."""
        known = self._readable.get(change.path)
        if known is None:
            known = self._readable[change.path] = self._check_readable(change)
        return known

    def _check_readable(self, change: FileChange) -> bool:
        if change.is_binary:
            self._skip(change.path, "binary file")
            return False
        if is_link(change):
            # Its one line is the path it points to, not code: the file there is read in its own right.
            self._skip(change.path, LINK_SKIPPED)
            return False
        size = change.added_size
        if size > MAX_FILE_BYTES:
            self._skip(change.path, f"{size:,} bytes added, over the {MAX_FILE_BYTES:,} byte limit")
            return False
        return True

    def changes(
        self, wanted: Callable[[FileChange], bool] | None = None, *, any_size: bool = False
    ) -> Iterator[FileChange]:
        """The changed files worth reading (binary and huge ones skipped, with a note). `wanted`: the
        files the stage reads, asked first, so that only a file the stage meant to read and could not is
        noted as skipped (the verdict is not a pass while one is). `any_size`: for the stages that read
        added lines one by one in linear time (secrets, injection-text), which read a file of any size:
        a megabyte of padding must not hide a token or a phrase from them."""
        for change in self.changeset.diff.files:
            if (wanted is None or wanted(change)) and self._wanted(change, any_size):
                yield change

    def ignored_changes(self, *, any_size: bool = False) -> Iterator[FileChange]:
        """The files paths.ignore left out, worth reading: for the stages that still look at them."""
        for change in self.changeset.diff.ignored_files:
            if self._wanted(change, any_size):
                yield change

    def _wanted(self, change: FileChange, any_size: bool) -> bool:
        if not any_size:
            return self.readable(change)
        if change.is_binary:
            self._skip(change.path, "binary file")
            return False
        return True

    def parses(self, change: FileChange, text: str) -> bool:
        """Whether the head text of a changed Python file parses. When it does not, the file is noted
        skipped: Python newer than the gate's interpreter, or a Git LFS pointer committed in place of the
        module, runs or is fetched where it is deployed, and no analyzer read its imports or names as
        Python; no verdict is a pass while it is so. Source past the parser's bounds parses here: the
        stages that read it report it as a file they could not analyse."""
        try:
            parsed = parse_python(text) is not None
        except Unreadable:
            return True
        if not parsed:
            self._skip(change.path, LFS_POINTER if text.startswith(_LFS_POINTER_START) else NOT_PARSED)
        return parsed

    def is_python(self, change: FileChange) -> bool:
        """Whether the changed file is Python (`gate.context.file_kinds`): a script's first line is read
        from the diff, else from the head revision when the run has it. A head its source could not give
        is noted skipped, with why: a script not known to be Python is not one known not to be."""
        known = self._python.get(change.path)
        if known is None:
            reader = self.changeset.revisions
            read_head = partial(self._read, "head") if reader is not None else None
            known = self._python[change.path] = is_python_change(change, reader, read_head)
        return known

    def added_lines(self, change: FileChange) -> Iterator[AddedLine]:
        path = change.path
        for line in change.added:
            yield AddedLine(path, line.new_no or 0, as_read(line.new_no, line.text))

    def text(self, revision: str, path: str) -> str | None:
        """The file at "base" or "head", or None when it is absent, unreadable, binary or too large.
        Without the byte-order mark that may open it (`BYTE_ORDER_MARK`)."""
        key = (revision, path)
        if key in self._texts:
            return self._texts[key]
        text: str | None = None
        reader = self.changeset.revisions
        change = self.changeset.diff.by_path.get(path)
        if change is not None and is_link(change):
            self._skip(path, LINK_SKIPPED)
        elif change is not None and change.status is FileStatus.ADDED and not change.is_binary:
            # A file the change adds is whole in the diff: no need to ask git for it.
            text = self._from_diff(path, new_side=revision == "head")
        elif reader is not None:
            text = self._read(revision, path)
        elif revision == "head":
            text = self._from_diff(path, new_side=True)
        else:
            text = self._from_diff(path, new_side=False)
        if text is not None and len(text) > MAX_FILE_BYTES:
            self._skip(path, TOO_LARGE)
            text = None
        elif text is not None and "\x00" in text:
            self._skip(path, "binary file")
            text = None
        elif text is not None:
            text = text.removeprefix(BYTE_ORDER_MARK)
        self._texts[key] = text
        return text

    def _read(self, revision: str, path: str) -> str | None:
        """The file as the revisions give it, whatever its size; a file there but not given is noted
        skipped, with why (`RevisionReader.why_unread`): what the stage needed of it is unknown."""
        reader = self.changeset.revisions
        if reader is None:
            return None
        text = reader.read(revision, path)
        if text is None and (why := reader.why_unread(revision, path)) is not None:
            self._skip(path, why)
        return text

    def _from_diff(self, path: str, *, new_side: bool) -> str | None:
        """A whole file from the diff alone: only possible when the diff adds (or deletes) all of it."""
        change = self.changeset.diff.by_path.get(path)
        if change is None:
            return None
        if new_side and change.status is FileStatus.ADDED:
            # One join of the lines, not a new string per line: this runs for every file a change adds.
            lines = [line.text for line in change.added]
            return "\n".join(lines) + "\n" if lines else ""
        if not new_side and change.status is FileStatus.DELETED:
            return "".join(line.text + "\n" for h in change.hunks for line in h.removed)
        return None

    def head_paths(self) -> tuple[str, ...]:
        """Every file at head: from the revisions when known, else the paths the diff names. A listing the
        revisions could not give is noted skipped, with why: the stage's use of it is not a pass."""
        if self._paths is None:
            reader = self.changeset.revisions
            if reader is not None:
                self._paths = tuple(reader.list_files("head"))
                if (why := reader.why_unlisted("head")) is not None:
                    self._skip(HEAD_LISTING, why)  # no file found is not no file there
            else:
                self._paths = tuple(
                    f.path for f in self.changeset.diff.files if f.status is not FileStatus.DELETED
                )
        return self._paths

    def is_whole_file(self, change: FileChange) -> bool:
        """True when the head text is known in full (from revisions, or a file the diff adds)."""
        return self.has_revisions or change.status is FileStatus.ADDED


def as_read(line_no: int | None, text: str) -> str:
    """A line of a file as Python, pip and Node read it: the first without its byte-order mark."""
    return text.removeprefix(BYTE_ORDER_MARK) if line_no == 1 else text


def parse_python(text: str) -> ast.Module | None:
    """The module's syntax tree, or None when it is not valid Python. Callers must not modify the tree.

    Raises Unreadable for source that is valid but past the parser's bounds (nested too deeply, or of
    a shape the parser takes more than linear time over): that file could not be analysed.
    """
    text, shortened = shorten_dotted_names(text)
    tree = _UNPARSED[text] if text in _UNPARSED else _parse(text)
    if not isinstance(tree, ast.Module):
        _UNPARSED[text] = tree
        if tree is _TOO_DEEP:
            raise Unreadable("nested too deeply to parse")
        return None
    if shortened and any(_imports_long_name(node) for node in nodes(tree)):
        # Which module it imports is the whole point of an import: this one cannot be known.
        raise Unreadable("an import of a dotted name of more than 200 parts")
    return tree


def _imports_long_name(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(LONG_NAME in alias.name for alias in node.names)
    return isinstance(node, ast.ImportFrom) and LONG_NAME in (node.module or "")


def name_chain(node: ast.expr) -> list[str] | None:
    """`a.b.c` as its names (`["a", "b", "c"]`), or None for anything but a chain of names. A loop, not
    recursion: a chain of attributes can be thousands long."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def clear_parse_cache() -> None:
    """Forget the parsed trees: when a run ends (`gate.app`), and before a benchmark's cold start."""
    _parse.cache_clear()
    _UNPARSED.clear()


_TOO_DEEP = ast.Pass()
_NESTING_LIMITS = ("too many nested", "too many statically nested", "too complex")


PARSED_TREES_CACHED = 32

# The texts of a run that do not parse, all of them (they cost no tree to keep): each stage reads the
# same files, and a text cut off mid-statement costs the parser two passes (the second one to word
# its error) every time it is parsed. Emptied when a run ends.
_UNPARSED: dict[str, ast.Pass | None] = {}


@lru_cache(maxsize=PARSED_TREES_CACHED)
def _parse(text: str) -> ast.Module | ast.Pass | None:
    """The tree, None for a syntax error, `_TOO_DEEP` when the parser gave up on nesting.

    Cached for the files analyzers read one after another (a module and the modules it imports). The
    cache is small on purpose: syntax trees are large, and every tree kept alive is memory and
    garbage-collector work for the rest of the run. So on a change of more than 32 Python files the
    dependencies stage parses each file again after phantom-symbols; 256 entries saved ~40 ms on 84
    files but made the 200k-line offline run ~5% slower. Emptied when a run ends."""
    try:
        return syntax.parse_module(text)
    except SyntaxError as exc:
        # The tokenizer's and parser's nesting limits surface as syntax errors of valid-looking code.
        return _TOO_DEEP if any(limit in str(exc.msg) for limit in _NESTING_LIMITS) else None
    except ValueError:
        return None
    except (RecursionError, MemoryError):  # the parser's own depth and stack limits
        return _TOO_DEEP


_LEAF_FIELDS = frozenset({"ctx", "op"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def child_fields(cls: type[ast.AST]) -> tuple[str, ...]:
    """The fields of a node class that may hold child nodes (cached per class): for a walk of its own."""
    names = _CHILD_FIELDS.get(cls)
    return names if names is not None else _child_fields(cls)


# Fields the grammar types as identifiers, numbers or constants, never nodes: a walk need not read them
# (half the nodes of a file are names and constants, whose only fields these are). By field name, with
# the classes whose field of that name holds nodes after all (`type X = ...` names a Name, Python 3.12+).
_PLAIN_FIELDS = frozenset(
    {
        "id",
        "attr",
        "arg",
        "module",
        "level",
        "is_async",
        "conversion",
        "kind",
        "type_comment",
        "simple",
        "tag",
    }
)
_PLAIN_NAME_FIELDS: dict[str, frozenset[str]] = {
    "name": frozenset({"TypeAlias"}),
    "names": frozenset({"Import", "ImportFrom"}),
}
_CONSTANT_VALUE = frozenset({"Constant", "MatchSingleton"})


def _holds_nodes(cls: type[ast.AST], field: str) -> bool:
    if field in _LEAF_FIELDS or field in _PLAIN_FIELDS:
        return False
    if field in _PLAIN_NAME_FIELDS:
        return cls.__name__ in _PLAIN_NAME_FIELDS[field]
    return not (field == "value" and cls.__name__ in _CONSTANT_VALUE)


def _child_fields(cls: type[ast.AST]) -> tuple[str, ...]:
    """The fields of a node class that may hold child nodes (cached per class)."""
    names = _CHILD_FIELDS.get(cls)
    if names is None:
        names = _CHILD_FIELDS[cls] = tuple(f for f in cls._fields if _holds_nodes(cls, f))
    return names


def nodes(root: ast.AST) -> list[ast.AST]:
    """Every node under `root` (itself included) in `ast.walk`'s breadth-first order, without the
    expression-context and operator singletons (Load, Store, Add, ...), which no check looks at."""
    return _breadth_first(root, ast.AST)


_BLOCK = (ast.stmt, ast.excepthandler, ast.match_case)


def statements(root: ast.AST) -> list[ast.AST]:
    """The statements under `root` (itself included), with the `except` and `case` clauses that hold
    them, in the order `nodes` lists them, without walking a single expression: statements only ever
    sit in other statements and those clauses, so leaving the rest out keeps `ast.walk`'s order."""
    out: list[ast.AST] = [root]
    append = out.append
    block = _BLOCK
    for node in out:  # grows while it is read: breadth first
        for name in _block_fields(node.__class__):
            value: Any = getattr(node, name, None)
            if value.__class__ is list:  # `Expression.body` is one expression
                for item in value:
                    if isinstance(item, block):
                        append(item)
    return out


# The fields the grammar gives a statement, an `except` clause or a `case` to hold statements or those
# clauses; the others hold expressions only, which the statement walk need not read.
_BLOCK_FIELD_NAMES = ("body", "handlers", "orelse", "finalbody", "cases")
_BLOCK_FIELDS: dict[type, tuple[str, ...]] = {}


def _block_fields(cls: type[ast.AST]) -> tuple[str, ...]:
    names = _BLOCK_FIELDS.get(cls)
    if names is None:
        names = _BLOCK_FIELDS[cls] = tuple(
            f for f in cls._fields if f in _BLOCK_FIELD_NAMES and issubclass(cls, (*_BLOCK, ast.mod))
        )
    return names


def _breadth_first(root: ast.AST, keep: type[ast.AST] | tuple[type[ast.AST], ...]) -> list[ast.AST]:
    """The nodes of the `keep` types under `root` (itself included), breadth first, as one loop filling
    a list: `ast.walk`'s nested generators cost more than the checks made on the nodes."""
    out: list[ast.AST] = [root]
    append = out.append
    fields = _CHILD_FIELDS
    i = 0
    while i < len(out):
        node = out[i]
        i += 1
        # (A name's or a constant's fields are held as the empty tuple: compared with None, not falsy.)
        names = fields.get(node.__class__)
        if names is None:
            names = _child_fields(node.__class__)
        for name in names:
            value: Any = getattr(node, name, None)  # an AST node, a list of them, or a leaf
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, keep):
                        append(item)
            elif isinstance(value, keep):
                append(value)
    return out


def children(node: ast.AST) -> list[ast.AST]:
    """The node's direct children in `ast.iter_child_nodes` order (without context/operator singletons)."""
    out: list[ast.AST] = []
    for name in _child_fields(node.__class__):
        value: object = getattr(node, name, None)
        if isinstance(value, list):
            out.extend(item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST):
            out.append(value)
    return out


def removed_and_added(change: FileChange) -> Iterator[tuple[list[DiffLine], list[DiffLine]]]:
    """Each run of consecutive changed lines in a hunk as (removed, added): a replaced block."""
    for hunk in change.hunks:
        removed: list[DiffLine] = []
        added: list[DiffLine] = []
        for line in hunk.lines:
            if line.kind is LineKind.CONTEXT:
                if removed or added:
                    yield removed, added
                removed, added = [], []
            elif line.kind is LineKind.REMOVED:
                removed.append(line)
            else:
                added.append(line)
        if removed or added:
            yield removed, added
