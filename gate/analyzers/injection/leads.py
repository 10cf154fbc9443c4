"""What every match of a phrase's pattern opens with, read from the parsed pattern: one of its trigger
words (`leads_with_trigger`), or one of a few texts (`opening_texts`).

A phrase broken over two lines is tried on a window whose first line holds none of its trigger words.
When each match opens with a trigger word, a match that starts on the first line has that word there,
whole (then the line holds it and is tried for it anyway) or cut by the line break (a trigger of several
words split by the break, tried on its own): the window for a trigger word on the second line only can
find nothing, and is not tried. When each match opens with one of a few texts, none holding a line
break, a window whose first line holds none of them is not tried either. The reading is conservative:
anything it does not follow (a character class, a lookaround, an optional part, a case-insensitive
flag) counts as "not known", which keeps the window.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from re import _constants as sre
from typing import Any

from gate.redact.prefilter import parse_pattern

# The token for a whitespace run: a trigger's space, and the `\s+` of a pattern.
_RUN = " "
# How many alternatives the reading follows before it gives up (and keeps the window).
_MAX_PATHS = 256


@dataclass(frozen=True)
class Opening:
    """What every match of a phrase's pattern opens with."""

    trigger_word: bool  # one of the phrase's trigger words
    texts: tuple[str, ...]  # one of these texts (empty: not known)


@lru_cache(maxsize=64)  # one entry a phrase; read when a phrase is first tried on a broken window
def opening(pattern: re.Pattern[str], words: tuple[str, ...]) -> Opening:
    return Opening(leads_with_trigger(pattern, words), opening_texts(pattern))


@lru_cache(maxsize=64)
def _parsed(pattern: re.Pattern[str]) -> list[Any] | None:
    """The parsed pattern, or None when it cannot be read or its flags change what a literal matches."""
    parsed = parse_pattern(pattern, re.IGNORECASE | re.VERBOSE)
    return None if parsed is None else list(parsed)


def leads_with_trigger(pattern: re.Pattern[str], words: Sequence[str]) -> bool:
    """True when every match of `pattern` starts with one of `words` (each space any whitespace run)."""
    steps = [tuple(_RUN if char == " " else char for char in word) for word in words if word]
    if not steps or (items := _parsed(pattern)) is None:
        return False
    return _leads(items, (), steps, [_MAX_PATHS])


def _leads(items: list[Any], read: tuple[str, ...], words: list[tuple[str, ...]], budget: list[int]) -> bool:
    """Every way of matching `items` after `read` (the tokens matched so far) opens with a word."""
    if any(read[: len(word)] == word for word in words):
        return True
    if not items or len(read) >= max(map(len, words)):
        return False
    op, arg = items[0]
    rest = items[1:]
    if op is sre.AT:  # zero width (`\b`, `^`): the match opens with what follows
        return _leads(rest, read, words, budget)
    if op is sre.LITERAL:
        return _leads(rest, (*read, chr(arg)), words, budget)
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, sub = arg
        return not add_flags & sre.SRE_FLAG_IGNORECASE and _leads([*sub, *rest], read, words, budget)
    if op is sre.BRANCH:
        budget[0] -= len(arg[1])
        return budget[0] > 0 and all(_leads([*alt, *rest], read, words, budget) for alt in arg[1])
    if op is sre.IN and all(kind is sre.LITERAL for kind, _ in arg):  # a set of characters
        budget[0] -= len(arg)
        return budget[0] > 0 and all(_leads(rest, (*read, chr(c)), words, budget) for _, c in arg)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and _is_whitespace_run(arg):
        return _leads(rest, (*read, _RUN), words, budget)
    return False


def _is_whitespace_run(arg: Any) -> bool:
    """`\\s+` (or `\\s{1,}`): one or more of any whitespace, as a trigger's space reads it."""
    low, high, sub = arg
    return (
        low >= 1 and high is sre.MAXREPEAT and list(sub) == [(sre.IN, [(sre.CATEGORY, sre.CATEGORY_SPACE)])]
    )


# How much of a match's opening text is read: enough to tell the words apart.
_OPENING = 12


def opening_texts(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """Texts one of which opens every match of `pattern` (empty: not known). None holds a line break,
    so a match that starts on a line has one of them on that line."""
    found: set[str] = set()
    if (items := _parsed(pattern)) is None or not _openings(items, "", found, [_MAX_PATHS]):
        return ()
    return tuple(sorted(found)) if all(found) else ()


def _openings(items: list[Any], read: str, found: set[str], budget: list[int]) -> bool:
    """Adds the text each way of matching `items` after `read` opens with; False when a way cannot be
    followed. Reading may stop anywhere: what was read opens the match all the same."""
    if not items or len(read) >= _OPENING:
        found.add(read)
        return True
    op, arg = items[0]
    rest = items[1:]
    if op is sre.AT:
        return _openings(rest, read, found, budget)
    if op is sre.LITERAL and chr(arg) != "\n":
        return _openings(rest, read + chr(arg), found, budget)
    if op is sre.SUBPATTERN:
        return not arg[1] & sre.SRE_FLAG_IGNORECASE and _openings([*arg[3], *rest], read, found, budget)
    if op is sre.BRANCH:
        budget[0] -= len(arg[1])
        return budget[0] > 0 and all(_openings([*alt, *rest], read, found, budget) for alt in arg[1])
    found.add(read)
    return True
