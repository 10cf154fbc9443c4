"""Long runs of token characters, found for a whole text at once, and the patterns that can only match
inside one.

A random key is a long token: the candidate pass looks for runs of at least `MIN_RUN` token characters
(letters, digits, `_+/=-`). A regex for such runs tries a run at each of its positions and costs more
than every other pass of the candidate pass together; marking each token character and finding
`MIN_RUN` marks in a row with `bytes.find` skips from run to run instead.

Most key formats are made of token characters only and are at least `MIN_RUN` long, so each of their
matches lies inside such a run. Searched in the runs alone (joined, a tenth of a change's text), such a
format finds exactly what it finds in the whole text: `within_runs` reads a pattern's syntax tree and
answers yes only when that holds.
"""

from __future__ import annotations

import re

# The syntax tree's parser and node names: both part of CPython's `re` package since 3.11.
import re._constants as sre  # type: ignore[import-not-found]
import string
from typing import Any

from gate.redact.prefilter import parse_pattern

TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + "_+/=-")
MIN_RUN = 20
# The same runs as this pattern's matches (tests/security/test_token_runs.py checks it).
LONG_RUN = re.compile(r"[A-Za-z0-9_+/=-]{20,}")

# Each byte that is an ASCII token character to `a`, every other byte to a space.
_MARK = bytes(ord("a") if chr(code) in TOKEN_CHARS else ord(" ") for code in range(256))
_MARKED_RUN = b"a" * MIN_RUN


def long_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of every run of at least `MIN_RUN` token characters, in order: the spans of
    `LONG_RUN.finditer(text)`."""
    # One byte a character, so a byte's offset is its character's: ASCII is itself, Latin-1 its own
    # byte (never a token character), and `replace` writes one `?` for each other character (a lone
    # surrogate too). Marking bytes costs a table look-up each, a tenth of `str.translate`'s.
    marked = text.encode("latin-1", "replace").translate(_MARK)
    runs: list[tuple[int, int]] = []
    at = marked.find(_MARKED_RUN)
    while at != -1:
        end = marked.find(b" ", at + MIN_RUN)
        if end == -1:
            end = len(marked)
        runs.append((at, end))
        at = marked.find(_MARKED_RUN, end)
    return runs


def within_runs(pattern: re.Pattern[str]) -> bool:
    """Whether every match of `pattern` is at least `MIN_RUN` token characters long and made of them
    only, and the pattern reads nothing around a match but through token characters (a look-ahead such
    as `(?![A-Za-z0-9])`). Such a pattern, searched in each run of token characters on its own (runs
    joined by line breaks), finds the same matches as in the whole text: no match crosses a run's edge,
    and past the edge the whole text has a character that is not a token character, or nothing, where
    the joined runs have a line break, or nothing; nothing in the pattern tells those apart. Anchors,
    case-insensitive matching and categories (`\\d` takes any script's digits) are never read as that."""
    parsed = parse_pattern(pattern, re.IGNORECASE | re.VERBOSE)
    return parsed is not None and parsed.getwidth()[0] >= MIN_RUN and _token_chars_only(list(parsed))


def _token_chars_only(items: list[tuple[Any, Any]]) -> bool:
    for op, av in items:
        if op is sre.LITERAL:
            if chr(av) not in TOKEN_CHARS:
                return False
        elif op is sre.IN:
            if not _class_of_token_chars(av):
                return False
        elif op is sre.BRANCH:
            if not all(_token_chars_only(list(branch)) for branch in av[1]):
                return False
        elif op is sre.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags or del_flags or not _token_chars_only(list(sub)):
                return False
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)):
            if not _token_chars_only(list(av[2])):
                return False
        elif op is getattr(sre, "ATOMIC_GROUP", None):
            if not _token_chars_only(list(av)):
                return False
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            _direction, sub = av
            if not _token_chars_only(list(sub)):
                return False
        else:  # an anchor, any character, a category, a group reference: not known to hold
            return False
    return True


def _class_of_token_chars(items: list[tuple[Any, Any]], ascii_text: bool = False) -> bool:
    """Whether the class matches token characters only; with `ascii_text`, in ASCII text, where `\\d`
    is `[0-9]` and `\\w` is `[A-Za-z0-9_]`."""
    for op, av in items:
        if op is sre.LITERAL:
            if chr(av) not in TOKEN_CHARS:
                return False
        elif op is sre.RANGE:
            low, high = av
            if not all(chr(code) in TOKEN_CHARS for code in range(low, high + 1)):
                return False
        elif op is sre.CATEGORY and ascii_text and av in _ASCII_TOKEN_CATEGORIES:
            continue
        else:  # a negation or a category
            return False
    return True


_ASCII_TOKEN_CATEGORIES = (sre.CATEGORY_DIGIT, sre.CATEGORY_WORD)


def needs_long_run(pattern: re.Pattern[str], *, ascii_text: bool) -> bool:
    """Whether every match of `pattern` holds `MIN_RUN` token characters in a row, so lies on a line
    that holds a long run. With `ascii_text` (the pattern is searched in ASCII text only) `\\d` and
    `\\w` count as the token characters they then are; otherwise they take any script's digits and
    letters. Case-insensitive patterns are never read as that (the Kelvin sign matches `k`)."""
    parsed = parse_pattern(pattern, re.IGNORECASE)
    return parsed is not None and _longest_token_stretch(list(parsed), ascii_text) >= MIN_RUN


def _longest_token_stretch(items: list[tuple[Any, Any]], ascii_text: bool) -> int:
    """The most token characters every match of the sequence holds in a row, as far as its items
    tell: an item not made of token characters only (an assertion too) ends a stretch."""
    longest = stretch = 0
    for item in items:
        width = _token_width(item, ascii_text)
        if width is None:
            stretch = 0
        else:
            stretch += width
            longest = max(longest, stretch)
    return longest


def _token_width(item: tuple[Any, Any], ascii_text: bool) -> int | None:
    """The fewest characters the item matches, when each is a token character; None when not known."""
    op, av = item
    if op is sre.LITERAL:
        return 1 if chr(av) in TOKEN_CHARS else None
    if op is sre.IN:
        return 1 if _class_of_token_chars(av, ascii_text) else None
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)):
        low, _high, sub = av
        width = _sequence_width(list(sub), ascii_text)
        return None if width is None else int(low) * width
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return None if add_flags or del_flags else _sequence_width(list(sub), ascii_text)
    return None


def _sequence_width(items: list[tuple[Any, Any]], ascii_text: bool) -> int | None:
    """The fewest characters a sequence matches, when each item is made of token characters only."""
    total = 0
    for item in items:
        width = _token_width(item, ascii_text)
        if width is None:
            return None
        total += width
    return total
