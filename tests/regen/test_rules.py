"""The thresholds that turn measures into findings, and the small rules around samples."""

from __future__ import annotations

import pytest

from gate.config.models import Regen
from gate.fence import unfence
from gate.regen.findings import Assessment, assess, consensus_stability, reindent
from gate.regen.sampling import plan, trim_echo
from gate.regen.similarity import Measures


def m(stability: float, agreement: float, spread: float = 0.0) -> Measures:
    return Measures(stability, agreement, agreement, medoid=0, spread=spread, consensus=(0, 1))


@pytest.mark.parametrize(
    ("measures", "expected"),
    [
        (m(0.20, 1.00), Assessment.UNSTABLE),  # disagreeing samples: unstable even if one matches
        (m(1.00, 1.00), Assessment.CONSISTENT),  # identical up to layout and names
        (m(1.00, 0.98), Assessment.OUTLIER_CANDIDATE),  # samples identical, submitted one token apart
        (m(0.80, 0.85, spread=0.10), Assessment.CONSISTENT),  # as far as samples are from each other
        (m(0.80, 0.70, spread=0.10), Assessment.OUTLIER_CANDIDATE),  # farther than twice the spread
        (m(0.50, 0.30, spread=0.10), Assessment.UNSETTLED),  # no consensus to be an outlier from
    ],
)
def test_assessment(measures: Measures, expected: Assessment) -> None:
    assert assess(measures, Regen()) is expected


def test_a_stricter_min_stability_raises_the_consensus_bar() -> None:
    assert consensus_stability(Regen()) == 0.6
    assert consensus_stability(Regen(min_stability=0.7)) == 0.7
    assert assess(m(0.65, 0.30, spread=0.05), Regen(min_stability=0.7)) is Assessment.UNSTABLE


def test_samples_spread_over_models() -> None:
    assert plan(5, ["a", "b"]) == [("a", 3), ("b", 2)]
    assert plan(5, ["a", "b", "c"]) == [("a", 2), ("b", 2), ("c", 1)]
    assert plan(2, ["a", "b", "c"]) == [("a", 1), ("b", 1)]
    assert plan(5, []) == []


def test_answers_are_unwrapped_and_trimmed_to_the_region() -> None:
    assert unfence("```python\nx = 1\n```") == "x = 1\n"
    assert unfence("x = 1\n") == "x = 1\n"
    before, after = ("def f(a):", "    total = 0"), ("    return total",)
    echoed = "def f(a):\n    total = 0\n    total += a\n    return total\n"
    assert trim_echo(echoed, before, after) == "    total += a\n"
    assert trim_echo("    total += a\n", before, after) == "    total += a\n"


def test_the_consensus_is_shown_at_the_region_indentation() -> None:
    assert (
        reindent("if x:\n    y()\n", like="        if a:\n            b()\n")
        == "        if x:\n            y()\n"
    )
