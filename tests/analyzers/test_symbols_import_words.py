"""The keyword-led search for import statements that decides whether phantom-symbols parses a file finds
exactly what the statement pattern's own scan finds, on any text: a miss would leave a file that
imports the repository unchecked."""

from __future__ import annotations

import random

import pytest

from gate.analyzers.symbols.text_looks import _IMPORT_WORDS, import_words

# Pieces that meet at the pattern's edges: line starts, `;` and `:`, the spaces the pattern allows
# before a keyword and those it does not, keywords inside words, Unicode spaces and letters, NUL, lone
# carriage returns, comments.
PIECES = (
    "import",
    "from",
    " ",
    "\t",
    "\f",
    "\v",
    "\n",
    "\r",
    "\r\n",
    ";",
    ":",
    "#",
    ",",
    ".",
    "(",
    "pkg",
    "x",
    "_",
    "1",
    "\x00",
    "\u3000",
    "\u2028",
    "\x85",
    "ｐｋｇ",
    "é",
    "re",
    "port",
    "as",
)

CASES = (
    "",
    "import",
    "from",
    "from pkg import x",
    "import pkg, other",
    "  import pkg\n\tfrom . import x",
    "x = 1; import pkg",
    "if c: import pkg",
    "if c:import pkg;from pkg import y",
    "import a:import pkg",
    "from\n\nimport x",
    "from .import x",
    "reimport pkg\nxfrom pkg import y",
    "import a  \n  from pkg import b",
    "import a # import pkg\nimport b",
    "fromimport importfrom",
    "\f\t import pkg",
    ";;; import pkg",
    " " * 5000 + "import pkg",
    "x" + " " * 5000 + "import pkg",
    "import " + "a, " * 2000 + "pkg",
    "import import import from from from",
)


def _reference(text: str) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in _IMPORT_WORDS.finditer(text)]


def _keyword_led(text: str) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in import_words(text)]


@pytest.mark.parametrize("text", CASES)
def test_written_cases_match_the_patterns_own_scan(text: str) -> None:
    assert _keyword_led(text) == _reference(text)


def test_random_texts_of_edge_pieces_match_the_patterns_own_scan() -> None:
    rng = random.Random(20261204)
    for _ in range(4000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 40)))
        assert _keyword_led(text) == _reference(text), repr(text)


def test_a_long_line_of_keywords_matches_the_patterns_own_scan() -> None:
    rng = random.Random(7)
    text = "".join(rng.choice(("import ", "from ", "; ", ": ", "x ", "\t", "pkg, ")) for _ in range(20000))
    assert _keyword_led(text) == _reference(text)
