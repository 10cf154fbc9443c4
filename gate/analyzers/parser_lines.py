"""Line numbers as Python's parser counts them, against those of the diff.

The parser ends a line at `\\n`, `\\r\\n` and at a lone `\\r`; git, and so every line number of the
diff, only at `\\n`. In a text holding a lone `\\r` the parser's line N lies further down than the
diff's line N, so a statement the parser places on line N is looked up among the added lines
through this map, and reported on the diff's line that holds it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable


class ParserLines:
    """The map between the parser's lines of one text and its `\\n`-separated lines."""

    def __init__(self, text: str) -> None:
        # first[n]: the parser's first line in line n of the text (first[0] unused), then the line
        # after the parser's last: line n holds the parser's lines first[n] to first[n + 1] - 1.
        first = [0]
        parser_line = 1
        pieces = text.split("\n")
        last = len(pieces) - 1
        for n, piece in enumerate(pieces):
            first.append(parser_line)
            breaks = piece.count("\r")
            if breaks and n < last and piece[-1] == "\r":
                breaks -= 1  # `\r\n`: one line break, the `\n`'s
            parser_line += breaks + 1
        first.append(parser_line)
        self._first = first

    def diff_line(self, parser_line: int) -> int:
        """The text's line (as the diff numbers it) that holds the parser's line."""
        return max(bisect.bisect_right(self._first, parser_line) - 1, 1)

    def parser_lines(self, lines: Iterable[int | None]) -> set[int]:
        """Every parser line that lies in one of the text's `lines`."""
        first = self._first
        out: set[int] = set()
        for n in lines:
            if n is not None and 0 < n < len(first) - 1:
                out.update(range(first[n], first[n + 1]))
        return out


def parser_lines(text: str) -> ParserLines | None:
    """The map for `text`, or None when the parser counts its lines as the diff does (no lone `\\r`):
    most texts, and those cost two counts."""
    if "\r" not in text:
        return None
    if text.count("\r") == text.count("\r\n"):
        return None
    return ParserLines(text)
