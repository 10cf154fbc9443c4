"""Second readings of a line: what it says with its escapes and base64 decoded, and with digits read as
the letters they are drawn for.

A model reads `&#105;gnore` in Markdown, `\\u0069gnore` in JSON, `\\x69gnore` in a Python string,
`%69gnore` in a URL, a base64 token in a comment that asks to be decoded, and `1gn0re a11 prev10us
1nstruct10ns` as the plain words; the phrase patterns read none of them. So the lines that may hold
such text are read again: first with HTML character references, `\\uXXXX`, `\\U00XXXXXX`, `\\u{X}`,
`\\xXX` and `%XX` escapes decoded and each base64 token of `MIN_BASE64` characters or more that decodes
to text replaced by that text (a stray control character or byte that is no UTF-8 in it read as a
space); then that reading with the digits inside a word that stand for letters (0 o, 1 i or l, 3 e,
4 a, 5 s, 7 t) read as those letters where that spells a word of the phrase table. The phrases are
tried on each reading that differs from the line, and a hit is the line's.

Most lines hold none of this. The lines read again are found by one search of the text, from the
characters every such line holds one of (`&`, `\\`, `%`, a digit), each checked by a lookaround: `&#`,
a backslash before `u`, `U` or `x`, `%` before two hex digits, a digit next to a letter. Base64 is
found through its digits too: the token of a sentence holds a digit next to a letter nearly always
(94% of the tokens of 20,000 random sentences of 12 to 60 bytes, 99.5% of those of 48 characters or
more; a token with none is not read). On a 200,000-line series of real source files about 2% of the
lines are read again.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import urllib.parse
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import product

from gate.analyzers.injection.table import phrases
from gate.analyzers.injection.windows import PhraseHit, find_phrases

# One match a line at most: a match runs on to the end of its line, so the search resumes on the next.
_CANDIDATE = re.compile(
    r"[&\\%0-9](?:(?<=&)#|(?<=\\)[uUx0-7]|(?<=%)[0-9A-Fa-f]{2}|(?<=[A-Za-z][0-9])|(?<=[0-9])(?=[A-Za-z]))[^\n]*"
)
_ESCAPE = re.compile(
    r"\\u\{([0-9A-Fa-f]{1,6})\}|\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})|\\x([0-9A-Fa-f]{2})"
    r"|((?:%[0-9A-Fa-f]{2})+)|\\([0-3][0-7]{2})"
)
# A base64 (or URL-safe base64) token; shorter ones are words and names far more often than data.
MIN_BASE64 = 16
_BASE64 = re.compile(rf"(?<![\w+/-])[A-Za-z0-9+/_-]{{{MIN_BASE64},}}={{0,2}}(?![\w+/=-])")
# A token is decoded in stretches of this many characters, each read as text or not on its own.
MAX_BASE64 = 4096
# The share of a stretch's characters that must be text: a message may hold a stray control character
# or byte that is no UTF-8; the bytes of an image, a key or compressed data are mostly neither.
MIN_TEXT_SHARE = 0.9
# Tab and line breaks are text, though not printable.
_LINE_SPACE = str.maketrans("\t\n\r", "   ")
# In a stretch that is not text as a whole (a message beside bytes of a blob, that put it under
# `MIN_TEXT_SHARE`), the runs of ASCII text are still read: pieces of two characters or more, joined
# across one or two other bytes (a message whose spaces were written as bytes that are no text), that
# hold this many characters of text or more. Each piece and gap is judged on its own, so no filler around
# a message changes how it is read; random bytes (37% printable ASCII) hold a few such runs a stretch.
MIN_TEXT_RUN = 8
_ASCII_RUN = re.compile(r"[\t\n\r\x20-\x7e]{2,}(?:[^\t\n\r\x20-\x7e]{1,2}[\t\n\r\x20-\x7e]{2,})*")
_NOT_ASCII_TEXT = re.compile(r"[^\t\n\r\x20-\x7e]+")
# Whitespace and separators a decoded reading holds are read as a space: a reading stays one line.
_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\ud800-\udfff]")

_LEET = str.maketrans("03457", "oeast")
# A word of letters and digits holding both; possessive, so that each place is read once.
_LEET_WORD = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]++[0-9]|[0-9]++[A-Za-z])[A-Za-z0-9]*+")
# The characters of base64 as one letter, the rest as a space: a token is then a run of that letter.
_BASE64_CHARS = str.maketrans(
    {c: "a" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-"}
)


def find_decoded_phrases(lines: Sequence[str], text: str | None = None) -> Iterator[PhraseHit]:
    """Phrase-table hits on the lines' second readings (`text`: the lines joined with LF, when at
    hand), each at its line's index; one per rule and line."""
    joined = "\n".join(lines) if text is None else text
    read: list[str] = []
    owner: list[int] = []  # the line each reading is of
    index = counted = 0
    for m in _CANDIDATE.finditer(joined):
        index += joined.count("\n", counted, m.start())
        counted = m.start()
        for reading in readings(lines[index]):
            # each reading on its own, a blank line after it: no phrase runs on into the next
            read.extend((reading, ""))
            owner.extend((index, index))
    if not read:
        return
    seen: set[tuple[str, int]] = set()
    for hit in find_phrases(read):
        line = owner[hit.index]
        if (hit.phrase.rule, line) not in seen:
            seen.add((hit.phrase.rule, line))
            yield PhraseHit(hit.phrase, line, hit.text, hit.quoted_example, encoded=True)


def readings(line: str) -> list[str]:
    """The line's second readings that differ from it: escapes and base64 decoded, then digits read as
    letters."""
    decoded = _base64(_unescape(line))
    out: list[str] = []
    if decoded != line:
        decoded = _BREAKS.sub(" ", decoded)
        out.append(decoded)
    lettered = _LEET_WORD.sub(lambda m: _as_letters(m.group(0)), decoded)
    if lettered != decoded:
        out.append(lettered)
    return out


def _unescape(line: str) -> str:
    if "&#" in line:
        line = html.unescape(line)
    if "\\" in line or "%" in line:
        line = _ESCAPE.sub(_escaped_char, line)
    return line


def _escaped_char(m: re.Match[str]) -> str:
    if m.group(5):  # a run of %XX: the bytes of UTF-8 text
        return urllib.parse.unquote(m.group(5), errors="replace")
    if m.group(6):  # an octal escape, as Python, C, YAML and shell strings read `\151`
        return chr(int(m.group(6), 8))
    code = int(next(group for group in m.groups() if group), 16)
    return chr(code) if code <= 0x10FFFF else m.group(0)


def _base64(line: str) -> str:
    if len(line) < MIN_BASE64 or "a" * MIN_BASE64 not in line.translate(_BASE64_CHARS):
        return line
    return _BASE64.sub(lambda m: _decoded_base64(m.group(0)) or m.group(0), line)


def _decoded_base64(token: str) -> str | None:
    """The text a base64 token stands for, when it decodes to text (of any script): each stretch of
    `MAX_BASE64` characters' worth that is mostly printable, its control characters and bytes that are
    no UTF-8 read as spaces. One such byte must not hide the rest of a message, nor a run of filler
    before it, nor the bytes of a blob around it; an image or a key decodes to bytes of which far fewer
    are text, and only the rare runs of text in it are read (`_text_or_runs`)."""
    body = token.rstrip("=").replace("-", "+").replace("_", "/")
    body = body[: len(body) - len(body) % 4] if len(body) % 4 == 1 else body
    if body.islower() or (body.isupper() and body.isalpha()):
        # a name or a hex digest: the base64 of text mixes the cases, or (text in capitals) holds digits
        return None
    try:
        data = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    # decoded once (a character of several bytes is not cut in two), then judged a stretch at a time, so
    # that text after a blob is read; stretches of text run on into each other, as a phrase may
    text = data.decode("utf-8", errors="replace")
    step = MAX_BASE64 // 4 * 3
    kept = [_text_or_runs(text[start : start + step]) for start in range(0, len(text), step)]
    if not any(kept):
        return None
    return " " + "".join(" " if stretch is None else stretch for stretch in kept) + " "


def _text_or_runs(text: str) -> str | None:
    """The stretch read as text (`_text_of`); else, so that bytes put beside a message or between its
    words do not hide it, its runs of ASCII text (`_ASCII_RUN`, the bytes inside a run read as spaces),
    each apart from the next, and those at an end of the stretch running on into the stretch beside it;
    None when it holds neither."""
    whole = _text_of(text)
    if whole is not None:
        return whole
    runs = []
    for m in _ASCII_RUN.finditer(text):
        run = _NOT_ASCII_TEXT.sub(" ", m.group())
        if len(run) - run.count(" ") >= MIN_TEXT_RUN and any(c.isalpha() for c in run):
            runs.append((m, run))
    if not runs:
        return None
    read = " ".join(run for _, run in runs)
    return (" " if runs[0][0].start() else "") + read + (" " if runs[-1][0].end() < len(text) else "")


def _text_of(text: str) -> str | None:
    """Decoded `text` with what is not text in it (control and format characters, U+FFFD for bytes that
    are no UTF-8) as spaces, when at least `MIN_TEXT_SHARE` of its characters are text and one is a
    letter; else None."""
    if not any(c.isalpha() for c in text):
        return None
    if text.translate(_LINE_SPACE).isprintable() and "\ufffd" not in text:
        return text
    allowed = int(len(text) * (1 - MIN_TEXT_SHARE))
    spaced: list[str] = []
    for c in text:
        if c == "\ufffd" or not (c.isprintable() or c in "\t\n\r"):
            allowed -= 1
            if allowed < 0:  # a blob: it is given up at its first tenth of foreign characters
                return None
            c = " "
        spaced.append(c)
    return "".join(spaced)


@lru_cache(maxsize=4096)
def _as_letters(word: str) -> str:
    """A word with digits in it read as letters (0 o, 1 i or l, 3 e, 4 a, 5 s, 7 t) when that makes a
    word of the phrase table (`a11` all, `1gn0re` ignore, `rev1ewer` reviewer); else the word as it is.
    A phrase needs its table words, and the others (`x86`, `sha256`, `t0`, `e3b0c4`, minified names)
    then give no second reading of their line at all."""
    if any(c in "2689" for c in word) or word.isdigit():
        return word
    read = word.translate(_LEET)
    ones = read.count("1")
    if ones > 4:
        return word
    parts = read.split("1")
    candidates = [
        parts[0] + "".join(letter + part for letter, part in zip(letters, parts[1:], strict=True))
        for letters in product("il", repeat=ones)
    ]
    vocabulary = _vocabulary()
    for candidate in candidates:  # a word of the table as it is first (`a11` all, not `aii` for `ai`)
        if candidate.lower() in vocabulary:
            return candidate
    for candidate in candidates:
        if _in_table(candidate.lower()):
            return candidate
    return word


def _in_table(word: str) -> bool:
    """Whether `word` is a word of the phrase table give or take a plural or a verb's ending (the table
    writes `reviewers?`, `ignore[zsr]?`); the ending only of a word of five letters or more."""
    vocabulary = _vocabulary()
    forms = (word + "s", word[:-1], word[:-2]) if len(word) >= 5 else (word + "s",)
    return word in vocabulary or any(form in vocabulary for form in forms)


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """The words the phrase table's patterns and trigger words are written with."""
    words: set[str] = set()
    for phrase in phrases():
        source = re.sub(r"\\.", " ", phrase.pattern.pattern)
        words.update(re.findall(r"[a-z]{2,}", source))
        words.update(w for word in phrase.words for w in re.findall(r"[a-z]{2,}", word))
    return frozenset(words)
