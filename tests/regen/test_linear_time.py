"""Normalizing a region's code takes time linear in its characters, whatever their shape.

A region is capped at 150 lines, not at characters: a few long lines of a pull request can hold tens of
kilobytes. Each adversarial shape (functions nested in functions, function keywords that open no body,
many names bound beside many bodies, parameter lists that never close, parentheses after `return` or
`in` nested in each other, statements that are strings) is normalized at about 7 KB and 72 KB. The CPU
time of this process (`time.process_time`, best of three) may grow about tenfold between the two: a
quadratic pass grows a hundredfold. No wall-clock limit here.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from gate.regen.tokens import Surroundings, normalized_tokens

SIZES = (7_200, 72_000)
# Growth allowed from the small to the large input (linear: about 10; quadratic: about 100), and the
# time under which a measurement is too small to compare (timer resolution, interpreter noise).
MAX_GROWTH = 30
FLOOR_SECONDS = 0.02
# A name the code around reads: the region's assignments are checked against it, as in a real run.
AROUND = Surroundings(code="total += 1\n", language="javascript")


def _repeated(make: Callable[[int], str], size: int) -> str:
    """The shortest code `make(n)` gives that holds at least `size` characters."""
    n = 1
    while len(make(n)) < size:
        n *= 2
    low, high = n // 2, n
    while low < high:
        mid = (low + high) // 2
        low, high = (mid + 1, high) if len(make(mid)) < size else (low, mid)
    return make(high)


# Each shape makes one region's code from a count of repetitions; (language, maker).
SHAPES: dict[str, tuple[str, Callable[[int], str]]] = {
    "nested functions": (
        "javascript",
        lambda n: "  " + "".join(f"function f{i}(a) {{ let v{i} = a; " for i in range(n)) + "} " * n,
    ),
    "nested arrow functions": (
        "typescript",
        lambda n: "  " + "".join(f"const g{i} = (a) => {{ let v{i} = a; " for i in range(n)) + "} " * n,
    ),
    "function keywords that open no body": ("javascript", lambda n: "  " + "g(function); " * n),
    "names bound beside many bodies": ("javascript", lambda n: "  " + "a = 1; function () {} " * n),
    # `<` counts as a bracket in a parameter list: each list below reads on to the end of the code.
    "parameter lists that never close": (
        "javascript",
        lambda n: "  " + " ".join(f"function f{i}(a = x < y) {{ }}" for i in range(n)),
    ),
    "clause parentheses nested in clause parentheses": (
        "typescript",
        lambda n: "  " + "return (h(function () { " * n + "})) " * n,
    ),
    # ast.unparse puts each statement on a line of its own; a string that starts one looks ahead.
    "Python statements that are strings": ("python", lambda n: "    " + "'';" * n + "x = 1"),
    # Deeper than Python's parser accepts: read from the tokenizer's tokens alone.
    "Python tuples nested after `in`": ("python", lambda n: "    ok = x in (a, " * n + "b" + ")" * n),
}  # fmt: skip


def _best_of_three(code: str, language: str) -> float:
    best = float("inf")
    for _ in range(3):
        normalized_tokens.cache_clear()
        started = time.process_time()
        tokens = normalized_tokens(code, language, AROUND)
        best = min(best, time.process_time() - started)
        assert tokens  # the code was read, not refused
    return best


@pytest.mark.growth
@pytest.mark.parametrize("shape", list(SHAPES))
def test_normalizing_grows_linearly_with_the_region(shape: str) -> None:
    language, make = SHAPES[shape]
    times = {size: _best_of_three(_repeated(make, size), language) for size in SIZES}
    small, large = max(times[SIZES[0]], FLOOR_SECONDS), times[SIZES[1]]
    shown = ", ".join(f"{size // 1000} KB {t:.3f} s" for size, t in times.items())
    assert large / small < MAX_GROWTH, f"{shape} grows faster than linear: {shown}"
