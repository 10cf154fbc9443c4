"""Whether a file named as minified (`app.min.js`, `site.min.css`) is minified: the one answer for the
default ignore list, which leaves minified files out, and for the AI share, which counts them as data.

A minifier writes a few very long lines. A file whose name says `.min.` but that holds many short lines
of statements is source code a person can read, and a name is no reason to leave it unread or uncounted.
Comments do not count as statements: a minified bundle keeps its licence banner. A line is a comment
only when nothing but comment is on it: `/**/ fetch(...)` is a statement behind an empty comment. A
line's length is its code's, comments aside: a long comment after each statement does not make a file
of short statements look minified.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_MINIFIED_NAME = re.compile(r"\.min\.[^./]+$")
# Lines of readable source are far shorter than this; a minifier's are thousands of characters long
# (terser and esbuild write one line, Closure Compiler wraps near 500 characters).
READABLE_LINE_CHARS = 200
# Short lines of statements that make a file readable source: more than a banner and a source map line.
READABLE_LINES = 10
# Past this a line is a minifier's whatever its comments: its code is not measured (bounding the work).
MEASURED_LINE_CHARS = 100_000
# What opens a comment on a line, and what closes it (a line comment runs to the line's end).
_COMMENTS = {"/*": "*/", "<!--": "-->", "//": None}


def named_minified(path: str) -> bool:
    """Whether the file's name says it is minified: `.min.` before its suffix."""
    return _MINIFIED_NAME.search(path.rsplit("/", 1)[-1]) is not None


def is_readable(lines: Iterable[str]) -> bool:
    """Whether the lines are source a person can read, not a minifier's output: READABLE_LINES of them
    are short, not blank and not a comment. Reading stops as soon as that is known."""
    count = 0
    for line in lines:
        text = line.strip()
        if text and len(text) <= MEASURED_LINE_CHARS and 0 < len(_code(text)) <= READABLE_LINE_CHARS:
            count += 1
            if count >= READABLE_LINES:
                return True
    return False


def _code(text: str) -> str:
    """What is on the (stripped) line but comments: closed ones taken out, an open one or a line comment
    cut off with the rest of the line. A line starting with `*` is taken to be inside a block comment,
    which ends at its first `*/`. Each opener's next place is looked for once past the last: linear."""
    if text.startswith("*"):
        end = text.find("*/")
        text = text[end + 2 :] if end >= 0 else ""
    pieces: list[str] = []
    at = 0
    ahead = {opener: text.find(opener) for opener in _COMMENTS}
    while True:
        found = [(where, opener) for opener, where in ahead.items() if where >= 0]
        if not found:
            pieces.append(text[at:])
            break
        where, opener = min(found)
        pieces.append(text[at:where])
        closer = _COMMENTS[opener]
        if closer is None or (end := text.find(closer, where + len(opener))) < 0:
            break
        at = end + len(closer)
        ahead = {o: (w if w >= at else text.find(o, at)) if w >= 0 else -1 for o, w in ahead.items()}
    return "".join(pieces).strip()
