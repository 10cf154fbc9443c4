"""Whether a file named as minified (`app.min.js`, `site.min.css`) is minified: the one answer for the
default ignore list, which leaves minified files out, and for the AI share, which counts them as data.

A minifier writes a few very long lines. A file whose name says `.min.` but that holds many short lines
of statements is source code a person can read, and a name is no reason to leave it unread or uncounted.
Comments do not count as statements: a minified bundle keeps its licence banner. A line is a comment
only when nothing but comment is on it: `/**/ fetch(...)` is a statement behind an empty comment.
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
# Comments closed on the line, taken out before the rest is judged.
_CLOSED_COMMENTS = re.compile(r"/\*.*?\*/|<!--.*?-->")
# What is left that opens a comment running to the end of the line (or past it).
_COMMENT_STARTS = ("//", "/*", "<!--")


def named_minified(path: str) -> bool:
    """Whether the file's name says it is minified: `.min.` before its suffix."""
    return _MINIFIED_NAME.search(path.rsplit("/", 1)[-1]) is not None


def is_readable(lines: Iterable[str]) -> bool:
    """Whether the lines are source a person can read, not a minifier's output: READABLE_LINES of them
    are short, not blank and not a comment. Reading stops as soon as that is known."""
    count = 0
    for line in lines:
        text = line.strip()
        if text and len(text) <= READABLE_LINE_CHARS and _has_code(text):
            count += 1
            if count >= READABLE_LINES:
                return True
    return False


def _has_code(text: str) -> bool:
    """Whether anything but comment is on the (stripped) line. A line starting with `*` is taken to be
    inside a block comment, which ends at its first `*/`."""
    if text.startswith("*"):
        end = text.find("*/")
        text = text[end + 2 :] if end >= 0 else ""
    rest = _CLOSED_COMMENTS.sub("", text).strip()
    return bool(rest) and not rest.startswith(_COMMENT_STARTS)
