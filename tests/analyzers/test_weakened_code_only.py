"""`code_only`: a line with its string literals emptied, read by one regular expression; here against a
plain character-by-character reading of the same rule, on any text of quotes, backslashes and words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gate.analyzers.weakened_tests.lines import code_only


def _read_by_hand(text: str) -> str:
    """Each string emptied to its two quotes: it runs from a quote to the same quote, a backslash takes
    the character after it along, and one left open runs to the end of the line."""
    out: list[str] = []
    i, start = 0, 0
    while i < len(text):
        quote = text[i]
        if quote not in "\"'`":
            i += 1
            continue
        out.append(text[start:i] + quote * 2)
        i += 1
        while i < len(text) and text[i] != quote:
            i += 2 if text[i] == "\\" else 1
        i += 1
        start = i
    out.append(text[start:])
    return "".join(out)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="ab\"'`\\ #\n\u00e9", max_size=40))
def test_each_string_is_emptied_as_read_by_hand(text: str) -> None:
    assert code_only(text) == _read_by_hand(text)


def test_strings_are_emptied_and_the_code_kept() -> None:
    assert code_only('pytest.mark.skip("not now")  # x') == 'pytest.mark.skip("")  # x'
    assert code_only("it('skips \\' this', () => {})") == "it('', () => {})"
    assert code_only('x = "open to the end') == 'x = ""'
    assert code_only("ends with a backslash '\\") == "ends with a backslash ''"
    assert code_only("no strings here") == "no strings here"
