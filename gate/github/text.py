"""PR-derived text as the gate posts it on GitHub: sanitized by `gate.sanitize`, bounded, one-lined.

Everything posted quotes text a PR author or a model controls; posted raw it could ping people
(@org/team), hide content in HTML comments, or forge the gate's own hidden markers.
"""

from __future__ import annotations

from gate import sanitize as _sanitize
from gate.github import limits

truncate = _sanitize.truncate


def sanitize(text: str, limit: int | None = None) -> str:
    """Escape HTML, neutralise @-mentions and foreign links, cut to `limit` characters."""
    return _sanitize.sanitize(text, max_chars=limit if limit is not None else limits.COMMENT_BODY_MAX_CHARS)


def suggestion_block(code: str, limit: int) -> str:
    """A ```suggestion block the suggested code cannot break out of."""
    return _sanitize.code_block(code, "suggestion", max_chars=limit)


def one_line(text: str) -> str:
    return " ".join(text.split())
