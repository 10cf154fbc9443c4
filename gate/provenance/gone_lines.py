"""The AI lines the commits of a range removed, for the lines a person wrote elsewhere to pair with.

A person who deletes AI code and writes it back lightly edited, in the same commit or another, before
or after, in its file or another (a move that leaves a shim behind, a file split in two), writes no
line in place of the AI lines: edits.py pairs what is written in place, and hands here what is left on
both sides.

Every AI line a commit removed that no line of its run edits in place is held here (`GoneLines`), in
the order the commits removed them, as many times as AI commits wrote its text at most: removing the
same line again (a merge read against each of its parents) adds none. Each run of lines a person wrote
and paired with no AI line in place is walked over them in order (`walk`): a line pairs with the first
held line from where the walk stands that it repeats (formatting aside, as carry.py reads it), or that
it lightly edits among the next PAIR_WINDOW held lines, or further on with one whose code it keeps but
for a comment, or one of the next FORM_CANDIDATES whose form it keeps (names renamed, a number changed)
that it lightly edits, the names the run renames throughout aside (renames.py, learnt from its lines
beside the held lines of their form: a module moved with several identifiers renamed is too unlike its
AI self for git to call the move a rename). The walk goes on past each line paired. An edit counts only
beside another edit, or a distinctive line repeated, at most PAIR_WINDOW lines away in the run and among
the held lines: code moved with light edits keeps its lines together, while among thousands of AI lines
gone some line is always close to a person's own `if x is None:`. A distinctive line repeated that the
carry left to a person, having no repeated line beside it (carry.py), pairs beside an edit, while the
AI commits wrote its text more times than their lines at head hold it. A held line vouches for one
edit.
The rules a line pairs by are pairing.py's, shared with the lines edited in place (edits.py).

Cost: each line walked costs at most PAIR_WINDOW + FORM_CANDIDATES comparisons, most of them told apart
by length and form alone (`may_be_edited`), and a few look-ups; the held lines that paired are skipped
over in near-constant time (`_Free`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, partial

from gate.provenance.formatting import unformatted
from gate.provenance.light_edits import MIN_COMPARED_CHARS, MIN_KEPT_WORDS, form, shape, squeezed
from gate.provenance.pairing import PAIR_WINDOW, first_edited, form_pairs
from gate.provenance.renames import learn_renames

_WORDS = re.compile(r"\w+")
# How many held lines of its form further on a line is compared with, when none near it pairs.
FORM_CANDIDATES = 2


@dataclass
class _Free:
    """Positions in ascending order, and which of them are not yet paired: `first(i)` is the first
    unpaired index from i on, found in near-constant time (a union-find where a paired index leads on
    to the next)."""

    positions: list[int] = field(default_factory=list)
    _next: list[int] = field(default_factory=list)

    def add(self, position: int) -> int:
        self.positions.append(position)
        self._next.append(len(self._next))
        return len(self._next) - 1

    def first(self, i: int) -> int:
        nxt = self._next
        end = len(nxt)
        while i < end and (j := nxt[i]) != i:
            if j < end:
                nxt[i] = nxt[j]  # halve the path for the next look-up
            i = j
        return i

    def take(self, i: int) -> None:
        self._next[i] = i + 1

    def after(self, at: int, limit: int) -> list[int]:
        """The first `limit` unpaired positions from `at` on, in order."""
        out: list[int] = []
        i = self.first(bisect_left(self.positions, at))
        while i < len(self.positions) and len(out) < limit:
            out.append(self.positions[i])
            i = self.first(i + 1)
        return out


@dataclass
class GoneLines:
    """The AI lines removed, each held as the AI line (commit, text as it wrote it) it is."""

    # How many times each AI commit wrote each text, whitespace aside: (commit, text) -> count.
    times_written: Counter[tuple[str, str]] = field(default_factory=Counter)
    # How many times fewer than the AI commits added each text, formatting aside, AI commits hold it at
    # head, the carry's given back included: a line repeating a line gone vouches for no more.
    not_held: Counter[str] = field(default_factory=Counter)
    _ai_lines: list[tuple[str, str]] = field(default_factory=list)
    # Each one's comment marker, and its code's length whitespace aside and form (`may_be_edited`).
    _measures: list[tuple[str | None, tuple[int, str]]] = field(default_factory=list)
    _held: Counter[tuple[str, str]] = field(default_factory=Counter)  # unpaired, by (commit, text)
    _all: _Free = field(default_factory=_Free)
    # Each removed line's text, its AI line's code and its AI line's form, formatting aside
    # (`unformatted`, as the carry reads a line) -> where.
    _by_text: dict[str, _Free] = field(default_factory=dict)
    _by_code: dict[str, _Free] = field(default_factory=dict)
    _by_form: dict[str, _Free] = field(default_factory=dict)
    # For each position, where it stands in each of the three look-ups, to mark it paired there too.
    _slots: list[tuple[tuple[_Free, int], ...]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self._all.first(0) < len(self._ai_lines)

    def add(self, text: str, ai_line: tuple[str, str], marker: str | None) -> None:
        """Hold a removed line (`text`) that is the AI line `ai_line`, unless the AI line is held as many
        times as AI commits wrote it."""
        identity = (ai_line[0], squeezed(ai_line[1]))
        if self._held[identity] >= self.times_written[identity]:
            return
        self._held[identity] += 1
        position = len(self._ai_lines)
        self._ai_lines.append(ai_line)
        self._all.add(position)
        code_text, code = shape(ai_line[1], marker)
        ai_form = form(ai_line[1], marker)
        self._measures.append((marker, (len(code), ai_form)))
        keys = (
            (self._by_text, unformatted(text)),
            (self._by_code, unformatted(code_text)),
            (self._by_form, unformatted(ai_form)),
        )
        slots = []
        for lookup, key in keys:
            if key:
                free = lookup.setdefault(key, _Free())
                slots.append((free, free.add(position)))
        self._slots.append(tuple(slots))

    def walk(
        self, written: list[str], marker: str | None, wanted: list[bool]
    ) -> list[tuple[int, tuple[str, str]]]:
        """Pair the lines of a run, in order, with held AI lines: (index in `written`, the AI line) for
        each `wanted` line that lightly edits one beside another pair, which is then no longer held
        (the lines not wanted keep their place in the run). The walk starts a little before where the
        first line that repeats a held one stands, less the lines before it: where the run was taken
        from, when it repeats some of it."""
        keys = [unformatted(text) for text in written]
        at = 0
        for n, key in enumerate(keys):
            if (found := self._same(self._by_text, key, 0)) is not None:
                at = max(0, found - n - PAIR_WINDOW)
                break
        renames = cache(partial(self._renames, written, marker, at))
        pairs: list[tuple[int, int, bool]] = []  # (index in `written`, position, an edit)
        vouches: list[bool] = []  # whether each pair vouches for its neighbours
        for n, (text, key) in enumerate(zip(written, keys, strict=True)):
            if (found := self._same(self._by_text, key, at)) is not None:
                edit = unformatted(self._ai_lines[found][1]) != key
                vouches.append(edit or _distinctive(text, key))
            elif (found := first_edited(self, text, at, marker, renames)) is not None:
                edit = True
                vouches.append(True)
            else:
                continue
            pairs.append((n, found, edit))
            at = found + 1
        out = []
        for i, (n, position, edit) in enumerate(pairs):
            if not wanted[n]:
                continue
            near = [
                j
                for j in (i - 1, i + 1)
                if 0 <= j < len(pairs)
                and abs(pairs[j][0] - n) <= PAIR_WINDOW
                and abs(pairs[j][1] - position) <= PAIR_WINDOW
            ]
            # A distinctive line repeated is left to a person by the carry when no other is beside it
            # (carry.py); beside an edit it is a line moved with the lines edited around it, while the
            # AI commits wrote it more times than their lines and the carry's hold it.
            if edit:
                paired = any(vouches[j] for j in near)
            else:
                paired = vouches[i] and self.not_held[keys[n]] > 0 and any(pairs[j][2] for j in near)
                self.not_held[keys[n]] -= paired
            if paired:
                self._take(position)
                out.append((n, self._ai_lines[position]))
        return out

    def take_code(self, code: str) -> tuple[str, str] | None:
        """The first held AI line whose code, formatting aside, is `code`, no longer held."""
        if (found := self._same(self._by_code, code, 0)) is None:
            return None
        self._take(found)
        return self._ai_lines[found]

    def _same(self, lookup: dict[str, _Free], key: str, at: int) -> int | None:
        free = lookup.get(key) if key else None
        if free is None:
            return None
        found = free.after(at, 1)
        return found[0] if found else None

    def _renames(self, written: list[str], marker: str | None, at: int) -> dict[str, str]:
        """The names the run renames throughout (renames.py), learnt from each of its lines beside the
        first of the next PAIR_WINDOW held lines from `at` on that has the line's form."""
        pairs = form_pairs(written, marker, self, at)
        return learn_renames(pairs, marker) if pairs else {}

    # The held lines as pairing.py reads them (`AiLines`): positions in the order the lines went.

    def after(self, at: int, limit: int) -> list[int]:
        return self._all.after(at, limit)

    def text(self, position: int) -> str:
        return self._ai_lines[position][1]

    def measure(self, position: int) -> tuple[str | None, tuple[int, str]]:
        return self._measures[position]

    def same_code(self, text: str, marker: str | None, at: int) -> int | None:
        """Code compared formatting aside, as the text is: a line moved is often reformatted too."""
        return self._same(self._by_code, unformatted(shape(text, marker)[0]), at)

    def same_form(self, text_form: str, at: int) -> list[int]:
        """The next FORM_CANDIDATES held lines of the form: code moved with names renamed (the run's
        renames may be too few to learn) is found further on than the window, where a neighbour
        vouches for it (`walk`)."""
        free = self._by_form.get(unformatted(text_form))
        return free.after(at, FORM_CANDIDATES) if free is not None else []

    def _take(self, position: int) -> None:
        ai_line = self._ai_lines[position]
        self._held[(ai_line[0], squeezed(ai_line[1]))] -= 1
        self._all.take(position)
        for free, i in self._slots[position]:
            free.take(i)


def _distinctive(text: str, key: str) -> bool:
    """A line few would write alike by chance: MIN_COMPARED_CHARS characters besides whitespace and
    MIN_KEPT_WORDS words."""
    return len(key) >= MIN_COMPARED_CHARS and len(_WORDS.findall(text)) >= MIN_KEPT_WORDS
