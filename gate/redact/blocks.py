"""Private key blocks: the base64 body under a PEM header, which no line-by-line rule recognises.

detect-secrets flags a private key by its BEGIN line only; the key itself is the base64 body that
follows, one line at a time. Inside a block, a line that ends in one base64 token (after a prefix such
as a diff marker, a line number or a quote) is key material. A block ends at its END line, at any other
line, or after MAX_KEY_LINES, so a stray BEGIN line cannot hide the rest of a diff from reviewers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gate.redact.memory import REDACTED

_KEY_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
_KEY_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
_KEY_LINE = re.compile(r"^(?P<prefix>|.*?[\s|\"'`])(?P<body>[A-Za-z0-9+/]{4,}={0,2})[\s\"'`,;\\]*$")
_KEY_MATERIAL = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
MAX_KEY_LINES = 200


def redact_key_blocks(lines: Sequence[str]) -> list[str]:
    out = list(lines)
    remaining = 0
    for i, line in enumerate(out):
        begin = _KEY_BEGIN.search(line)
        if begin is not None:
            end = _KEY_END.search(line, begin.end())
            stop = end.start() if end else len(line)
            # A one-line key ("-----BEGIN ... KEY-----MIIE...-----END ...") or text after the marker.
            out[i] = line[: begin.end()] + _KEY_MATERIAL.sub(REDACTED, line[begin.end() : stop]) + line[stop:]
            remaining = 0 if end else MAX_KEY_LINES
            continue
        if remaining == 0:
            continue
        if _KEY_END.search(line):
            remaining = 0
            continue
        m = _KEY_LINE.match(line)
        if m is None:
            remaining = 0
            continue
        out[i] = line[: m.start("body")] + REDACTED + line[m.end("body") :]
        remaining -= 1
    return out
