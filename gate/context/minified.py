"""Whether a file named as minified (`app.min.js`, `site.min.css`) is minified: the one answer for the
default ignore list, which leaves minified files out, and for the AI share, which counts them as data.

A minifier writes a few very long lines. A file whose name says `.min.` but that holds many short lines
of statements is source code a person can read, and a name is no reason to leave it unread or uncounted.
Comments do not count as statements: a minified bundle keeps its licence banner.
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
_COMMENT_STARTS = ("//", "/*", "*", "<!--")


def named_minified(path: str) -> bool:
    """Whether the file's name says it is minified: `.min.` before its suffix."""
    return _MINIFIED_NAME.search(path.rsplit("/", 1)[-1]) is not None


def is_readable(lines: Iterable[str]) -> bool:
    """Whether the lines are source a person can read, not a minifier's output: READABLE_LINES of them
    are short, not blank and not a comment. Reading stops as soon as that is known."""
    count = 0
    for line in lines:
        text = line.strip()
        if text and len(text) <= READABLE_LINE_CHARS and not text.startswith(_COMMENT_STARTS):
            count += 1
            if count >= READABLE_LINES:
                return True
    return False
