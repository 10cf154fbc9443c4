"""Which added lines only change whitespace, for the share of code (`gate.provenance.code_lines`).

An added line is whitespace-only when it takes the place of a removed line that is the same but for
its leading and trailing whitespace: a re-indent, tabs for spaces, trailing blanks trimmed. In place
only: between the same two context lines that are not blank, in order, one removed line for one added
line, so a line moved after another (an owner check put after the transfer it guarded) is a new line.
Whitespace inside a line is code: `"/cache"` and `"/ cache"` are different strings.

Blank lines are neither: adding or removing them (two blank lines between functions become one between
methods) does not stop the lines around them from pairing, though git's diff then keeps the blank lines
as context and lines up each removed function with a different added one. So the removed and added
lines between two context lines that are not blank are aligned whole, by their stripped texts, in
order (`_aligned`), not run by run as git printed them.

Where indentation is syntax (Python, YAML, Makefiles), a re-indent can move a statement out of the
block that guarded it. There a re-indented line is whitespace-only only if it keeps its place in the
nesting: the line it is nested under is the same line on both sides, new or removed block headers
aside, so that wrapping a block in a class or taking one out of it stays whitespace.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from itertools import pairwise
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
    """The changed lines between each two context lines that are not blank, blank lines aside: their
    added lines paired in order with removed lines that are the same but for leading and trailing
    whitespace."""
    removed: list[DiffLine] = []
    added: list[DiffLine] = []
    for line in (*hunk.lines, None):
        if line is not None and not line.text.strip():
            continue
        if line is None or line.kind is LineKind.CONTEXT:
            yield from _aligned(removed, added)
            removed, added = [], []
        elif line.kind is LineKind.REMOVED:
            removed.append(line)
        else:
            added.append(line)


def _aligned(removed: Sequence[DiffLine], added: Sequence[DiffLine]) -> Iterator[Pair]:
    if not removed or not added:
        return
    old = [line.text.strip() for line in removed]
    new = [line.text.strip() for line in added]
    for at, to in sorted(_common(old, new)):
        yield removed[at], added[to]


def _common(old: Sequence[str], new: Sequence[str]) -> list[tuple[int, int]]:
    """A long common subsequence of two lists of texts, as (old index, new index) pairs, in time near
    linear in their length whatever they hold.

    Patience alignment: the texts found once on each side that keep their order (the longest increasing
    run of their places) pair first and split what is left into stretches, each aligned the same way,
    so a repeated line (`return result`) pairs within its own block. A small stretch is aligned exactly
    (`_exact`), its earliest lines first. The rounds share a budget of lines read in proportion to the
    input; a stretch left when it is spent, or with no text found once on each side, pairs the texts the
    same at its two ends, then the rest greedily in order (`_in_order`)."""
    out: list[tuple[int, int]] = []
    budget = _BUDGET_PER_LINE * (len(old) + len(new)) + _BUDGET_FLOOR
    stretches = [(0, len(old), 0, len(new))]
    while stretches:
        lo, hi, new_lo, new_hi = stretches.pop()
        if lo == hi or new_lo == new_hi:
            continue
        if (hi - lo) * (new_hi - new_lo) <= _EXACT_CELLS:
            out.extend(_exact(old, new, lo, hi, new_lo, new_hi))
            continue
        budget -= (hi - lo) + (new_hi - new_lo)
        anchors = _anchors(old, new, lo, hi, new_lo, new_hi) if budget >= 0 else []
        if anchors:
            out.extend(anchors)
            ends = [(lo - 1, new_lo - 1), *anchors, (hi, new_hi)]
            for (at, to), (next_at, next_to) in pairwise(ends):
                stretches.append((at + 1, next_at, to + 1, next_to))
            continue
        while lo < hi and new_lo < new_hi and old[lo] == new[new_lo]:
            out.append((lo, new_lo))
            lo, new_lo = lo + 1, new_lo + 1
        while lo < hi and new_lo < new_hi and old[hi - 1] == new[new_hi - 1]:
            hi, new_hi = hi - 1, new_hi - 1
            out.append((hi, new_hi))
        out.extend((lo + at, new_lo + to) for at, to in _in_order(old[lo:hi], new[new_lo:new_hi]))
    return out


# Patience rounds may read each line this many times over, plus a floor for small inputs; past that, the
# rest pairs greedily, so a crafted hunk costs linear time.
_BUDGET_PER_LINE = 8
_BUDGET_FLOOR = 10_000
# The largest stretch (removed lines times added lines) aligned exactly.
_EXACT_CELLS = 4_096


def _anchors(
    old: Sequence[str], new: Sequence[str], lo: int, hi: int, new_lo: int, new_hi: int
) -> list[tuple[int, int]]:
    """The texts found once in each side of a stretch, paired, keeping the most of them in order."""
    seen: dict[str, list[int]] = {}  # text: [count in old, its old index, count in new, its new index]
    for at in range(lo, hi):
        entry = seen.setdefault(old[at], [0, at, 0, -1])
        entry[0] += 1
    for to in range(new_lo, new_hi):
        found = seen.get(new[to])
        if found is not None:
            found[2] += 1
            found[3] = to
    once = sorted((at, to) for count, at, new_count, to in seen.values() if count == 1 == new_count)
    # The longest run increasing on the new side: patience sorting, each pile's top and its back link.
    tops: list[int] = []  # the new index on top of each pile
    top_at: list[int] = []  # the place in `once` of that top
    back: list[int] = []  # for each place in `once`, the place on top of the pile before it
    for place, (_, to) in enumerate(once):
        pile = bisect_left(tops, to)
        back.append(top_at[pile - 1] if pile else -1)
        if pile == len(tops):
            tops.append(to)
            top_at.append(place)
        else:
            tops[pile] = to
            top_at[pile] = place
    run: list[tuple[int, int]] = []
    place = top_at[-1] if top_at else -1
    while place >= 0:
        run.append(once[place])
        place = back[place]
    return run[::-1]


def _exact(
    old: Sequence[str], new: Sequence[str], lo: int, hi: int, new_lo: int, new_hi: int
) -> list[tuple[int, int]]:
    """A longest common subsequence of a small stretch, by the table of its suffixes."""
    rows, cols = hi - lo, new_hi - new_lo
    longest = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            if old[lo + i] == new[new_lo + j]:
                longest[i][j] = longest[i + 1][j + 1] + 1
            else:
                longest[i][j] = max(longest[i + 1][j], longest[i][j + 1])
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < rows and j < cols:
        if old[lo + i] == new[new_lo + j]:
            out.append((lo + i, new_lo + j))
            i, j = i + 1, j + 1
        elif longest[i + 1][j] >= longest[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


def _in_order(old: Sequence[str], new: Sequence[str]) -> Iterator[tuple[int, int]]:
    """Each new text paired with the next old line of that text not yet passed."""
    where: dict[str, list[int]] = {}  # each old text at its places in order
    for at, text in enumerate(old):
        where.setdefault(text, []).append(at)
    start = 0
    for to, text in enumerate(new):
        places = where.get(text)
        if places is None:
            continue
        at = bisect_left(places, start)
        if at < len(places):
            yield places[at], to
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
