"""How injection-text reads a text (`fold`): look-alike letters as Latin, compatibility forms as ASCII,
format characters as nothing, line breaks never touched; and the trigger search that reads the folded
lines alone gives what a search of the whole folded text gives."""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from gate.analyzers.injection.fold import fold, fold_lines, one_line_each
from gate.analyzers.injection.triggers import (
    Triggers,
    breaks_after_trigger_parts,
    lowered_text,
    read_triggers,
    trigger_lines,
)

PIECES = [
    "ignore", "ign\u043ere", "all", "previous", "instructions", "you", "y\u043eu", "are", "now",
    "\uff21\uff29", "reviewer", "r\u0435viewer", "approve", "\U0001d422\U0001d420\U0001d427",
    "ig\u00adnore", "\u200b", "\u2026", "\u00a0", " ", "  ", "\t", "\n", "\n# ", "x = 1", "\u0130",
    "\u212a", "\u03b9", "#", ":", "\r",
]  # fmt: skip


def test_format_characters_read_as_nothing_and_line_breaks_stay() -> None:
    cf = "".join(chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf")
    assert fold(f"a{cf}b") == "ab"
    assert fold("a\nb\r\nc\u2028d") == "a\nb\r\nc\u2028d"
    assert fold("ign\u043ere \uff21\uff29 \U0001d422\U0001d420") == "ignore AI ig"
    assert fold("\u041f\u0440\u0438\u0432\u0435\u0442") == "\u041fp\u0438BeT"  # read, not translated


def _whole(lines: list[str]) -> Triggers:
    """The plain way: the whole text folded, then searched."""
    folded = [fold(line) for line in lines]
    joined = lowered_text(folded)
    touched, by_phrase = trigger_lines(joined)
    return Triggers(touched, by_phrase, breaks_after_trigger_parts(joined))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_the_folded_lines_searched_alone_give_the_whole_texts_answer(pieces: list[str]) -> None:
    lines = "".join(pieces).split("\n")
    read, folded = fold_lines(lines, "\n".join(lines))
    assert list(read) == [fold(line) for line in lines]
    assert folded == [i for i, line in enumerate(lines) if fold(line) != line]
    assert read_triggers(lines, read, folded, "\n".join(lines)) == _whole(lines)


def test_a_line_break_inside_a_line_reads_as_a_space() -> None:
    lines = ["a\nb", "c"]
    assert one_line_each(lines) == (["a b", "c"], None)
    assert one_line_each(lines, "a\nb\nc") == (["a b", "c"], None)
    assert one_line_each(["a", "c"], "a\nc") == (["a", "c"], "a\nc")
