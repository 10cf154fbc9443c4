"""A `git format-patch` mbox read as `git am` reads it.

`git am` takes a file for a mailbox when its first line opens with `From ` or `From: `, or when the
lines above its first empty line all look like mail headers; `git mailsplit` cuts it into messages at
every line shaped like an mbox `From ` line, and `git mailinfo` reads each message's headers. The gate
reads the same messages, so that what it checks is what `git am` applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# C's isspace(), which git's parsers use: Python's str.isspace() also takes Unicode spaces.
C_SPACE = " \t\n\v\f\r"
# `git am`'s test for a header line when no `From ` line opens the file (builtin/am.c is_mail()).
_HEADER_NAME = re.compile(r"[!-9;-~]+:")
# A candidate mbox `From ` line; `is_from_line` decides.
_NEXT_FROM = "\nFrom "


@dataclass(frozen=True)
class Mail:
    """One message: its `From ` line, its headers (names in lower case, the last of a name kept, as git
    mailinfo keeps it) and its body."""

    from_line: str
    headers: dict[str, str]
    body: str


def is_mbox(text: str) -> bool:
    """Whether `git am` reads `text` as a mailbox (builtin/am.c detect_patch_format()), with the
    leading white space `git mailsplit` skips already removed."""
    first = text.partition("\n")[0]
    if first.startswith("From ") or first.startswith("From: "):
        return True
    if not first.strip("\r"):
        return False
    at = 0
    while at < len(text):
        line = _line_at(text, at)
        at += len(line)
        line = line.removesuffix("\n").removesuffix("\r")
        if not line:
            return True
        if line[0] not in " \t" and not _HEADER_NAME.match(line):
            return False
    return True


def is_from_line(line: str) -> bool:
    """A line (with its line break) that `git mailsplit` starts a message at: `From `, then something
    ending in a time and a year after 90 (mailsplit.c is_from_line())."""
    if len(line) < 20 or not line.startswith("From "):
        return False
    colon = line.rfind(":", 5, len(line) - 2)
    if colon < 0:
        return False
    digits = (line[colon - 4], line[colon - 2], line[colon - 1], line[colon + 1], line[colon + 2])
    if not all("0" <= c <= "9" for c in digits):
        return False
    year = re.match(r"[ \t\n\v\f\r]*([+-]?[0-9]+)", line[colon + 3 :])
    return year is not None and int(year.group(1)) > 90


def from_line_starts(text: str) -> list[int]:
    """Where the lines of `text` that `git mailsplit` starts a message at begin (the first line too)."""
    starts = [0] if is_from_line(_line_at(text, 0)) else []
    at = text.find(_NEXT_FROM)
    while at != -1:
        if is_from_line(_line_at(text, at + 1)):
            starts.append(at + 1)
        at = text.find(_NEXT_FROM, at + 1)
    return starts


def split_mbox(text: str) -> list[str]:
    """The messages of a mailbox as `git am` has `git mailsplit` cut them: at each `From ` line, or
    the whole text as one message when it does not open with one. `text` has its leading white space
    removed and its CRLF line ends made LF, as `git mailsplit` does without `--keep-cr`."""
    starts = from_line_starts(text)
    if not starts or starts[0] != 0:
        return [text]
    return [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]


def _line_at(text: str, at: int) -> str:
    """The line that starts at offset `at`, with its line break if it has one."""
    end = text.find("\n", at)
    return text[at : len(text) if end == -1 else end + 1]


def read_mail(text: str) -> Mail:
    """A message's headers and body as `git mailinfo` reads them (mailinfo.c mailinfo())."""
    from_line = ""
    if is_from_line(_line_at(text, 0)):
        from_line, _, text = text.partition("\n")
    headers, end = _read_headers(text, 0)
    return Mail(from_line, dict(headers), text[end:])


def _is_header(line: str) -> bool:
    """mailinfo.c is_rfc2822_header(): a field name and a colon, or an mbox `From ` line."""
    if line.startswith("From ") or line.startswith(">From "):
        return True
    for c in line:
        if c == ":":
            return True
        if not ("!" <= c <= "9" or ";" <= c <= "~"):
            return False
    return False


def _read_headers(text: str, at: int) -> tuple[list[tuple[str, str]], int]:
    """The header lines from offset `at` (folded lines unfolded, trailing white space dropped, as
    mailinfo.c read_one_header_line() reads them), and the offset of the line that ended them: the
    first empty line or line that is no header."""
    headers: list[tuple[str, str]] = []
    while at < len(text):
        end = text.find("\n", at)
        end = len(text) if end == -1 else end + 1
        line = text[at:end].rstrip(C_SPACE)
        if not line or not _is_header(line):
            return headers, at
        while end < len(text) and text[end] in " \t":
            more = text.find("\n", end)
            more = len(text) if more == -1 else more + 1
            line += " " + text[end + 1 : more].rstrip(C_SPACE)
            end = more
        name, colon, value = line.partition(":")
        # mailinfo.c cmp_header(): a header git acts on has white space after its colon.
        if colon and value[:1] and value[0] in C_SPACE:
            headers.append((name.lower(), value[1:]))
        at = end
    return headers, at
