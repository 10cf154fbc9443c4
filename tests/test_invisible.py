"""`invisible.finditer` reads only the lines an invisible character can stand on: the same matches as the
table's pattern over the whole text, wherever they stand."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable

import pytest

from gate import invisible
from gate.invisible import INVISIBLE, RANGES


def _spans(matches: Iterable[re.Match[str]]) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in matches]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain ascii\nand more\n",
        "a NUL\x00 in an ASCII text",
        "é on one line\na NUL\x00 on an ASCII line below",
        "\u200bat the very start",
        "at the very end\u200b",
        "line one\n\u202eat a line's start\nx",
        "line one\u2066\nnext",
        "crlf\r\n\U000e0041\U000e0042 tags\r\n",
        "\n\n\u00ad\n\n",
        "❤️ a presentation selector, é, 葛󠄀",
        "no invisible at all, but → and é and 漢字\nand ascii",
    ],
)
def test_the_same_matches_as_the_pattern_over_the_whole_text(text: str) -> None:
    assert _spans(invisible.finditer(text)) == _spans(INVISIBLE.finditer(text))
    assert invisible.holds(text) == (INVISIBLE.search(text) is not None)


def test_the_same_matches_on_random_texts_of_every_kind_of_character() -> None:
    rng = random.Random(20261206)
    pool = [
        *"abc xyz=;\t\r",
        *("\n" * 6),
        "\x00",
        "é",
        "→",
        "漢",
        "\U0001f600",
        *(chr(rng.randint(a, b)) for a, b, _ in RANGES for _ in range(3)),
    ]
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 60)))
        assert _spans(invisible.finditer(text)) == _spans(INVISIBLE.finditer(text)), repr(text)


def test_shown_escapes_what_hides_something_in_a_long_text_of_mostly_ascii_lines() -> None:
    lines = [f"+{n} | value = compute({n})  # plain" for n in range(2000)]
    lines[700] += " \u202e reversed"
    lines[1500] = "é\x00" + lines[1500]
    shown = invisible.shown("\n".join(lines)).split("\n")
    assert shown[700].endswith(" \\u202e reversed")
    assert shown[1500].startswith("é\\x00+1500 |")
    assert [line for n, line in enumerate(shown) if n not in (700, 1500)] == [
        line for n, line in enumerate(lines) if n not in (700, 1500)
    ]
