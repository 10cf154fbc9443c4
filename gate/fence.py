"""Text set apart as a block: fenced for a prompt or a comment, unfenced from a model's answer.

Two kinds of block, each one function. `fence` is a Markdown code fence whose backtick run is longer
than any inside the text, so the text cannot close it (code shown to a model, code posted in a
comment); `unfence` takes back out what a model wrapped in one. `data_block` sets untrusted text
between markers tagged with a hash of the text, for the prompts that declare such blocks data.
"""

from __future__ import annotations

import hashlib
import re

TICKS = "```"  # the shortest Markdown code fence
DATA_TAG_CHARS = 12  # hex digits of the block's sha256 in its markers: a tag the text cannot guess
_DATA_END = "=====END UNTRUSTED DATA"
_DATA_END_QUOTED = "=====END-UNTRUSTED-DATA (quoted)"


def fence(text: str, info: str = "") -> str:
    """Fence text with a backtick run longer than any inside it, so the text cannot close the fence."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(len(TICKS), longest + 1)
    return f"{ticks}{info}\n{text.rstrip(chr(10))}\n{ticks}"


def unfence(text: str) -> str:
    """What is inside the Markdown fence a model wrapped its whole answer in, line by line; `text`
    unchanged when it is not fenced. Models fence code, and JSON even in JSON mode. Lines are split at
    newlines only: a U+2028 or a carriage return inside a JSON string or a code line stays as it was."""
    lines = text.strip("\n").split("\n")
    if len(lines) < 2 or not lines[0].lstrip().startswith(TICKS):
        return text
    last = lines[-1].rstrip()
    if last.lstrip().startswith(TICKS):
        return "\n".join(lines[1:-1]) + "\n"
    if last.endswith(TICKS):  # the closing fence on the last line of the content
        return "\n".join([*lines[1:-1], last.rstrip("`")]) + "\n"
    return text


def data_block(text: str, what: str) -> str:
    """Untrusted text between markers tagged with its hash, under a line saying what it is."""
    tag = hashlib.sha256(text.encode()).hexdigest()[:DATA_TAG_CHARS]
    # A forged marker inside the data is neutralised; the real one carries the hash of this block.
    safe = text.replace(_DATA_END, _DATA_END_QUOTED)
    return f"{what}:\n=====BEGIN UNTRUSTED DATA {tag}=====\n{safe.rstrip()}\n{_DATA_END} {tag}====="
