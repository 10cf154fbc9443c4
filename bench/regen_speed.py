"""How long the regen measures take: 8 hunks x 5 samples, the default `regen.max_hunks` x `regen.samples`.

The hunks are real functions from installed packages; each sample is a variant a model could write
(reformatted, locals renamed, a comparison flipped, a check removed), so the token sequences differ as
real samples do. Timed cold (every tokenization done afresh) and warm (the token cache filled, as when
the equivalence step or a second look reuses them). The budget is 0.2 s for all eight hunks.
"""

from __future__ import annotations

import time

from bench.regen_similarity import MUTATIONS, REWRITES, real_functions
from gate.regen.similarity import measure
from gate.regen.tokens import normalized_tokens

HUNKS = 8
SAMPLES = 5
BUDGET_S = 0.2
ROUNDS = 5


def workload() -> list[tuple[str, list[str]]]:
    """(submitted, samples) for HUNKS functions of 15+ lines, each with SAMPLES variants."""
    makers = [*REWRITES.values(), *MUTATIONS.values()]
    out: list[tuple[str, list[str]]] = []
    for _, src in real_functions():
        if src.count("\n") < 15:
            continue
        variants = [v for make in makers if (v := make(src)) is not None][:SAMPLES]
        if len(variants) == SAMPLES:
            out.append((src, variants))
        if len(out) == HUNKS:
            break
    return out


def _time_all(work: list[tuple[str, list[str]]]) -> float:
    started = time.perf_counter()
    for submitted, samples in work:
        measure(submitted, samples, "python")
    return time.perf_counter() - started


def run() -> str:
    work = workload()
    lines_per_hunk = sum(s.count("\n") for s, _ in work) / max(1, len(work))
    cold: list[float] = []
    warm: list[float] = []
    for _ in range(ROUNDS):
        normalized_tokens.cache_clear()
        cold.append(_time_all(work))
        warm.append(_time_all(work))
    verdict = "within" if max(cold) < BUDGET_S else "OVER"
    return "\n".join(
        [
            "## Regen similarity speed",
            "",
            f"{len(work)} hunks x {SAMPLES} samples (real functions, {lines_per_hunk:.0f} lines on average): "
            f"stability, agreement and consensus of every hunk, best/worst of {ROUNDS} rounds.",
            "",
            "| | best | worst | budget |",
            "| --- | ---: | ---: | ---: |",
            f"| cold (tokenize everything) | {min(cold) * 1000:.1f} ms | {max(cold) * 1000:.1f} ms "
            f"| {BUDGET_S * 1000:.0f} ms ({verdict}) |",
            f"| warm (token cache filled) | {min(warm) * 1000:.1f} ms | {max(warm) * 1000:.1f} ms | |",
            "",
        ]
    )


if __name__ == "__main__":
    print(run())
