"""Re-indented lines are paired with the lines they replace by aligning a hunk's removed and added lines
whole, not run by run, in time linear in the hunk whatever its shape: CPU time (time.process_time, best
of 3) on hunks of 1,000, 10,000 and 100,000 lines grows far below quadratic. A quadratic alignment makes
each 10x step cost about 100x; linear gives about 10x."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from itertools import pairwise

import pytest

from gate.diff.model import FileChange
from gate.diff.parser import parse_diff
from gate.provenance.whitespace_changes import _exact, whitespace_only

SIZES = (1_000, 10_000, 100_000)  # lines on each side of the hunk
FLOOR = 0.002  # seconds: below this, a timer's noise dominates

Shape = Callable[[int], tuple[list[str], list[str]]]


def _class_wrap(n: int) -> tuple[list[str], list[str]]:
    """Functions, two blank lines apart, become methods one blank line apart."""
    old: list[str] = []
    new = ["class Legacy:"]
    for i in range(n // 4):
        old += [f"def helper_{i}(value):", f"    return value + {i}", "", ""]
        new += [f"    def helper_{i}(value):", f"        return value + {i}", ""]
    return old, new


def _reindented(old: list[str]) -> list[str]:
    return ["    " + text for text in old]


def _unique(n: int) -> list[str]:
    return [f"value_{i} = compute({i})" for i in range(n)]


def _shuffled(n: int) -> tuple[list[str], list[str]]:
    old = _unique(n)
    new = _reindented(old)
    random.Random(0).shuffle(new)
    return old, new


def _neighbours_swapped(n: int) -> tuple[list[str], list[str]]:
    old = _unique(n)
    new = _reindented([old[i ^ 1] for i in range(n)])
    return old, new


def _repeats_between_unique_lines(n: int) -> tuple[list[str], list[str]]:
    old = [text for i in range(n // 4) for text in (f"def f_{i}():", "x = 1", "x = 1", "return x")]
    new = [text for i in range(n // 4) for text in (f"def f_{i}():", "return x", "x = 1", "pass")]
    return old, _reindented(new)


SHAPES: dict[str, Shape] = {
    "class wrap, one blank line for two": _class_wrap,
    "one text throughout, one line more": lambda n: (["pass"] * n, ["    x"] + ["    pass"] * n),
    "two texts alternating, swapped": lambda n: (["a", "b"] * (n // 2), ["    b", "    a"] * (n // 2)),
    "every line once, reversed": lambda n: (_unique(n), _reindented(_unique(n))[::-1]),
    "every line once, shuffled": _shuffled,
    "every line once, neighbours swapped": _neighbours_swapped,
    "repeated lines between lines found once": _repeats_between_unique_lines,
}


def _change(old: list[str], new: list[str]) -> FileChange:
    hunk = f"@@ -1,{len(old)} +1,{len(new)} @@\n" + "".join(
        [f"-{text}\n" for text in old] + [f"+{text}\n" for text in new]
    )
    diff = parse_diff("diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n" + hunk)
    return diff.files[0]


def _cpu(change: FileChange) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        whitespace_only(change, None)
        best = min(best, time.process_time() - started)
    return max(best, FLOOR)


@pytest.mark.growth
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_aligning_a_hunk_grows_linearly(shape: str) -> None:
    changes = [_change(*SHAPES[shape](n)) for n in SIZES]
    small, medium, large = (_cpu(change) for change in changes)
    assert large / medium < 30, f"{shape}: {small:.4f} / {medium:.4f} / {large:.4f} s"
    assert medium / small < 30, f"{shape}: {small:.4f} / {medium:.4f} / {large:.4f} s"


def test_a_class_wrap_pairs_every_reindented_line_however_large() -> None:
    """Each re-indented line pairs, and each blank line between methods takes the place of one of the
    two between functions."""
    old, new = _class_wrap(SIZES[-1])
    reindented, blanks = len([text for text in old if text]), new.count("")
    assert len(whitespace_only(_change(old, new), None)) == reindented + blanks


def _lcs_length(old: list[str], new: list[str]) -> int:
    previous = [0] * (len(new) + 1)
    for text in old:
        row = [0]
        for j, other in enumerate(new):
            row.append(previous[j] + 1 if text == other else max(previous[j + 1], row[j]))
        previous = row
    return previous[-1]


def test_a_small_stretch_is_aligned_by_a_longest_common_subsequence_its_earliest_lines_first() -> None:
    rng = random.Random(20261206)
    for _ in range(3000):
        texts = [f"line {k}" for k in range(rng.randint(1, 5))]
        old = [rng.choice(texts) for _ in range(rng.randint(0, 20))]
        new = [rng.choice(texts) for _ in range(rng.randint(0, 20))]
        pairs = _exact(old, new, 0, len(old), 0, len(new))
        assert len(pairs) == _lcs_length(old, new)
        assert all(old[at] == new[to] for at, to in pairs)
        assert all(a < b and c < d for (a, c), (b, d) in pairwise(pairs))
    # A text repeated on the old side pairs with its first place there.
    assert _exact(["a", "x", "a"], ["a"], 0, 3, 0, 1) == [(0, 0)]
    assert _exact(["x", "a", "b", "a"], ["a", "b", "a", "y"], 1, 4, 0, 4) == [(1, 0), (2, 1), (3, 2)]
