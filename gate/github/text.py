"""Make PR-derived text safe to post on GitHub: no live HTML, no @-mentions, bounded length.

Everything the gate posts quotes text a PR author controls (titles from analyzers quoting code, model
output, file paths). Posted unescaped it could ping people (@org/team), hide content in HTML comments,
or forge our own hidden marker.
"""

from __future__ import annotations

import re

_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
_ELLIPSIS = "…"


def sanitize(text: str, limit: int | None = None) -> str:
    """Escape HTML, neutralise @-mentions (a zero-width joiner after @), cut to `limit` characters."""
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = _MENTION.sub("@\u200d", out)
    return truncate(out, limit) if limit is not None else out


def sanitize_code(text: str, limit: int | None = None) -> str:
    """Text that goes inside a fenced code block: rendered literally, so only the fence needs care."""
    out = text.replace("```", "`\u200b``")
    return truncate(out, limit) if limit is not None else out


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(_ELLIPSIS))] + _ELLIPSIS


def one_line(text: str) -> str:
    return " ".join(text.split())
