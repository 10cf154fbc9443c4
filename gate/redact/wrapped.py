"""String values a formatter wrapped onto lines of their own, below the name they are given.

black puts a long value in parentheses on the lines below its name (`API_TOKEN = (` / `"…"` / `)`),
and splits a longer one into strings that Python joins (`"first half"` / `"second half"`); prettier
breaks after the `=` (`const token =` / `"…";`). Each line then holds a string with nothing that names
it, and the line with the name holds no value. The lines are read joined, as the one line the
formatter started from, by the detector's own rules; each string of a value they find is a hit on its
own line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence

from gate.redact.rules import KEYWORD_COVER

# Where a value may start on the next line: a line that ends in `=` or in `(` (the name's line; a
# formatter leaves no blank after it, a hand one at most), then a line that opens a string. Found over
# a file's lines joined, from each line break (a literal the regex engine skips ahead to): a search from
# each `=` and `(` of the text cost five times as much.
_WRAP_START = re.compile(r"""\n(?:(?<=[=(]\n)|(?<=[=(] \n))[ \t]*+[rRbBuU]{0,2}+["'`]""")
# A line that is one string literal: its prefix, its text, and what may follow it in a wrapped value
# (a `+` that joins it to the next, the `;` or `,` that ends the statement or the argument).
_STRING_LINE = re.compile(
    r"""[rRbBuU]{0,2}+(?P<q>["'`])(?P<text>(?:[^"'`\\\n]|\\.|(?!(?P=q))["'`]){0,200}+)(?P=q)"""
    r"""[ \t]*+(?P<plus>\+)?[ \t]*+(?P<end>[;,])?[ \t]*+$"""
)
# A name's line read as the start of a wrapped value: what ends at its `=` (`API_TOKEN =`, `token:
# str =`, `'api_token' =>`), or at a `:` or `=` before a `(` (`"token": (`, `token=(`).
_OPENER = re.compile(r"""^(?P<head>[^\n]{1,200}?(?:=>?|(?P<colon>:)))[ \t]*+(?P<paren>\()?[ \t]*+$""")
# The strings a wrapped value is split into, at most: black splits a long key into a few.
_MAX_STRINGS = 8
# The longest line read as part of a wrapped value: a formatter's lines are short.
_LINE_CHARS = 1_000

Finder = Callable[[str, str], Iterable[tuple[str, str]]]


def wrapped_strings(
    lines: Sequence[str], text: str, filename: str, find: Finder
) -> Iterator[tuple[int, str, str]]:
    """(index, kind, string) for each string of a value wrapped below its name that `find` (the
    detector's rules on one line and a file's name, giving (kind, value) pairs) takes for a secret when
    the name's line and the strings are read as one line; `text` is the lines joined. A hunk's rows
    hold removed strings amid the added ones: they are read joined with them, and hidden with them."""
    index, at = 0, 0
    for match in _WRAP_START.finditer(text):
        index += text.count("\n", at, match.start())
        at = match.start()
        yield from _strings_below(lines, index, filename, find)


def _strings_below(
    lines: Sequence[str], index: int, filename: str, find: Finder
) -> Iterator[tuple[int, str, str]]:
    line = lines[index]
    if len(line) > _LINE_CHARS:
        return
    opener = _OPENER.match(line)
    if opener is None or (opener.group("colon") and not opener.group("paren")):
        return  # a name's `:` with nothing after it is a YAML key's or a block's, not a wrapped value
    strings: list[tuple[int, str]] = []
    closed = False
    for below in range(index + 1, min(len(lines), index + 1 + _MAX_STRINGS + 1)):
        text = lines[below].strip()
        if len(text) > _LINE_CHARS:
            return
        found = _STRING_LINE.match(text)
        if found is None:
            # Black's parentheses close on the line after the last string.
            closed = not opener.group("paren") or text.startswith(")")
            break
        strings.append((below, found.group("text")))
        if found.group("end"):
            closed = not opener.group("paren")
            break
    if not strings or not closed:
        return
    joined = "".join(text for _, text in strings)
    head = opener.group("head")
    if not any(word in f"{head}{joined}".lower() for word in KEYWORD_COVER):
        return  # no name or marker a rule reads by: each string is read on its own line, as it is
    quote = "'" if '"' in joined else '"'
    as_one_line = f"{head} {quote}{joined}{quote}"
    for kind, value in find(as_one_line, filename):
        if value == joined:
            for below, text in strings:
                if text:
                    yield below, kind, text
            return
