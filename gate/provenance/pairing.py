"""How a line a person wrote finds the AI line it lightly edits among AI lines in order, for both places
edits.py pairs lines: the AI lines a commit replaced in place (edits.py) and the AI lines gone
(gone_lines.py). Each gives its lines through `AiLines`; the rules are written here once.

A line is paired with the first AI line from where the pairing stands (`at`) that it lightly edits
(light_edits.py) among the next PAIR_WINDOW, or further on with one whose code it keeps but for a
comment (`same_code`), or with one of those further on whose form it keeps (`same_form`). The names a
commit renames throughout (renames.py) are learnt from its lines beside the AI lines of their form
(`form_pairs`), the same way.

Both compare code formatting aside (formatting.py), as the carry reads a line. Where the two places
differ, each says so in its `AiLines`: in place, no AI line further on is taken for its form; among
the lines gone, a few lines of the same form further on are tried. A pair in place needs no neighbour
to vouch for it (edits.py), a pair with a line gone does (gone_lines.py): only there can the search
reach as far.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from gate.provenance.light_edits import Renames, form, lightly_edited, may_be_edited, shape

# How many AI lines past the last paired one a line looks for the AI line it edits: a person who edits
# a run of AI lines may also add or drop a few lines within it.
PAIR_WINDOW = 5


class AiLines(Protocol):
    """AI lines in order, each at a position, that the lines a person wrote may pair with."""

    def after(self, at: int, limit: int) -> Sequence[int]:
        """The first `limit` positions from `at` on still to pair, ascending."""
        ...

    def text(self, position: int) -> str:
        """The AI line as its AI commit wrote it."""
        ...

    def measure(self, position: int) -> tuple[str | None, tuple[int, str]]:
        """The comment marker of the AI line's file, and its code's length whitespace aside and its form
        (`may_be_edited`)."""
        ...

    def same_code(self, text: str, marker: str | None, at: int) -> int | None:
        """The first position from `at` on of an AI line whose code `text` keeps but for a comment."""
        ...

    def same_form(self, text_form: str, at: int) -> Sequence[int]:
        """The positions from `at` on of the AI lines of that form to try beyond the next PAIR_WINDOW."""
        ...


def first_edited(lines: AiLines, text: str, at: int, marker: str | None, renames: Renames) -> int | None:
    """The position of the first AI line from `at` on that `text` lightly edits (`renames` aside): among
    the next PAIR_WINDOW, or further on one whose code `text` keeps but for a comment, or one of the
    AI lines further on whose form `text` keeps. Most lines are told apart by length and form alone."""
    code, text_form = shape(text, marker)[1], form(text, marker)
    measured = (len(code), text_form)
    next_ones = lines.after(at, PAIR_WINDOW)
    for position in next_ones:
        ai_marker, ai_measured = lines.measure(position)
        # `may_be_edited` reads the AI line as its own file's marker leaves it.
        if (ai_marker != marker or may_be_edited(ai_measured, measured)) and lightly_edited(
            lines.text(position), text, marker, renames
        ):
            return position
    if (found := lines.same_code(text, marker, at)) is not None:
        return found
    for position in lines.same_form(text_form, at):
        if position not in next_ones and lightly_edited(lines.text(position), text, marker, renames):
            return position
    return None


def form_pairs(
    written: Iterable[str], marker: str | None, lines: AiLines, at: int = 0
) -> list[tuple[str, str]]:
    """(AI line, line) for each line of `written` beside the first of the next PAIR_WINDOW AI lines from
    `at` on that has its form, the pairing going on after each: what renames.py learns a commit's
    renames from."""
    pairs = []
    for text in written:
        if not (text_form := form(text, marker)):
            continue
        next_ones = lines.after(at, PAIR_WINDOW)
        if not next_ones:
            break
        for position in next_ones:
            if lines.measure(position)[1][1] == text_form:
                pairs.append((lines.text(position), text))
                at = position + 1
                break
    return pairs
