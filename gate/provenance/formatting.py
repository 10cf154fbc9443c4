"""A line's text as a formatter could have left it: what the provenance reads as the same line.

black, prettier and their kind change how a line is written without changing the code: whitespace,
the kind of quotes, a `u` string prefix, a trailing comma before a closing bracket or at the end of a
line, a semicolon at the end of a line. `unformatted` sets all of these aside. The carry (carry.py)
gives back a line whose text an AI commit wrote, so read; the AI lines gone (gone_lines.py) are looked
up by it too, so that a line moved, reformatted and edited is found as well.
"""

from __future__ import annotations

import re
from functools import cache

_STRING_PREFIX = re.compile(r"\b[uU](?=\")")  # u"text" is "text" (Python 2's unicode literal)
_TRAILING_COMMA = re.compile(r",+(?=[)\]}])")  # black's magic trailing comma, prettier's trailingComma


@cache  # emptied when the carry ends (`unformatted.cache_clear`)
def unformatted(text: str) -> str:
    """The text as a formatter could have left it: no whitespace, one kind of quote, no `u` string
    prefix, no trailing comma before a closing bracket, no comma or semicolon at the end."""
    key = text.replace("'", '"')
    if 'u"' in key or 'U"' in key:
        key = _STRING_PREFIX.sub("", key)  # before the whitespace goes: `return u"x"` is no `returnu`
    key = "".join(key.split())
    if ",)" in key or ",]" in key or ",}" in key:
        key = _TRAILING_COMMA.sub("", key)
    return key.rstrip(",;")
