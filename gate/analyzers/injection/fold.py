"""How the phrase patterns read a text: as a model reads it.

A model reads `ignоre all previous instructions` with a Cyrillic `о`, `ＡＩ reviewer` in full-width
letters, `𝐢𝐠𝐧𝐨𝐫𝐞` in mathematical bold and `ig\u00adnore` with a soft hyphen as the plain words; a table
of ASCII phrases would read none of them. So before the patterns read a text, letters that look like
Latin ones are read as those, compatibility forms as their plain form (NFKC, where that is ASCII), and
invisible format characters (Unicode category Cf: soft hyphens, zero-width and bidirectional controls,
tag characters) and the other characters of `gate.invisible` (the combining grapheme joiner, variation
selectors) as nothing. Line breaks are never touched, so a text keeps its lines.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from gate import invisible

# Letters of other scripts drawn like Latin ones, that NFKC leaves as they are: Cyrillic and Greek
# (both cases), and Latin letters that lower-case or read as plain ones (`ı`, `ſ`, `ɡ`).
_LOOKALIKES = dict(
    zip(
        "аАвВеЕԁһіІјЈкКӏмМнНоОрРԛсСѕЅтТуУүҮԝхХαΑβΒεΕζΖηΗιΙκΚμΜνΝοΟρΡτΤυΥχΧıſɡ",
        "aABBeEdhiIjJkKlMMHHoOpPqcCsSTTyYyYwxXaABBeEZZnHiIkKMMvNoOpPTTuYxXisg",
        strict=True,
    )
)
_ASCII = re.compile(r"[\x00-\x7f]+")
# A compatibility form longer than this (`㍿`) is no letter of a word.
_MAX_FORM = 3


@lru_cache(maxsize=4096)
def _read_as(char: str) -> str | None:
    """What `char` (not ASCII) reads as, or None when it reads as itself."""
    if unicodedata.category(char) == "Cf" or invisible.INVISIBLE.match(char):
        return ""
    if char in _LOOKALIKES:
        return _LOOKALIKES[char]
    plain = unicodedata.normalize("NFKC", char)
    if plain != char and plain.isascii() and plain.isprintable() and len(plain) <= _MAX_FORM:
        return plain
    return None


def fold(text: str) -> str:
    """`text` as the patterns read it; `text` itself when nothing in it reads otherwise."""
    return text.translate(table) if (table := _table(text)) else text


def fold_lower(text: str) -> str:
    """`text` as the patterns read it, each character that reads otherwise lower-cased as read: a row of
    the phrase table written in a script with look-alike letters (`игнорируй`), as the lower-cased
    folded text it is matched with reads it. Only those characters change: a pattern's escapes
    (`\\S`) stay as they are."""
    table = _table(text)
    return text.translate({code: read.lower() for code, read in table.items()}) if table else text


def _table(text: str) -> dict[int, str]:
    """What each character of `text` that reads otherwise reads as."""
    table: dict[int, str] = {}
    if text.isascii():
        return table
    for char in set(_ASCII.sub("", text)):
        read = _read_as(char)
        if read is not None:
            table[ord(char)] = read
    return table


def in_place(line: str) -> bool:
    """Whether each character of `line` reads as one character: a position in the line as read is then
    the same in the line as written."""
    return all(len(read) == 1 for read in _table(line).values())


def one_line_each(lines: Sequence[str], text: str | None = None) -> tuple[Sequence[str], str | None]:
    """The lines with a line break inside one read as a space (a file name or a PR title can hold one),
    so that line i of their joined text is line i of the list, and `text` still when nothing changes.
    One character for one: a match's positions are the line's as written."""
    if text is not None and text.count("\n") == len(lines) - 1:
        return lines, text
    if text is None and not any("\n" in line for line in lines):
        return lines, None
    return [line.replace("\n", " ") for line in lines], None


def fold_lines(lines: Sequence[str], text: str | None = None) -> tuple[Sequence[str], list[int]]:
    """The lines as the patterns read them, and the indexes of those that read otherwise than written
    (`lines` itself and none when nothing does; `text`: the lines joined with LF, when at hand). Only
    those lines are folded: most of a large change is ASCII. No line holds a line break
    (`one_line_each`)."""
    joined = "\n".join(lines) if text is None else text
    table = _table(joined)
    if not table:
        return lines, []
    found = re.compile("[" + "".join(re.escape(chr(code)) for code in table) + "]")
    folded = list(lines)
    affected: list[int] = []
    index = counted = end = 0  # line `index` starts before `counted`; lines up to `end` are folded
    for m in found.finditer(joined):
        if m.start() < end:
            continue  # on a line already folded
        index += joined.count("\n", counted, m.start())
        counted = m.start()
        end = joined.find("\n", m.start())
        end = len(joined) if end < 0 else end
        folded[index] = folded[index].translate(table)
        affected.append(index)
    return folded, affected
