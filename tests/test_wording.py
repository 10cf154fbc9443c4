"""How notes name a few of many things."""

from __future__ import annotations

from gate.wording import first_of


def test_names_all_when_within_the_limit() -> None:
    assert first_of(["a", "b"], 2) == "a, b"
    assert first_of([], 3) == ""


def test_names_the_first_and_counts_the_rest() -> None:
    assert first_of(["a", "b", "c", "d"], 2) == "a, b and 2 more"
    assert first_of(("a", "b", "c"), 1, "; ") == "a; and 2 more"
