"""A guard against pathological slowness of the measures (the real figure is in bench/regen_speed.py)."""

from __future__ import annotations

import time

from gate.regen.similarity import measure
from gate.regen.tokens import normalized_tokens
from tests.regen.samples import SCATTERED, STRICTER


def test_eight_hunks_of_five_samples_measure_quickly() -> None:
    hunks = [(STRICTER[0].replace("2)", f"{i})"), list(SCATTERED)) for i in range(8)]
    normalized_tokens.cache_clear()
    started = time.perf_counter()
    for submitted, samples in hunks:
        measure(submitted, samples, "python")
    assert time.perf_counter() - started < 1.0  # the bench budget is 0.2 s; this only catches blow-ups
