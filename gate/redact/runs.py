"""Long runs of token characters, found for a whole text at once, and the patterns that can only match
inside one.

A random key is a long token: the candidate pass looks for runs of at least `MIN_RUN` token characters
(letters, digits, `_+/=-`). A regex for such runs tries a run at each of its positions and costs more
than every other pass of the candidate pass together; marking each token character and finding
`MIN_RUN` marks in a row with `str.find` skips from run to run instead.

Most key formats are made of token characters only and are at least `MIN_RUN` long, so each of their
matches lies inside such a run. Searched in the runs alone (joined, a tenth of a change's text), such a
format finds exactly what it finds in the whole text: `within_runs` reads a pattern's syntax tree and
answers yes only when that holds.
"""

from __future__ import annotations

import re

# The syntax tree's parser and node names: both part of CPython's `re` package since 3.11.
import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
import string
from typing import Any

TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + "_+/=-")
MIN_RUN = 20
# The same runs as this pattern's matches (tests/security/test_token_runs.py checks it).
LONG_RUN = re.compile(r"[A-Za-z0-9_+/=-]{20,}")

# Each ASCII token character to `a`, every other ASCII character to a space; a character outside ASCII
# stays itself, which is never `a`.
_MARK = str.maketrans({chr(code): ("a" if chr(code) in TOKEN_CHARS else " ") for code in range(128)})
_MARKED_RUN = "a" * MIN_RUN
_UNMARKED = re.compile("[^a]")


def long_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of every run of at least `MIN_RUN` token characters, in order: the spans of
    `LONG_RUN.finditer(text)`."""
    marked = text.translate(_MARK)
    runs: list[tuple[int, int]] = []
    at = marked.find(_MARKED_RUN)
    while at != -1:
        after = _UNMARKED.search(marked, at + MIN_RUN)
        end = after.start() if after is not None else len(marked)
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
    if not isinstance(pattern.pattern, str):
        return False
    try:
        parsed: Any = sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # a construct of a newer Python: nothing is known
        return False
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return False
    return parsed.getwidth()[0] >= MIN_RUN and _token_chars_only(list(parsed))


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


def _class_of_token_chars(items: list[tuple[Any, Any]]) -> bool:
    for op, av in items:
        if op is sre.LITERAL:
            if chr(av) not in TOKEN_CHARS:
                return False
        elif op is sre.RANGE:
            low, high = av
            if not all(chr(code) in TOKEN_CHARS for code in range(low, high + 1)):
                return False
        else:  # a negation or a category
            return False
    return True
