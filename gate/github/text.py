"""PR-derived text as the gate posts it on GitHub: sanitized by `gate.sanitize`, bounded, one-lined.

Everything posted quotes text a PR author or a model controls; posted raw it could ping people
(@org/team), hide content in HTML comments, or forge the gate's own hidden markers.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from gate import sanitize as _sanitize
from gate.github import limits

truncate = _sanitize.truncate

# A collapsible section of a finding's body (the re-generation check's diff): its opening line, with a
# plain summary, and its closing line, each on a line of its own.
_DETAILS_OPEN = re.compile(r"[ \t]*<details><summary>([^<>\n]{1,200})</summary>[ \t]*")
_DETAILS_CLOSE = re.compile(r"[ \t]*</details>[ \t]*")
DETAILS_SUMMARY_MAX_CHARS = 200


def sanitize(text: str, limit: int | None = None) -> str:
    """Escape HTML, neutralise @-mentions and foreign links, cut to `limit` characters."""
    return _sanitize.sanitize(text, max_chars=limit if limit is not None else limits.COMMENT_BODY_MAX_CHARS)


def markdown(text: str, limit: int) -> str:
    """A finding's body as a comment shows it: `gate.sanitize.markdown` (code shown as written, the rest
    inert), with each collapsible section rebuilt here around its sanitized summary and contents. The
    tags are the gate's own, written by this function, never passed through from the text; a section
    left unclosed, or nested in another, is text like any other."""
    lines = text.split("\n")
    closes = [i for i, line in enumerate(lines) if _DETAILS_CLOSE.fullmatch(line)]
    parts: list[tuple[str, str | None]] = []  # (markdown, summary of the section it is in)
    start = i = 0
    while i < len(lines):
        opening = _DETAILS_OPEN.fullmatch(lines[i])
        after = bisect_right(closes, i)
        if opening is None or after == len(closes):
            i += 1
            continue
        close = closes[after]
        parts.append(("\n".join(lines[start:i]), None))
        parts.append(("\n".join(lines[i + 1 : close]), opening.group(1)))
        start = i = close + 1
    parts.append(("\n".join(lines[start:]), None))
    out: list[str] = []
    room = limit
    for part, summary in parts:
        shown = _sanitize.markdown(part, max_chars=room) if summary is None else _details(summary, part, room)
        if shown:
            out.append(shown)
            room -= len(shown) + 2
        if _sanitize.TRUNCATED in shown or room <= len(_sanitize.TRUNCATED):
            break  # nothing is shown after a cut
    return "\n\n".join(out)


def _details(summary: str, text: str, room: int) -> str:
    head = f"<details><summary>{sanitize(one_line(summary), DETAILS_SUMMARY_MAX_CHARS)}</summary>"
    tail = "</details>"
    inner_room = room - len(head) - len(tail) - 4
    if inner_room <= len(_sanitize.TRUNCATED):
        return ""
    return f"{head}\n\n{_sanitize.markdown(text, max_chars=inner_room)}\n\n{tail}"


def suggestion_block(code: str, limit: int) -> str:
    """A ```suggestion block the suggested code cannot break out of."""
    return _sanitize.code_block(code, "suggestion", max_chars=limit)


def code_block(code: str, limit: int) -> str:
    """Code shown as written in a plain fenced block: never a change offered in one click."""
    return _sanitize.code_block(code, max_chars=limit)


def one_line(text: str) -> str:
    return " ".join(text.split())
