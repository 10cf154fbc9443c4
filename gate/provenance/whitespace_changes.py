"""Which added lines only change whitespace, for the share of code (`gate.provenance.code_lines`).

An added line is whitespace-only when it takes the place of a removed line that is the same but for
its leading and trailing whitespace: a re-indent, tabs for spaces, trailing blanks trimmed. In place
only: within one run of changed lines between context lines, in order, one removed line for one added
line, so a line moved after another (an owner check put after the transfer it guarded) is a new line.
Whitespace inside a line is code: `"/cache"` and `"/ cache"` are different strings.

Where indentation is syntax (Python, YAML, Makefiles), a re-indent can move a statement out of the
block that guarded it. There a re-indented line is whitespace-only only if it keeps its place in the
nesting: the line it is nested under is the same line on both sides, new or removed block headers
aside, so that wrapping a block in a class or taking one out of it stays whitespace.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from pathlib import PurePosixPath

from gate.context.file_kinds import is_python_change
from gate.context.model import RevisionReader
from gate.diff.model import DiffLine, FileChange, Hunk, LineKind

# Formats whose meaning changes with indentation, besides Python (told by `gate.context.file_kinds`).
INDENTED_SUFFIXES = frozenset({".yml", ".yaml", ".mk", ".coffee", ".pug", ".jade", ".haml", ".sass", ".styl"})
INDENTED_NAMES = frozenset({"makefile", "gnumakefile"})
# Tabs as Python counts them: to the next multiple of eight columns.
_TAB_SIZE = 8

Pair = tuple[DiffLine, DiffLine]  # a removed line and the added line that takes its place
# Where a line sits in the nesting: the line it is nested under, named by its old number; or, when
# that line is above the hunk, whether the line is deeper than, level with or shallower than the hunk's
# first line.
Parent = tuple[str, int]


def whitespace_only(change: FileChange, revisions: RevisionReader | None) -> frozenset[int]:
    """The added lines (new-side numbers) that only change the whitespace of the lines they replace."""
    if not change.removed_count:  # a file only added to replaces no line
        return frozenset()
    out: list[int] = []
    indented: bool | None = None  # read once a hunk has a pair
    for hunk in change.hunks:
        pairs = list(_pairs_in_place(hunk))
        if not pairs:
            continue
        if indented is None:
            indented = indentation_matters(change, revisions)
        if indented:
            pairs = _keeping_their_nesting(hunk, pairs)
        out.extend(added.new_no for _, added in pairs if added.new_no is not None)
    return frozenset(out)


def indentation_matters(change: FileChange, revisions: RevisionReader | None) -> bool:
    name = PurePosixPath(change.path).name.lower()
    if name in INDENTED_NAMES or PurePosixPath(name).suffix in INDENTED_SUFFIXES:
        return True
    return is_python_change(change, revisions)


def _pairs_in_place(hunk: Hunk) -> Iterator[Pair]:
    """Each run of changed lines between context lines, its added lines paired in order with the next
    removed line that is the same but for leading and trailing whitespace."""
    removed: list[DiffLine] = []
    added: list[DiffLine] = []
    for line in (*hunk.lines, None):
        if line is None or line.kind is LineKind.CONTEXT:
            yield from _in_order(removed, added)
            removed, added = [], []
        elif line.kind is LineKind.REMOVED:
            removed.append(line)
        else:
            added.append(line)


def _in_order(removed: Sequence[DiffLine], added: Sequence[DiffLine]) -> Iterator[Pair]:
    if not removed or not added:
        return
    where: dict[str, list[int]] = {}  # each removed text, stripped, at its places in order
    for at, line in enumerate(removed):
        where.setdefault(line.text.strip(), []).append(at)
    start = 0
    for line in added:
        places = where.get(line.text.strip())
        if places is None:
            continue
        at = bisect_left(places, start)  # the next removed line of that text not yet passed
        if at < len(places):
            yield removed[places[at]], line
            start = places[at] + 1


def _keeping_their_nesting(hunk: Hunk, pairs: list[Pair]) -> list[Pair]:
    """The pairs whose added line is nested under the same line as the removed one."""
    # The lines on both sides, by one name: a context line's old number, a pair's removed line's.
    shared = {id(line): line.old_no for line in hunk.lines if line.kind is LineKind.CONTEXT}
    shared.update({id(line): removed.old_no for removed, added in pairs for line in (removed, added)})
    old_side = [line for line in hunk.lines if line.kind is not LineKind.ADDED]
    new_side = [line for line in hunk.lines if line.kind is not LineKind.REMOVED]
    old_parents = _parents(old_side, shared)
    new_parents = _parents(new_side, shared)
    return [pair for pair in pairs if old_parents.get(id(pair[0])) == new_parents.get(id(pair[1]))]


def _parents(side: Sequence[DiffLine], shared: Mapping[int, int | None]) -> dict[int, Parent]:
    """Each line's parent on one side of the hunk: the nearest line above it that is less indented and
    is on both sides; a block header only one side has (a block wrapped in a class, or taken out of
    one) is passed over for its own parent."""
    out: dict[int, Parent] = {}
    first = next((_indent(line.text) for line in side if line.text.strip()), 0)
    above: list[tuple[int, DiffLine]] = []  # the lines above, each less indented than the next
    for line in side:
        if not line.text.strip():
            continue
        indent = _indent(line.text)
        while above and above[-1][0] >= indent:
            above.pop()
        if not above:
            out[id(line)] = ("above", (indent > first) - (indent < first))
        elif id(header := above[-1][1]) in shared:
            out[id(line)] = ("line", shared[id(header)] or 0)
        else:
            out[id(line)] = out[id(header)]
        above.append((indent, line))
    return out


def _indent(text: str) -> int:
    return len(text.expandtabs(_TAB_SIZE)) - len(text.expandtabs(_TAB_SIZE).lstrip())
