"""Near misses of popular package names: the typosquatting shape (`reqeusts`, `lodahs`, `python-dateutils`).

The bundled lists hold the most-downloaded names of each registry, most popular first. A new name is a
near miss when it is not itself on the list and lies within a small edit distance (transpositions count
as one edit) of one of the most popular names; known legitimate look-alikes are excluded.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rapidfuzz import process
from rapidfuzz.distance import OSA

from gate.analyzers.dependencies.model import Ecosystem

# How many of the most popular names are typosquatting targets; the rest of the list only vouches
# that a name is well known (and so not itself a typo).
TARGETS = 3000
# Names this short differ from some popular name by one edit far too often to mean anything.
MIN_LENGTH = 5

_DATA: dict[Ecosystem, str] = {Ecosystem.PYPI: "popular-pypi.txt", Ecosystem.NPM: "popular-npm.txt"}

# Real, popular-enough pairs that look like typos of each other.
KNOWN_PAIRS: frozenset[tuple[str, str]] = frozenset(
    {
        ("pypi", "pyyaml"),
        ("pypi", "ruamel-yaml"),
        ("pypi", "boto"),
        ("pypi", "pytest-cov"),
    }
)


@dataclass(frozen=True)
class NearMiss:
    name: str
    popular: str
    distance: int
    rank: int  # 1 = the most downloaded


@dataclass(frozen=True)
class _Popular:
    targets: tuple[str, ...]
    known: frozenset[str]
    rank: dict[str, int]
    longest: int  # the longest target: a name longer by more than the edit limit is no near miss


@lru_cache(maxsize=len(_DATA))  # the bundled popular-names list of each ecosystem, read once per process
def _popular(ecosystem: Ecosystem) -> _Popular:
    text = resources.files("gate.data").joinpath(_DATA[ecosystem]).read_text(encoding="utf-8")
    names = [_key(n, ecosystem) for n in text.splitlines() if n.strip() and not n.startswith("#")]
    names = list(dict.fromkeys(names))
    targets = tuple(names[:TARGETS])
    rank = {n: i + 1 for i, n in enumerate(names)}
    return _Popular(targets, frozenset(names), rank, max(map(len, targets), default=0))


def _key(name: str, ecosystem: Ecosystem) -> str:
    return ecosystem.normalize(name).lower()


def is_popular(name: str, ecosystem: Ecosystem) -> bool:
    """Whether the bundled list of the most downloaded names holds `name` (PyPI and npm only)."""
    return ecosystem in _DATA and _key(name, ecosystem) in _popular(ecosystem).known


def near_miss(name: str, ecosystem: Ecosystem) -> NearMiss | None:
    if ecosystem not in _DATA:
        return None  # no download ranking is bundled for this registry (Go, crates.io)
    key = _key(name, ecosystem)
    popular = _popular(ecosystem)
    if key in popular.known or len(key) < MIN_LENGTH or (ecosystem.value, key) in KNOWN_PAIRS:
        return None
    limit = 1 if len(key) < 9 else 2
    if len(key) > popular.longest + limit:
        return None  # more edits away from every target than the limit, by length alone
    best = process.extractOne(key, popular.targets, scorer=OSA.distance, score_cutoff=limit)
    if best is None:
        return None
    target, distance, _ = best
    if _same_family(key, target):
        return None
    return NearMiss(name, target, int(distance), popular.rank[target])


def _same_family(name: str, target: str) -> bool:
    """`types-requests`, `@types/lodash`, `requests2`-style plugin names are siblings, not typos, when
    the only difference is a separator-delimited affix that is a whole word."""
    return any(name.startswith(target + sep) or name.endswith(sep + target) for sep in ("-", "/", "."))
