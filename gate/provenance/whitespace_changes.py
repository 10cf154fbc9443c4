"""Which added lines only change whitespace, for the share of code (`gate.provenance.code_lines`).

An added line is whitespace-only when it takes the place of a removed line that is the same but for
its leading and trailing whitespace: a re-indent, tabs for spaces, trailing blanks trimmed. In place
only: the hunk's two sides are aligned in order by their stripped texts (`_aligned`), one old line for
one new line, so a line moved after another (an owner check put after the transfer it guarded) is a
new line. Whitespace inside a line is code: `"/cache"` and `"/ cache"` are different strings.

The alignment is the hunk's own, not git's run by run, and blank lines are kept out of it: two blank
lines between functions become one between methods, git keeps the blank lines as context and lines up
each removed function with a different added one, yet the re-indented lines still pair. A blank line
still takes the place of a blank line (its trailing blanks trimmed, or re-indented with its block): the
hunk's added blank lines, in order, as many as it removes, are whitespace-only. Context lines are aligned
like the others; one the alignment leaves out (the transfer the check was moved after, a separator that
is new) is a new line the diff does not count, so one pair counts in its place, the line that moved
across it if there is one (`_counted_back`).

Where indentation is syntax (Python, YAML, Makefiles), a re-indent can move a statement out of the
block that guarded it. There a re-indented line is whitespace-only only if it keeps its place in the
nesting: the line it is nested under is the same line on both sides, new or removed block headers
aside, so that wrapping a block in a class or taking one out of it stays whitespace.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from itertools import islice, pairwise
from pathlib import PurePosixPath

from gate.context.file_kinds import is_python_change
from gate.context.model import RevisionReader
from gate.diff.model import DiffLine, FileChange, Hunk, LineKind

# Formats whose meaning changes with indentation, besides Python (told by `gate.context.file_kinds`).
INDENTED_SUFFIXES = frozenset({".yml", ".yaml", ".mk", ".coffee", ".pug", ".jade", ".haml", ".sass", ".styl"})
INDENTED_NAMES = frozenset({"makefile", "gnumakefile"})
# Indented formats where a line starting with `#` is syntax (an element's or a selector's id), not a
# comment.
_HASH_IS_SYNTAX = frozenset({".pug", ".jade", ".haml", ".sass", ".styl"})
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
        if next(hunk.removed, None) is None:  # a hunk that only adds lines replaces none either
            continue
        out.extend(_blank_lines_in_place(hunk))
        matches = _aligned(hunk)
        if not any(added.kind is LineKind.ADDED for _, added in matches):
            continue
        if indented is None:
            indented = indentation_matters(change, revisions)
        if indented:
            matches = _keeping_their_nesting(hunk, matches, _hash_comments(change.path))
        out.extend(added.new_no for _, added in _counted_back(hunk, matches) if added.new_no is not None)
    return frozenset(out)


def indentation_matters(change: FileChange, revisions: RevisionReader | None) -> bool:
    name = PurePosixPath(change.path).name.lower()
    if name in INDENTED_NAMES or PurePosixPath(name).suffix in INDENTED_SUFFIXES:
        return True
    return is_python_change(change, revisions)


def _blank_lines_in_place(hunk: Hunk) -> list[int]:
    """The hunk's added blank lines, in order, up to the number of blank lines it removes: each takes
    the place of a removed one, so a blank line re-indented or trimmed of its trailing blanks is no code."""
    removed = sum(1 for line in hunk.removed if not line.text.strip())
    if not removed:
        return []
    blanks = (line.new_no for line in hunk.added if not line.text.strip() and line.new_no is not None)
    return list(islice(blanks, removed))


def _aligned(hunk: Hunk) -> list[Pair]:
    """The hunk's two sides, blank lines aside, aligned in order by their texts without leading and
    trailing whitespace: each line on the new side with the line on the old side it stands for."""
    old_side = [line for line in hunk.lines if line.kind is not LineKind.ADDED and line.text.strip()]
    new_side = [line for line in hunk.lines if line.kind is not LineKind.REMOVED and line.text.strip()]
    if not old_side or not new_side:
        return []
    old = [line.text.strip() for line in old_side]
    new = [line.text.strip() for line in new_side]
    return [(old_side[at], new_side[to]) for at, to in sorted(_common(old, new))]


def _counted_back(hunk: Hunk, matches: list[Pair]) -> list[Pair]:
    """The added lines of the alignment, less one for each context line it leaves unexplained.

    Git's context lines are not trusted as fixed points: kept at the margin but shifted (a separator
    put before each method where it was after each function), they would split the re-indented lines
    from the lines they replace. But a context line the alignment does not match (the transfer an owner
    check was moved after, or a separator that is new) is a line the alignment calls new, which the
    diff does not count. So a pair counts in its place: the one whose old line is that context line;
    else one that crossed it, before it on one side and after it on the other, the nearest to it on the
    old side (the check that stood just before the transfer); else the next pair after it, else the
    last before it. Both sides of the alignment are in order, so each of these is found by a bisection
    and a pointer that only moves one way."""
    pairs = [pair for pair in matches if pair[1].kind is LineKind.ADDED]
    explained = {id(added) for _, added in matches}
    unexplained = [
        line
        for line in hunk.lines
        if line.kind is LineKind.CONTEXT and line.text.strip() and id(line) not in explained
    ]
    if not unexplained or not pairs:
        return pairs
    olds = [old.old_no or 0 for old, _ in pairs]
    news = [added.new_no or 0 for _, added in pairs]
    of_old = {id(old): place for place, (old, _) in enumerate(pairs)}
    counted = [False] * len(pairs)
    before: list[int] = []  # the pairs still set aside whose old line is above the context line's
    pushed = 0  # the next pair to push on `before`
    below = 0  # the first pair still set aside that could be below the context line's old line
    after = 0  # the first pair still set aside that could be after the context line's new line
    last = len(pairs) - 1  # the last pair still set aside, for a line after them all
    for line in unexplained:
        old_no, new_no = line.old_no or 0, line.new_no or 0
        place = of_old.get(id(line), -1)
        if place < 0 or counted[place]:
            place = -1
            while pushed < bisect_left(olds, old_no):
                before.append(pushed)
                pushed += 1
            while before and counted[before[-1]]:
                before.pop()
            below = max(below, bisect_right(olds, old_no))
            while below < len(pairs) and counted[below]:
                below += 1
            if before and news[before[-1]] > new_no:  # above it on the old side, below it on the new
                place = before[-1]
            elif below < len(pairs) and news[below] < new_no:  # below it on the old side, above on the new
                place = below
        if place < 0:
            after = max(after, bisect_left(news, new_no))
            while after < len(pairs) and counted[after]:
                after += 1
            while last >= 0 and counted[last]:
                last -= 1
            place = after if after < len(pairs) else last
        if place < 0:
            break
        counted[place] = True
    return [pair for place, pair in enumerate(pairs) if not counted[place]]


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
    """A longest common subsequence of a small stretch, by the table of its suffixes. The texts the
    stretch opens with alike on both sides pair first whatever the table says, so the table is built
    for what follows them only."""
    out: list[tuple[int, int]] = []
    while lo < hi and new_lo < new_hi and old[lo] == new[new_lo]:
        out.append((lo, new_lo))
        lo, new_lo = lo + 1, new_lo + 1
    a, b = old[lo:hi], new[new_lo:new_hi]
    rows, cols = len(a), len(b)
    if not rows or not cols:
        return out
    longest = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        text, row, below = a[i], longest[i], longest[i + 1]
        for j in range(cols - 1, -1, -1):
            if text == b[j]:
                row[j] = below[j + 1] + 1
            else:
                down, right = below[j], row[j + 1]
                row[j] = down if down >= right else right
    i = j = 0
    while i < rows and j < cols:
        if a[i] == b[j]:
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


def _hash_comments(path: str) -> bool:
    """Whether a line starting with `#` is a comment, which nests nothing under it."""
    return PurePosixPath(path).suffix.lower() not in _HASH_IS_SYNTAX


def _keeping_their_nesting(hunk: Hunk, matches: list[Pair], hash_comments: bool) -> list[Pair]:
    """The matches whose new line is nested under the same line as the old one. A comment line is
    passed over where `#` starts a comment: Python and YAML read no nesting from it, so a separator
    left at the margin inside a class does not end the class."""
    # The lines on both sides, by one name: the old number of the old line of their match.
    shared = {id(line): old.old_no for old, new in matches for line in (old, new)}
    old_side = [line for line in hunk.lines if line.kind is not LineKind.ADDED]
    new_side = [line for line in hunk.lines if line.kind is not LineKind.REMOVED]
    if hash_comments:
        old_side = [line for line in old_side if not line.text.lstrip().startswith("#")]
        new_side = [line for line in new_side if not line.text.lstrip().startswith("#")]
    old_parents = _parents(old_side, shared)
    new_parents = _parents(new_side, shared)
    return [pair for pair in matches if old_parents.get(id(pair[0])) == new_parents.get(id(pair[1]))]


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
