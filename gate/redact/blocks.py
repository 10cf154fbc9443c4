"""Private keys: the base64 body under a key's first line, which no line-by-line rule recognises.

detect-secrets flags a private key by its BEGIN line only; the key itself is the body that follows, one
line at a time. A block opens at a PEM, PGP or SSH2 BEGIN line (`-----BEGIN RSA PRIVATE KEY-----`,
`-----BEGIN PGP PRIVATE KEY BLOCK-----`, `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----`) or at a PuTTY
key file's first line. Before its body, a block may hold header lines (`Proc-Type: 4,ENCRYPTED`,
`DEK-Info: ...`, `Version: ...`, `Comment: ...`) and blank lines; a PuTTY key holds headers between
its bodies too (`Private-Lines: 14`). Inside a block, a line that ends in one base64 token (after a
prefix such as a diff marker, a line number or a quote, and before a trailer such as `\\n"`, `' +`, `,`
or `\\`: a key written one string literal a line) is key material, a PGP checksum (`=AbCd`) too.

A block ends at its END line (a PuTTY key at `Private-MAC:`), at any other line, or after
MAX_KEY_LINES, so a stray BEGIN line cannot hide the rest of a diff from reviewers.

Each body line hidden is remembered (`gate.redact.memory`): a text cut out of the file below its BEGIN
line (a prompt's context rows, the second part of a long hunk, an excerpt around a finding) hides it
too. And where no BEGIN line is in the text at all, lines that are nothing but a long random base64 run,
next to another such line, are hidden as the body of a key whose first line was cut off.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gate.redact import memory
from gate.redact.memory import REDACTED

MAX_KEY_LINES = 200
# A key's line is short (64 or 70 characters, with a quote, an indent or a prompt row's number); a longer
# line is not one, and is not given to the patterns below, whose prefix search costs the square of a
# line's length (a line of 1,024 characters cost 4 ms, and a block reads 200 of them).
MAX_BLOCK_LINE_CHARS = 256

_BEGIN = re.compile(r"-{4,5} ?BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)? ?-{4,5}", re.IGNORECASE)
_END = re.compile(r"-{4,5} ?END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)? ?-{4,5}", re.IGNORECASE)
_PUTTY_BEGIN = re.compile(r"PuTTY-User-Key-File-\d+:")
_PUTTY_END = re.compile(r"Private-MAC:")
# A block opens only on a line holding one of these, in the folded (lower-cased) text: `_BEGIN` reads
# `Begin` too.
_OPENINGS = (b"begin", b"putty-user-key-file")

# What stands before a key's line in a prompt or in code: a diff marker, a row's line number, a comment
# marker, the mark that joins it to the string before (`+`, `.`, `..`, `||`, `&`, `<>`, `<<`, `^`), an
# opening quote (`b"`, `@"`, `N'`, `u8"`, a JavaScript template); and after it: quotes, escaped line ends,
# commas, `+`, a `\` continuation, closing brackets. Each run of spaces is taken whole (possessive `*+`):
# three runs that could share the same spaces cost the cube of their length when the line fails at its
# end (a BEGIN line then 1,000 spaces and an `x`: 5 s).
_MARKS = (
    r"[ \t]*+(?:[+\-][ \t]*+)?(?:\d++[ \t]*+\|[ \t]*+)?(?:(?:#|//|\*|;)[ \t]*+)?"
    r"(?:(?:\.\.?|\|\||&|<>|<<|\^|\+)[ \t]*+)?"
)
_STRING_PREFIX = r"(?:u8|[bBuUrRfFNnLE@$]{0,2})"
_OPENING_QUOTE = _STRING_PREFIX + r"(?P<quote>[\"'`])"
_LEAD = _MARKS + f"(?:{_STRING_PREFIX}[\"'`])?"
_TRAIL = r"(?:\\[nr]|[\s\"'`,;+\\)\]])*+"
# A key's last line may hold two characters and its padding (`AQ==`).
_BODY = r"(?P<body>=?[A-Za-z0-9+/]{2,}+={0,2}+)"
# A key's line that is a string literal standing first on its line (but for `_MARKS`): after its closing
# quote, the marks that join it to the next string (PHP's `.`, Lua's `..`, SQL's `||`, Visual Basic's `&`
# and its `_` continuation, Elixir's `<>`, OCaml's `^`, Ruby's `<<`), a newline written as a string of
# escapes (`"\n"`, `E'\n'`, PowerShell's "`n") or by name (`vbCrLf`, `\PHP_EOL`, `CHAR(10)`, `os.EOL`,
# `[Environment]::NewLine`, `System.lineSeparator()`), a shell's redirection (`echo "…" >> key.pem`),
# and a comment. After a bare word these are prose or code: a sentence's last word before its `.` below
# a BEGIN line that opens no key is no key's line.
_AFTER_QUOTE = (
    r"(?:[\s,;+)\]_]|\.\.?|\|\||&|<>|<<|>>?|\^|[EeNn]?(?P<escapes>[\"'`])(?:\\{1,2}[nrt]|`[nrt])*+(?P=escapes)"
    r"|\\?\[?[A-Za-z_][\w.:\]]*+(?:\([ \t]*+\d*+[ \t]*+\))?)*+"
)
_CLOSING_QUOTE = r"(?:\\{1,2}[nr]|`[nr])*+(?P=quote)"
# Or the string added to a name a line at a time: `key += "…"`, `$key .= '…'`, `key &= "…"`, Ruby's
# `key << "…"`, `key = key & "…"`, `key := key || '…'` (the same name on both sides: `x = "strict"` is
# an assignment, not a key's line).
_APPENDED = (
    r"(?:(?P<target>[$@]?[A-Za-z_](?:[\w$.#]|::|->)*+)[ \t]*+(?:(?:[+.&]|\|\|)=|<<"
    r"|:?=[ \t]*+(?P=target)[ \t]*+(?:\.\.?|\|\||&|<>|<<|\^|\+))[ \t]*+)?"
)
_COMMENT = r"(?:(?://|--|#|/\*).*)?"
_KEY_LINE = re.compile(r"^(?P<prefix>|.*?[\s|\"'`])" + _BODY + _TRAIL + "$")
_QUOTED_KEY_LINE = re.compile(
    f"{_MARKS}{_APPENDED}{_OPENING_QUOTE}[ \\t]*+{_BODY}{_CLOSING_QUOTE}{_AFTER_QUOTE}{_COMMENT}$"
)
# A string given to code, joined as `_AFTER_QUOTE` reads: `sb.Append("…" + Environment.NewLine);`,
# `fwrite($f, '…' . PHP_EOL);`, `lines.append("…")  # pem`. A key's line only when as long as one
# (`_FULL_LINE_CHARS`) or after one: `ALG = "sha256WithRSAEncryption"  # default` is code.
_ARGUMENT_KEY_LINE = re.compile(
    f"^.*?(?P<quote>[\"'`])[ \\t]*+{_BODY}{_CLOSING_QUOTE}{_AFTER_QUOTE}{_COMMENT}$"
)
_KEY_LINES = (_QUOTED_KEY_LINE, _ARGUMENT_KEY_LINE, _KEY_LINE)
_HEADER = re.compile(
    f"{_MARKS}{_APPENDED}(?:{_STRING_PREFIX}[\"'`])?" + r"[A-Za-z][A-Za-z0-9-]*:(?:[ \t].*)?$"
)
_BLANK = re.compile(
    f"(?:{_LEAD}{_TRAIL}|{_MARKS}{_APPENDED}{_OPENING_QUOTE}{_CLOSING_QUOTE}{_AFTER_QUOTE}{_COMMENT})$"
)
_KEY_MATERIAL = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_CHECKSUM = re.compile(_LEAD + r"=[A-Za-z0-9+/]{4}" + _TRAIL + "$")

# A line that is nothing but a key's line: a base64 run long enough that code rarely has one.
MIN_ORPHAN_CHARS = 40
_BASE64_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
_BASE64_MASK = bytes(0x61 if b in _BASE64_ALPHABET else 0x0A if b == 0x0A else 0x20 for b in range(256))
_RUN = b"a" * MIN_ORPHAN_CHARS
_ORPHAN_BODY = f"(?P<body>[A-Za-z0-9+/]{{{MIN_ORPHAN_CHARS},}}={{0,2}})"
_ORPHAN_LINE = re.compile(_LEAD + _ORPHAN_BODY + _TRAIL + "$")
# A string literal first on its line, joined to the next as `_AFTER_QUOTE` reads; with no comment after
# it: two lines of test vectors, each with a comment, are no key's.
_QUOTED_ORPHAN_LINE = re.compile(f"{_MARKS}{_OPENING_QUOTE}{_ORPHAN_BODY}{_CLOSING_QUOTE}{_AFTER_QUOTE}$")
_MAX_ORPHAN_LINE_CHARS = 240
# Body lines this short are not searched for everywhere: a key's short last line looks like a word.
MIN_REMEMBERED_CHARS = 16
# A key's lines are 64 to 76 characters wide but its last; a block's first body line, and any line not
# after a full one, is at least this long, or the key ends after it.
_FULL_LINE_CHARS = 32


def opens_block(line: str) -> bool:
    """Whether the line opens a PEM, PGP or SSH2 private key block: the lines below are its body."""
    return _BEGIN.search(line) is not None


def redact_key_blocks(lines: Sequence[str]) -> list[str]:
    """The lines with every private key's body replaced by [REDACTED]; the bodies are remembered."""
    out = list(lines)
    data = _encoded("\n".join(out))
    memory.remember(_hide_blocks(out, _lines_holding(data.lower(), _OPENINGS)))
    _hide_orphan_runs(out, data)
    return out


def remember_key_blocks(text: str) -> None:
    """Remember the body of every private key in `text` (a file, a hunk), without hiding anything: what
    is learned before a text is cut into prompts is hidden in every piece of it."""
    if starts := _lines_holding(_encoded(text).lower(), _OPENINGS):
        memory.remember(_hide_blocks(text.split("\n"), starts))


def _hide_blocks(out: list[str], starts: Sequence[int]) -> list[str]:
    """Hide, in place, the bodies of the key blocks in `out` that may open on the lines `starts`; returns
    the values worth remembering. Only the lines from a block's first line to its end are read."""
    hidden: list[str] = []
    after = 0  # the first line not read yet
    for start in starts:
        if start >= after:
            after = _hide_block(out, start, hidden)
    return [value for value in hidden if worth_remembering(value)]


def _hide_block(out: list[str], start: int, hidden: list[str]) -> int:
    """Hide the body of the block that opens on line `start`, adding what is hidden to `hidden`; returns
    the index of the first line after the block."""
    line = out[start]
    begin = _BEGIN.search(line)
    putty = begin is None
    if begin is not None:
        end = _END.search(line, begin.end())
        stop = end.start() if end else len(line)
        # A one-line key ("-----BEGIN ... KEY-----MIIE...-----END ...") or text after the marker.
        rest = line[begin.end() : stop]
        hidden += _KEY_MATERIAL.findall(rest)
        out[start] = line[: begin.end()] + _KEY_MATERIAL.sub(REDACTED, rest) + line[stop:]
        if end is not None:
            return start + 1
    elif _PUTTY_BEGIN.search(line) is None:
        return start + 1  # the marker was not a key's first line ("BEGIN" in prose)
    in_body = False
    long_before = False  # whether the line before was a body line as long as a key's lines are
    for i in range(start + 1, min(start + 1 + MAX_KEY_LINES, len(out))):
        line = out[i]
        if len(line) > MAX_BLOCK_LINE_CHARS or _BEGIN.search(line) or _PUTTY_BEGIN.search(line):
            return i  # not a key's line, or the first line of the next key
        if _END.search(line) or (putty and _PUTTY_END.search(line)):
            return i + 1
        if (putty or not in_body) and (_HEADER.match(line) or (not in_body and _BLANK.match(line))):
            long_before = False
            continue
        # A body shorter than a key's lines is its last line (or a PGP checksum): after a full line, or
        # just before the key ends. Elsewhere it is a word that ends a line of prose or code, or a string
        # in a list, below a BEGIN line that opens no key (`MODE = "strict"  # reject other headers`,
        # `"application/json",`); or the wrong run of a key's line (`vbCrLf` in `sb.Append("…" & vbCrLf)`).
        short_ok = long_before or _ends_after(out, i, putty)
        m = next(
            (
                m
                for m in (p.match(line) for p in _KEY_LINES)
                if m is not None and (short_ok or len(m.group("body")) >= _FULL_LINE_CHARS)
            ),
            None,
        )
        if m is None:
            return i
        body = m.group("body")
        long_before = len(body) >= _FULL_LINE_CHARS
        in_body = True
        hidden.append(body)
        out[i] = line[: m.start("body")] + REDACTED + line[m.end("body") :]
    return start + 1 + MAX_KEY_LINES


def _ends_after(out: list[str], i: int, putty: bool) -> bool:
    """Whether the key ends after line `i`: the next line ends the key, opens a PuTTY key's next section,
    or is a PGP checksum (`=Ab3x`) just before the END line."""
    if i + 1 >= len(out):
        return False  # a key cut short there: its last line follows a full one (`long_before`)
    after = out[i + 1]
    if _END.search(after) or (putty and (_PUTTY_END.search(after) or _HEADER.match(after))):
        return True
    return _CHECKSUM.match(after) is not None and (i + 2 >= len(out) or _END.search(out[i + 2]) is not None)


def _encoded(text: str) -> bytes:
    """The text as UTF-8, searched as bytes: a text with one character past U+FFFF is stored four bytes
    a character, and every `str` search over it reads four times as much."""
    return text.encode("utf-8", "surrogatepass")


def _lines_holding(data: bytes, needles: Sequence[bytes]) -> list[int]:
    """The indexes, in order, of the lines of `data` that hold one of `needles` (found with `find`: a
    regular expression over a whole change costs far more than these few searches)."""
    at: set[int] = set()
    for needle in needles:
        found: list[int] = []
        pos = data.find(needle)
        while pos != -1:
            found.append(pos)
            pos = data.find(needle, pos + len(needle))
        at.update(_line_numbers(data, found))
    return sorted(at)


def _line_numbers(data: bytes, positions: Sequence[int]) -> list[int]:
    """The line index of each of `positions` (ascending), counting line breaks once over the data."""
    lines: list[int] = []
    line = last = 0
    for pos in positions:
        line += data.count(b"\n", last, pos)
        last = pos
        lines.append(line)
    return lines


def worth_remembering(body: str) -> bool:
    """Whether a body line is key material to search for everywhere: long, and not a word (a block's
    last short line, or a line of code after a stray BEGIN line, hidden where it stands only)."""
    return len(body) >= MIN_REMEMBERED_CHARS and (
        any(c.isdigit() for c in body) or "+" in body or "/" in body
    )


def _hide_orphan_runs(out: list[str], data: bytes) -> None:
    """Hide, in place, each line that is nothing but a long random base64 run next to another such line:
    a key's body whose BEGIN line the text does not hold."""
    runs: dict[int, re.Match[str]] = {}
    for i in _lines_with_run(data):
        line = out[i]
        m = (
            (_QUOTED_ORPHAN_LINE.match(line) or _ORPHAN_LINE.match(line))
            if len(line) <= _MAX_ORPHAN_LINE_CHARS
            else None
        )
        if m is not None and _looks_random(m.group("body")):
            runs[i] = m
    for i, m in runs.items():
        if i - 1 in runs or i + 1 in runs:
            out[i] = out[i][: m.start("body")] + REDACTED + out[i][m.end("body") :]


def _lines_with_run(data: bytes) -> list[int]:
    """The indexes of the lines holding MIN_ORPHAN_CHARS base64 characters in a row. The bytes are mapped
    to one letter for the base64 alphabet and a space for the rest, and the run searched with `find`: a
    regular expression tried at every character costs ten times as much."""
    mask = data.translate(_BASE64_MASK)
    starts: list[int] = []
    pos = mask.find(_RUN)
    while pos != -1:
        starts.append(pos)
        newline = mask.find(b"\n", pos)
        if newline == -1:
            break
        pos = mask.find(_RUN, newline + 1)
    return _line_numbers(mask, starts)


def _looks_random(body: str) -> bool:
    """Upper and lower case letters and digits: a key's line has all three (the chance that 40 random
    base64 characters lack one is about one in a thousand); hex digests, paths and words lack one."""
    return (
        any(c.isdigit() for c in body) and any(c.isupper() for c in body) and any(c.islower() for c in body)
    )
