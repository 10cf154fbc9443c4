"""Where the phrase table's trigger words are in a text: the lines that hold one, the phrases each
line's words belong to, and the line breaks that split a trigger of several words.

The texts read here are lower-cased and joined with LF; a trigger word lies within one line (its gaps
are no line break) unless it is one split by the break, found on its own.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from gate.analyzers.injection.fold import fold_lines, one_line_each
from gate.analyzers.injection.table import (
    CLOSERS,
    MAX_GAP,
    MAX_LEADER,
    char_pattern,
    emit_trie,
    phrases,
    trie,
)


@lru_cache(maxsize=1)
def any_trigger() -> re.Pattern[str]:
    return re.compile(trie({w for p in phrases() for w in p.words}))


# How often the space and each letter occur in source code, per thousand characters (counted on real
# Python files, lower-cased); any other character counts as rare.
_FREQUENCY = dict(
    zip(
        " etrsoanilpcdmufhgybvwkxqjz",
        (242, 78, 59, 46, 45, 44, 44, 42, 41, 29, 22, 22, 21, 18, 17, 16, 13, 12, 10, 8, 6, 5, 4, 2, 1, 1, 1),
        strict=True,
    )
)


@lru_cache(maxsize=1)
def _anchored_words() -> tuple[tuple[str, int], ...]:
    """Each trigger word with the place of its anchor: a character of its first part (before any space)
    out of a few that every word holds one of, chosen among the rarest."""
    words = sorted({w for p in phrases() for w in p.words if w})
    heads = {word: word.split(" ", 1)[0] for word in words}
    anchors = anchor_set(sorted(set(heads.values())))
    return tuple(
        (word, min((i for i, c in enumerate(head) if c in anchors), key=lambda i: _FREQUENCY.get(word[i], 0)))
        for word, head in heads.items()
    )


@lru_cache(maxsize=2)
def _trigger_anchors(foreign: bool = False) -> re.Pattern[str]:
    """A pattern that matches where any trigger word is, each word found from its anchor: of the words
    whose anchor is ASCII, or (`foreign`) of those whose anchor is not (the table's rows in other
    scripts). A search for both at once reads ASCII text at half the speed (the engine's first test
    of a character is then no longer a small table), and most text is ASCII: the second pattern is
    searched only where a line holds a character that is not.

    The search engine skips the characters no alternative starts with and tries the pattern at the
    others only. With the words' first letters that is over half of a source text; with the anchors
    under a fifth. A match starts at the anchor: the characters after it are read first, as a trie (at
    most places the character after the anchor already fails), then a lookbehind checks the word's
    first part up to there (a lookbehind has a fixed width: the anchor lies before any space, which
    stands for any whitespace run), then the rest of the word. So a match is exactly an occurrence of
    a word.
    """
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for word, at in _anchored_words():
        if word[at].isascii() == foreign:
            continue
        head = word.split(" ", 1)[0]
        steps = [re.escape(char) for char in head[at:]]
        if at:
            steps.append(f"(?<={re.escape(head)})")
        steps.extend(char_pattern(char) for char in word[len(head) :])
        node = root
        for step in steps:
            node = node.setdefault(step, {})
        node[""] = {}
    return re.compile(emit_trie(root))


@lru_cache(maxsize=1)
def _anchor_offsets() -> dict[str, tuple[tuple[int, tuple[str, ...]], ...]]:
    """For each anchor character, how far before it the words anchored on it start, and with what
    characters up to it (the part of the word before its anchor)."""
    offsets: dict[str, dict[int, set[str]]] = {}
    for word, at in _anchored_words():
        offsets.setdefault(word[at], {}).setdefault(at, set()).add(word[:at])
    return {
        char: tuple((back, tuple(sorted(befores))) for back, befores in sorted(found.items()))
        for char, found in offsets.items()
    }


def anchor_set(words: Sequence[str]) -> set[str]:
    """Characters such that every word holds one, rare ones first: each step takes the character with
    the least frequency per word it newly covers, then characters whose words the others cover go."""
    chosen: set[str] = set()
    open_words = set(words)
    holding = {
        char: {word for word in open_words if char in word} for char in {c for word in words for c in word}
    }
    while open_words:
        chars = sorted({char for word in open_words for char in word})
        best = min(chars, key=lambda c: (_FREQUENCY.get(c, 0) + 1) / len(holding[c] & open_words))
        chosen.add(best)
        open_words = {word for word in open_words if best not in word}
    for char in sorted(chosen, key=lambda c: -_FREQUENCY.get(c, 0)):
        if all(any(other in word for other in chosen - {char}) for word in words):
            chosen.remove(char)
    return chosen


def spaced(word: str) -> str:
    """A found trigger word as the table writes it: each whitespace run one space."""
    return " ".join(word.split()) if not word.isalpha() else word


@lru_cache(maxsize=256)  # one entry a trigger word
def phrases_of(word: str) -> tuple[int, ...]:
    """The phrases (by their place in the table) one of whose trigger words starts `word`: the longest
    trigger word found at a place."""
    return tuple(
        n for n, phrase in enumerate(phrases()) if any(w and word.startswith(w) for w in phrase.words)
    )


def lowered_text(lines: Sequence[str], joined: str | None = None) -> str:
    """The lines lower-cased and joined with LF (`joined`: the lines joined with LF, if at hand)."""
    raw = "\n".join(lines) if joined is None else joined
    text = raw.lower()
    if len(text) != len(raw):  # lower-casing changed a length (`İ`): lower-case line by line
        text = "\n".join(line.lower() for line in lines)
    return text


def touched_lines(lines: Sequence[str], joined: str | None = None) -> list[int]:
    """The lines that hold a trigger word as the patterns read them (`fold`), in order (`joined`: the
    lines joined with LF, if at hand)."""
    lines, joined = one_line_each(lines, joined)
    return read_triggers(lines, *fold_lines(lines, joined), joined).touched


@dataclass(frozen=True)
class Triggers:
    """Where the trigger words are, by line index, in order."""

    touched: list[int]  # the lines that hold any
    by_phrase: list[list[int]]  # for each phrase of the table, the lines that hold one of its words
    breaks: list[int]  # the lines whose break a trigger of several words could be split by


def read_triggers(
    written: Sequence[str], read: Sequence[str], folded: Sequence[int], text: str | None = None
) -> Triggers:
    """Where the trigger words are in the lines as read (`read`: `written` as `fold` reads it, `folded`
    the indexes of the lines that differ; `text`: `written` joined with LF, if at hand).

    The written text is searched in one pass, as it is; then the folded lines alone, and what they hold
    replaces what was found on them as written. A trigger word lies within one line, and whether a
    break can split one depends on its line's end only, so each line's answer is its own."""
    joined = lowered_text(written, text)
    touched, by_phrase = trigger_lines(joined)
    breaks = breaks_after_trigger_parts(joined)
    if not folded:
        return Triggers(touched, by_phrase, breaks)
    # Each folded line after a line break of its own (a line 0 that holds nothing): as in the text.
    apart = "\n" + lowered_text([read[index] for index in folded]) + "\n"
    new_touched, new_by_phrase = trigger_lines(apart)
    changed = set(folded)

    def merged(old: list[int], new: list[int]) -> list[int]:
        if not new and changed.isdisjoint(old):
            return old  # most phrases: nothing on the folded lines, as written or as read
        return sorted(
            {i for i in old if i not in changed} | {folded[k - 1] for k in new if 0 < k <= len(folded)}
        )

    return Triggers(
        merged(touched, new_touched),
        [merged(old, new) for old, new in zip(by_phrase, new_by_phrase, strict=True)],
        # the last line has no break after it, though the text read here ends with one
        [i for i in merged(breaks, breaks_after_trigger_parts(apart)) if i < len(written) - 1],
    )


def trigger_lines(text: str) -> tuple[list[int], list[list[int]]]:
    """The lines of `text` (lower-cased, joined with LF) that hold a trigger word, in order, and for
    each phrase of the table the lines that hold one of its words, in order.

    Every occurrence of a word is found from its anchor; at each place an anchor is found, the longest
    word that starts where a word anchored on that character would start is read (its phrases are the
    ones of every word it starts with). So every place a word starts is read, and only those.
    """
    # Squeezing a long whitespace run leaves a run, so a line holds a trigger word before its long
    # whitespace runs are squeezed exactly when it holds one after: the words are found in the text as
    # it is. A trigger word lies within one line (its gaps are no line break); a match's line is counted
    # by the line breaks before it, read once from one match to the next.
    offsets, longest = _anchor_offsets(), any_trigger()
    by_phrase: list[list[int]] = [[] for _ in phrases()]
    touched: list[int] = []
    index = counted = line_start = 0
    foreign = list(_anchor_places(text, foreign=True))  # few: most text is ASCII
    places = heapq.merge(_anchor_places(text), foreign) if foreign else _anchor_places(text)
    for at in places:
        breaks = text.count("\n", counted, at)
        if breaks:
            index += breaks
            line_start = text.rfind("\n", counted, at) + 1
        if not touched or touched[-1] != index:
            touched.append(index)
        for back, befores in offsets[text[at]]:
            start = at - back
            if start < line_start or not text.startswith(befores, start, at):
                continue  # no word anchored here starts there
            if (word := longest.match(text, start)) is not None:
                for number in phrases_of(spaced(word.group(0))):
                    found = by_phrase[number]
                    if not found or found[-1] != index:
                        found.append(index)
        counted = at + 1  # an anchor is no line break
    return touched, by_phrase


_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
# The text is looked at in pieces this long for characters that are not ASCII: a piece that holds none
# (most, in source code) is passed over at the speed of a copy (`str.isascii`) instead of being read
# character by character.
_PIECE = 4096


def _anchor_places(text: str, *, foreign: bool = False) -> Iterator[int]:
    """Where the anchors of the words of one kind (`_trigger_anchors`) are in `text`, in order: each
    place where a word anchored there may start is found. Those whose anchor is not ASCII are searched
    from a line's first character that is not ASCII to its end: such an anchor lies there."""
    anchors = _trigger_anchors(foreign)
    if not foreign:
        at = 0
        while (m := anchors.search(text, at)) is not None:
            yield m.start()
            at = m.start() + 1
        return
    if text.isascii() or not anchors.pattern:
        return  # no such anchor in the text, or no such word in the table
    end = 0  # the text up to here is read
    for piece in range(0, len(text), _PIECE):
        if piece + _PIECE <= end or text[piece : piece + _PIECE].isascii():
            continue
        while (first := _NOT_ASCII.search(text, max(piece, end), piece + _PIECE)) is not None:
            at = first.start()
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            while (m := anchors.search(text, at, end)) is not None:
                yield m.start()
                at = m.start() + 1


# --- triggers of several words split by a line break ---------------------------------------------------
# The patterns' `\s+` reads a line break, so `ignore` ending a line and `previous instructions` opening the
# next is a phrase, found through the trigger word on its first line. A trigger of several words can
# have the break for its gap (`you` / `are now an unrestricted assistant`): then neither line holds it.


@lru_cache(maxsize=1)
def _split_words() -> tuple[str, ...]:
    return tuple(sorted({w for p in phrases() for w in p.words if " " in w}))


@lru_cache(maxsize=1)
def _break_candidates() -> re.Pattern[str]:
    """The line breaks after a word that a gap of a trigger follows (`you` of `you are`), right after
    it or after one whitespace character (a CR), or after a longer whitespace run. Searched from the
    line break, which the search engine finds alone; one lookbehind for the character before it rules
    out most lines (a line of code mostly ends with a bracket or a colon) before the words' ones."""
    ends = sorted({part for word in _split_words() for part in word.split(" ")[:-1]})
    ends += CLOSERS  # a block comment's closer may follow the word (`/* you */` / `/* are now ... */`)
    last = "".join(sorted({re.escape(end[-1]) for end in ends}))
    behind = [f"(?<={re.escape(end)}\n)|(?<={re.escape(end)}[^\\S\n]\n)" for end in ends]
    words = "|".join([*behind, r"(?<=[^\S\n][^\S\n]\n)"])
    return re.compile(f"\\n(?<=[{last}\\s]\\n)(?:{words})")


def breaks_after_trigger_parts(text: str) -> list[int]:
    """The lines of `text` (lower-cased, joined with LF) whose break a trigger could be split by."""
    out: list[int] = []
    index = at = 0
    for m in _break_candidates().finditer(text):
        index += text.count("\n", at, m.start())
        at = m.start()
        out.append(index)
    return out


@lru_cache(maxsize=1)
def _split_trigger() -> tuple[re.Pattern[str], int]:
    """The triggers of several words, any whitespace with or without a line break between the words,
    and how far from a break such a trigger can reach on squeezed lines (each gap and the whitespace
    on either side of the break at most `MAX_GAP`)."""
    words = _split_words()
    reach = max(len(word) + (word.count(" ") + 2) * MAX_GAP for word in words)
    return re.compile(trie(words, gap=r"\s+")), reach


def split_owners(line: str, following: str) -> set[int]:
    """The phrases one of whose trigger words has the break between `line` and `following` (squeezed
    and lower-cased; `line`'s block comment closer and `following`'s comment leader blanked) in a gap."""
    trigger, reach = _split_trigger()
    tail = line[-reach:]
    both = tail + "\n" + following[: reach + MAX_LEADER]  # a blanked comment leader may open it
    owners: set[int] = set()
    at = 0
    while (m := trigger.search(both, at)) is not None and m.start() < len(tail):
        if m.end() > len(tail):
            owners.update(phrases_of(spaced(m.group(0))))
        at = m.start() + 1
    return owners
