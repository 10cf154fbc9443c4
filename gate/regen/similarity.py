"""How alike two pieces of code are, and what a set of re-generations says about the submitted code.

Similarity is the normalized Levenshtein similarity (rapidfuzz) of the two normalized token sequences
(`gate.regen.tokens`): 1.0 when they differ only in layout, comments or the names of locals (names the
code around the region never mentions), lower with every token that changes. It says "written
differently", not "behaves differently"; the equivalence call decides the latter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from rapidfuzz.distance import Levenshtein

from gate.regen.tokens import NOWHERE, Surroundings, normalized_tokens

# Tokens after which a statement (or a block header) ends, in the normalized sequences of every language.
STATEMENT_BOUNDARIES = frozenset({";", ":", "{", "}", "<dedent>"})


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Normalized edit similarity of two token sequences, in [0, 1]; two empty sequences are equal."""
    if not a and not b:
        return 1.0
    return float(Levenshtein.normalized_similarity(a, b))


def code_similarity(a: str, b: str, language: str, around: Surroundings = NOWHERE) -> float:
    return similarity(normalized_tokens(a, language, around), normalized_tokens(b, language, around))


@dataclass(frozen=True)
class Measures:
    """What the re-generations of one region say, all in [0, 1]."""

    stability: float  # mean pairwise similarity of the re-generations
    agreement_max: float  # similarity of the submitted code to its closest re-generation
    agreement_mean: float  # mean similarity of the submitted code to the re-generations
    medoid: int  # index of the re-generation closest to all others: the consensus
    # Mean distance from a re-generation to its nearest other re-generation: how tight the consensus is.
    spread: float
    # Indexes of the re-generations that sit with the medoid (similarity to it at least the stability).
    consensus: tuple[int, ...]


def measure(
    submitted: str, samples: Sequence[str], language: str, around: Surroundings = NOWHERE
) -> Measures:
    """Stability, agreement and consensus of at least two re-generations of a region (in `around`, which
    says which names the region binds are its own to rename).

    Statements that open or close every version alike (a function's signature, a final `return`)
    are what the surrounding code dictates, not what the models chose; they are set aside first so
    that agreeing on them does not count as agreeing on the region.
    """
    if len(samples) < 2:
        raise ValueError("measure needs at least two re-generations")
    own, *seqs = _without_common_frame(
        [normalized_tokens(c, language, around) for c in (submitted, *samples)]
    )
    count = len(seqs)
    pair = [[1.0] * count for _ in range(count)]
    for i, j in combinations(range(count), 2):
        pair[i][j] = pair[j][i] = similarity(seqs[i], seqs[j])
    pairs = [pair[i][j] for i, j in combinations(range(count), 2)]
    stability = sum(pairs) / len(pairs)
    totals = [sum(row) for row in pair]
    medoid = max(range(count), key=lambda i: (totals[i], -i))
    nearest = [max(pair[i][j] for j in range(count) if j != i) for i in range(count)]
    spread = sum(1.0 - s for s in nearest) / count
    consensus = tuple(i for i in range(count) if i == medoid or pair[medoid][i] >= stability)
    agreements = [similarity(own, s) for s in seqs]
    return Measures(
        stability=stability,
        agreement_max=max(agreements),
        agreement_mean=sum(agreements) / count,
        medoid=medoid,
        spread=spread,
        consensus=consensus,
    )


def _without_common_frame(seqs: Sequence[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The sequences without the leading and trailing statements that all of them share."""
    units = [_statements(seq) for seq in seqs]
    shortest = min(len(u) for u in units)
    head = 0
    while head < shortest and all(u[head] == units[0][head] for u in units):
        head += 1
    tail = 0
    while tail < shortest - head and all(u[-1 - tail] == units[0][-1 - tail] for u in units):
        tail += 1
    return [tuple(t for unit in u[head : len(u) - tail] for t in unit) for u in units]


def _statements(seq: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Split after each statement end, block opener or closer at bracket depth 0."""
    out: list[tuple[str, ...]] = []
    start = depth = 0
    for i, tok in enumerate(seq):
        if tok in ("(", "["):
            depth += 1
        elif tok in (")", "]"):
            depth = max(0, depth - 1)
        if depth == 0 and tok in STATEMENT_BOUNDARIES:
            out.append(seq[start : i + 1])
            start = i + 1
    if start < len(seq):
        out.append(seq[start:])
    return out
