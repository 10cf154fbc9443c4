"""Python files that Python reads as other text than the gate does, by their coding line (PEP 263).

The gate reads every file as UTF-8. Python decodes a module with the codec its first or second line
names (`# -*- coding: utf-7 -*-`), so the same bytes can be two texts: under UTF-7, `+AAoAaQBt...-` in a
comment is new lines of code, an import or a key, that no analyzer sees. A file whose coding line makes
Python read other text, or one whose coding Python would refuse, is not what the gate read: the run
says so as a file it has not read (`ChangeSet.unread`), and no verdict over the rest is a pass.

A coding line that changes nothing (`utf-8`, or `latin-1` over ASCII text) is no gap; nor is a codec
that reads each byte as one character and each ASCII byte as itself (latin-1, cp1252, cp437, mac-roman)
over a file whose other characters all sit in comments and strings: Python reads the same ASCII in the
same order, so no line, import or key can hide, and the characters that differ name nothing. Python is
what `gate.context.file_kinds` says it is: a script named `bin/tool` whose first line runs Python has
its coding line on the second (`tokenize.detect_encoding`).
"""

from __future__ import annotations

import codecs
import io
import re
import tokenize
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import lru_cache
from itertools import islice

from gate.context.file_kinds import is_python_change, shown_lines
from gate.context.model import ChangeSet
from gate.diff.model import FileChange, FileStatus

# Codecs that read UTF-8 as the gate does (`utf-8-sig` without the byte-order mark the analyzers skip).
_SAME_AS_READ = frozenset({"utf-8", "utf-8-sig"})
# The tokens whose text names nothing: what other characters they hold, Python reads as data.
_NAMING_NOTHING = frozenset(
    {tokenize.COMMENT, tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
)
# A file's first two lines, each ended as Python's tokenizer ends a line: at `\r\n`, `\r` or `\n`.
_FIRST_TWO_LINES = re.compile(r"([^\r\n]*)(?:\r\n?|\n)?([^\r\n]*)")
NAMED = 5  # files named in the run's words; the rest are counted


def with_python_codings(changeset: ChangeSet) -> ChangeSet:
    """The change with its Python files that Python reads as other text, by their coding line, and
    those whose coding line the revisions did not give, among the files it has not read."""
    misread: list[tuple[str, str]] = []
    not_given: list[tuple[str, str]] = []
    for path, why, read in _misread(changeset):
        (misread if read else not_given).append((path, why))
    if not misread and not not_given:
        return changeset
    words: list[str] = []
    if misread:
        words.append(
            _words(misread, "whose coding line has Python read other text than the UTF-8 the gate read")
        )
    if not_given:
        words.append(_words(not_given, "whose coding line was not read at head"))
    return replace(
        changeset,
        unread=(*changeset.unread, *words),
        misread={
            **changeset.misread,
            **{
                path: f"by its coding line, Python reads other text or refuses it ({why})"
                for path, why in misread
            },
            **{
                path: f"its coding line was not read ({why}): what text Python reads is unknown"
                for path, why in not_given
            },
        },
    )


def _words(found: list[tuple[str, str]], what: str) -> str:
    named = ", ".join(f"{path}: {why}" for path, why in found[:NAMED])
    more = ", ..." if len(found) > NAMED else ""
    return f"{len(found)} Python file{'s' if len(found) != 1 else ''} {what} ({named}{more})"


def _misread(changeset: ChangeSet) -> Iterator[tuple[str, str, bool]]:
    """(path, why, read) for each changed Python file whose coding line has Python read other text
    (read), or that the revisions did not give when the diff does not show its coding line (not read,
    why is `RevisionReader.why_unread`'s): that is no file read as UTF-8."""
    diff = changeset.diff
    for change in (*diff.files, *diff.ignored_files):
        if not is_python_change(change, changeset.revisions):
            continue
        head = _head(changeset, change)
        if isinstance(head, str):
            yield change.path, head, False
            continue
        why = None if head is None else python_reads_otherwise(*head)
        if why is not None:
            yield change.path, why, True


def _head(changeset: ChangeSet, change: FileChange) -> tuple[str, Callable[[], str]] | str | None:
    """The start of the file at head as the gate read it, and how to have all of it: from the
    revisions, or from the diff when it adds the file or shows its first line; when neither can tell
    the file's first line, and so its coding line, why the revisions did not give it, else None."""
    reader = changeset.revisions
    not_given = None
    if reader is not None and change.status is not FileStatus.ADDED:
        text = reader.read("head", change.path)
        if text is not None:
            return text, lambda: text
        not_given = reader.why_unread("head", change.path)
    first = list(islice(shown_lines(change), 2))
    if not first or first[0].new_no != 1:
        return not_given

    def whole() -> str:  # joined only when asked for: a change may add a file of many thousand lines
        return "".join(line.text + "\n" for line in shown_lines(change))

    return "".join(line.text + "\n" for line in first), whole


def python_reads_otherwise(start: str, whole: Callable[[], str]) -> str | None:
    """Why Python reads other text from a file the gate read as UTF-8, in a few words; None when it
    reads the same. `start` holds the file's first lines, whose coding line Python's own rule finds
    (`tokenize.detect_encoding`: a comment on the first line, or on the second below a blank or comment
    line); `whole` gives the whole text, read only when that coding is not UTF-8."""
    top = _FIRST_TWO_LINES.match(start)
    assert top is not None  # every part of the pattern may match nothing
    lines = f"{top[1]}\n{top[2]}\n".encode("utf-8", "surrogatepass")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(lines).readline)
    except SyntaxError as exc:  # a codec Python does not know, or one beside a UTF-8 byte-order mark
        return f"coding line refused ({exc.msg})"
    if codecs.lookup(encoding).name in _SAME_AS_READ:
        return None
    text = whole()
    if _byte_for_character(encoding) and _other_characters_name_nothing(text):
        return None
    try:
        decoded = text.encode("utf-8", "surrogatepass").decode(encoding)
    except (UnicodeError, LookupError):  # bytes the codec cannot decode, or no text codec (rot13)
        return f"coding {encoding}, which does not decode it"
    return None if decoded == text else f"coding {encoding}"


@lru_cache(maxsize=64)
def _byte_for_character(encoding: str) -> bool:
    """Whether the codec reads each byte as one character, by itself, and each ASCII byte as itself:
    then the ASCII Python reads is the ASCII of the bytes, which the gate read too (a UTF-8 reader reads
    an ASCII byte as itself, and no other byte as ASCII)."""
    try:
        each = [bytes((byte,)).decode(encoding, "replace") for byte in range(256)]
        if any(each[byte] != chr(byte) for byte in range(128)):
            return False
        if any(len(char) != 1 or char.isascii() for char in each[128:]):
            return False
        # Every pair of bytes side by side: a codec that reads them as it reads each byte alone reads no
        # byte by the ones before it (no shift state, no characters of two bytes).
        pairs = bytes(byte for first in range(256) for second in range(256) for byte in (first, second))
        return pairs.decode(encoding, "replace") == "".join(each[byte] for byte in pairs)
    except (UnicodeError, LookupError):  # no text codec (rot13), or one that refuses "replace"
        return False


def _other_characters_name_nothing(text: str) -> bool:
    """Whether every character of the text past ASCII sits in a comment or a string: where another
    codec reads other characters, they are data, not a name Python could read as another one (it reads
    names in their NFKC form, where `ª` is `a`)."""
    if text.isascii():
        return True
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    try:
        return all(_names_nothing(token) for token in tokens if not token.string.isascii())
    except (tokenize.TokenError, SyntaxError):  # text Python would not read as code
        return False


def _names_nothing(token: tokenize.TokenInfo) -> bool:
    """A comment, or a string that is not an f-string: an f-string's `{…}` holds code (Python 3.11's
    tokenizer gives the whole f-string as one string token, expressions and all)."""
    if token.type not in _NAMING_NOTHING:
        return False
    prefix = token.string[: len(token.string) - len(token.string.lstrip("rRbBuUfFtT"))]
    return token.type == tokenize.COMMENT or not ({"f", "F", "t", "T"} & set(prefix))
