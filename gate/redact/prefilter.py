"""Which rules can match a piece of text at all, for many pieces at once, before any rule is run.

Most rules of the secret detector (a detect-secrets regex, a key format, a plugin's gate) cannot match
without some literal: `ghp_`, `AKIA`, `BEGIN RSA PRIVATE KEY`, `password`. `required_literals` reads a
compiled pattern's syntax tree and returns strings of which every match contains at least one; a piece
that holds none of a rule's strings cannot be matched by it, so the rule is not run there. Running a
regex on a short line costs about as much as finding a dozen literals in a whole batch of lines, so
finding the literals of every rule in all the candidate lines joined (one pass of an Aho-Corasick
automaton for all of them: some hundreds of literals, where a `str.find` pass each would read the text
as many times) and running on each line only the rules whose literals it holds gives the same hits for
a fraction of the work.

The analysis only ever answers "no requirement" when unsure (a construct it does not read, inline
flags, a lookup it cannot bound), so a rule is skipped only where it provably has no match.
"""

from __future__ import annotations

import bisect
import functools
import re

# The syntax tree's parser and node names: both part of CPython's `re` package since 3.11.
import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import ahocorasick

# Exact strings of a sub-pattern are enumerated up to this many; past it, the sub-pattern is a boundary
# between two runs of literals.
_MAX_EXACT = 64
# A requirement whose shortest string is this short (one character: a `.` or `:`) holds on nearly every
# line: the rule is run everywhere instead of paying for a pass that rules nothing out.
_MIN_LITERAL = 2
# Small character classes are enumerated ([MNO], [rs]), larger ones end a run of literals.
_MAX_CLASS = 8

# Characters outside ASCII that an IGNORECASE pattern's ASCII letter matches (İ and ı for i, ſ for s,
# the Kelvin sign for k): folded to that letter before case-insensitive literals are searched. Every
# other character lower-cases to one character that matches an ASCII letter only if it is that letter.
# tests/security/test_secret_prefilter.py checks this against every code point.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_FOLDED = "\u0130\u0131\u017f\u212a"

_Exact = frozenset[str] | None  # every string a sub-pattern can match, when few; None when not
_Need = frozenset[str] | None  # strings one of which every match contains; None when nothing is known


def fold(text: str) -> str:
    """The text as case-insensitive literals are searched in: lower-cased, each character in place."""
    if text.isascii() or not any(char in text for char in _FOLDED):
        return text.lower()
    return text.translate(_FOLD).lower()


@functools.lru_cache(maxsize=1024)  # the detector's rules ask for the same patterns several times
def required_literals(pattern: re.Pattern[str]) -> tuple[frozenset[str], bool] | None:
    """Strings one of which every match of `pattern` contains, and whether they are to be found
    case-insensitively (in `fold`ed text, lower-cased); None when the pattern needs no literal this
    analysis can name."""
    parsed = parse_pattern(pattern)
    if parsed is None:
        return None
    flags = parsed.state.flags
    ignore_case = bool(flags & re.IGNORECASE)
    exact, need = _sequence(list(parsed), ignore_case)
    best = _better(need, exact)
    if best is None or any("\n" in s or (ignore_case and not s.isascii()) for s in best):
        return None
    if min(map(len, best)) < _MIN_LITERAL:
        return None
    if ignore_case:
        best = frozenset(s.lower() for s in best)
    return best, ignore_case


def exact_literals(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The strings a text must hold one of for `pattern` to match in it, when that is also enough (the
    pattern is an alternation of literals, such as `api_?key|secret`): without those that hold another
    one. None when the pattern is not such a finite set, or is case-insensitive."""
    parsed = parse_pattern(pattern)
    if parsed is None or parsed.state.flags & re.IGNORECASE or not _plain(list(parsed)):
        return None
    exact, _ = _sequence(list(parsed), False)
    return _useful(exact)


def _plain(items: list[tuple[object, object]]) -> bool:
    """Only characters, classes, alternatives, groups and repeats: no assertion or anchor, so a text
    matches exactly where it holds one of the pattern's strings."""
    for op, av in items:
        if op in (sre.LITERAL, sre.IN):
            continue
        if op is sre.BRANCH and isinstance(av, tuple):
            if not all(_plain(list(branch)) for branch in av[1]):
                return False
        elif op is sre.SUBPATTERN and isinstance(av, tuple):
            if av[1] or av[2] or not _plain(list(av[3])):
                return False
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and isinstance(av, tuple):
            if not _plain(list(av[2])):
                return False
        else:
            return False
    return True


def starts_with_literal(pattern: re.Pattern[str]) -> bool:
    """Whether the pattern opens with one fixed character: the regex engine then skips to where that
    character is, and a search is as fast as finding a literal."""
    parsed = parse_pattern(pattern)
    return parsed is not None and len(parsed) > 0 and parsed[0][0] is sre.LITERAL


def parse_pattern(pattern: re.Pattern[str], refused: int = 0) -> Any:
    """The pattern's syntax tree (`re._parser.SubPattern`), or None when it cannot be read (bytes, a
    construct of a newer Python) or has one of the `refused` flags (inline ones too). The tree is shared
    by every caller: read it, never change it."""
    parsed = _parsed(pattern)
    return None if parsed is None or parsed.state.flags & refused else parsed


@functools.lru_cache(maxsize=1024)  # the rules read each pattern's tree three or four times
def _parsed(pattern: re.Pattern[str]) -> Any:
    if not isinstance(pattern.pattern, str):
        return None
    try:
        return sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # a construct of a newer Python: nothing is known
        return None


@functools.lru_cache(maxsize=4096)  # a pattern's analysis compares the same few sets thousands of times
def _useful(strings: _Need) -> _Need:
    """The strings without those that hold another of them (a text with `pwd` has `pw`), or None
    when they rule nothing out."""
    if strings is None or "" in strings or not strings:
        return None
    return frozenset(s for s in strings if not any(o != s and o in s for o in strings))


def _better(a: _Need, b: _Need) -> _Need:
    """The more selective of two requirements: the longer shortest string, then the fewer strings.
    (A longer literal is rarer; a pass for each string costs far less than running a rule.)"""
    a, b = _useful(a), _useful(b)
    if a is None:
        return b
    if b is None:
        return a
    return a if (min(map(len, a)), -len(a)) >= (min(map(len, b)), -len(b)) else b


def _product(a: _Exact, b: _Exact) -> _Exact:
    if a is None or b is None or len(a) * len(b) > _MAX_EXACT:
        return None
    return frozenset(x + y for x in a for y in b)


def _sequence(items: list[tuple[object, object]], ignore_case: bool) -> tuple[_Exact, _Need]:
    """A sequence matches its items one after the other: its strings are their products, and a run of
    items with exact strings is a literal every match holds."""
    whole: _Exact = frozenset({""})
    run: frozenset[str] = frozenset({""})
    need: _Need = None
    for op, av in items:
        exact, item_need = _node(op, av, ignore_case)
        need = _better(need, item_need)
        if exact is None:
            need = _better(need, run)
            run, whole = frozenset({""}), None
            continue
        whole = _product(whole, exact)
        if len(exact) > 1:  # the run so far is a literal too, and may be the better one (`secret` in
            need = _better(need, run)  # `secret[-_]?key`)
        joined = _product(run, exact)
        if joined is None:
            need = _better(need, run)
            run = exact
        else:
            run = joined
    return whole, _better(need, run)


def _node(op: object, av: object, ignore_case: bool) -> tuple[_Exact, _Need]:
    if op is sre.LITERAL:
        assert isinstance(av, int)
        char = chr(av)
        if ignore_case and not char.isascii():
            return None, None
        return frozenset({char}), None
    if op is sre.IN:
        assert isinstance(av, list)
        return _class(av, ignore_case), None
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return frozenset({""}), None  # zero-width: matches no character
    if op is sre.BRANCH:
        assert isinstance(av, tuple)
        branches = [_sequence(list(branch), ignore_case) for branch in av[1]]
        exact: _Exact = frozenset()
        for branch_exact, _ in branches:
            exact = None if exact is None or branch_exact is None else exact | branch_exact
        if exact is not None and len(exact) > _MAX_EXACT:
            exact = None
        needs = [_better(branch_need, branch_exact) for branch_exact, branch_need in branches]
        if any(n is None for n in needs):
            return exact, None
        return exact, frozenset().union(*[n for n in needs if n is not None])
    if op is sre.SUBPATTERN:
        assert isinstance(av, tuple)
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            return None, None
        return _sequence(list(sub), ignore_case)
    if op is getattr(sre, "ATOMIC_GROUP", None):
        assert isinstance(av, list) or hasattr(av, "data")
        return _sequence(list(av), ignore_case)  # type: ignore[call-overload]
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)):
        assert isinstance(av, tuple)
        low, high, sub = av
        exact, need = _sequence(list(sub), ignore_case)
        if low == 0:
            if high == 1 and exact is not None:
                return exact | {""}, None
            return None, None
        repeated: _Exact = exact if low == high else None
        for _ in range(1, low if low == high else 0):
            repeated = _product(repeated, exact)
        return repeated, _better(need, exact)
    return None, None  # any character, a category, a group reference: no literal known


def _class(items: list[tuple[object, object]], ignore_case: bool) -> _Exact:
    chars: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            assert isinstance(av, int)
            chars.add(chr(av))
        elif op is sre.RANGE:
            assert isinstance(av, tuple)
            low, high = av
            if high - low >= _MAX_CLASS:
                return None
            chars.update(chr(c) for c in range(low, high + 1))
        else:  # a negation or a category
            return None
        if len(chars) > _MAX_CLASS:
            return None
    if ignore_case and not all(c.isascii() for c in chars):
        return None
    return frozenset(chars)


@dataclass(frozen=True)
class Prefilter:
    """Rules (by their index) and what each needs: `plans` tells, for each of many pieces of text,
    which rules can match there."""

    always: frozenset[int]  # rules without a known literal: run on every piece
    exact: tuple[tuple[str, tuple[int, ...]], ...]  # a literal and the rules that need it
    folded: tuple[tuple[str, tuple[int, ...]], ...]  # the same, found case-insensitively
    # `exact` and `folded` as automata that find every literal in one pass (None: no literal)
    exact_finder: ahocorasick.Automaton | None = field(default=None, compare=False, repr=False)
    folded_finder: ahocorasick.Automaton | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, patterns: Sequence[re.Pattern[str] | None]) -> Prefilter:
        """`patterns[i]` is rule i's pattern; None for a rule that is always run."""
        always: set[int] = set()
        exact: dict[str, list[int]] = {}
        folded: dict[str, list[int]] = {}
        for index, pattern in enumerate(patterns):
            need = required_literals(pattern) if pattern is not None else None
            if need is None:
                always.add(index)
                continue
            literals, ignore_case = need
            for literal in sorted(literals):
                (folded if ignore_case else exact).setdefault(literal, []).append(index)
        exact_rules = tuple((k, tuple(v)) for k, v in exact.items())
        folded_rules = tuple((k, tuple(v)) for k, v in folded.items())
        return cls.from_tables(always, exact_rules, folded_rules)

    @classmethod
    def from_tables(
        cls,
        always: Iterable[int],
        exact: tuple[tuple[str, tuple[int, ...]], ...],
        folded: tuple[tuple[str, tuple[int, ...]], ...],
    ) -> Prefilter:
        """The prefilter of tables `of` made before (`gate.redact.facts`)."""
        return cls(frozenset(always), exact, folded, _finder(exact), _finder(folded))

    def plans(self, pieces: Sequence[str]) -> list[frozenset[int]]:
        """For each piece, the rules that can match in it (every rule that might; never one fewer)."""
        found: dict[int, set[int]] = {}
        if not pieces:
            return []
        text = "\n".join(pieces)
        starts = list(accumulate(map((1).__add__, map(len, pieces)), initial=0))
        if self.exact_finder is not None:
            _mark(text, starts, self.exact_finder, found)
        if self.folded_finder is not None:
            _mark(fold(text), starts, self.folded_finder, found)
        plans = [self.always] * len(pieces)
        for index, rules in found.items():
            plans[index] = self.always.union(rules)
        return plans


def _finder(literals: Sequence[tuple[str, tuple[int, ...]]]) -> ahocorasick.Automaton | None:
    """An automaton that finds every one of the literals, each with its rules; None for no literal."""
    if not literals:
        return None
    finder = ahocorasick.Automaton()
    for literal, rules in literals:
        finder.add_word(literal, rules)
    finder.make_automaton()
    return finder


def _mark(text: str, starts: list[int], finder: ahocorasick.Automaton, found: dict[int, set[int]]) -> None:
    """Add each literal's rules to the pieces that hold it, every literal found in one pass. A literal
    has no line break, so each occurrence lies in one piece (the one its last character is in)."""
    last, rules_there = -1, set()
    for end, rules in finder.iter(text):
        if end >= last:  # a piece past the one before
            index = bisect.bisect_right(starts, end) - 1
            last = starts[index + 1]
            rules_there = found.setdefault(index, set())
        rules_there.update(rules)


# Characters `required_characters` reads: ASCII punctuation, which no case-insensitive pattern matches
# with any other character (tests/security/test_keyword_gate.py checks every code point).
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def required_characters(pattern: re.Pattern[str]) -> tuple[frozenset[str], ...]:
    """Sets of punctuation characters such that every match of `pattern` holds one character of each
    (`:` and a quote for `key: "value"`); a text missing one set has no match. Only what the analysis
    is sure of: a construct it does not read adds no set."""
    parsed = parse_pattern(pattern)
    if parsed is None:
        return ()
    return tuple(dict.fromkeys(_required_sets(list(parsed))))


def _required_sets(items: list[tuple[object, object]]) -> list[frozenset[str]]:
    """The sets of a sequence: each item that every match goes through adds its own."""
    sets: list[frozenset[str]] = []
    for op, av in items:
        if op is sre.LITERAL or op is sre.IN:
            chars = _punctuation_matched(op, av)
            if chars:
                sets.append(chars)
        elif op is sre.SUBPATTERN and isinstance(av, tuple):
            _group, add_flags, del_flags, sub = av
            if not add_flags and not del_flags:
                sets.extend(_required_sets(list(sub)))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and isinstance(av, tuple):
            low, _high, sub = av
            if low >= 1:
                sets.extend(_required_sets(list(sub)))
        elif op is sre.BRANCH and isinstance(av, tuple):
            # Every match goes through one branch: one set of each branch, together, is required.
            firsts = [_required_sets(list(branch)) for branch in av[1]]
            if all(firsts):
                sets.append(frozenset().union(*(found[0] for found in firsts)))
    return sets


def _punctuation_matched(op: object, av: object) -> frozenset[str] | None:
    """The characters a one-character item matches, when all of them are punctuation."""
    if op is sre.LITERAL:
        assert isinstance(av, int)
        return frozenset({chr(av)}) if chr(av) in _PUNCTUATION else None
    assert isinstance(av, list)
    chars: set[str] = set()
    for item_op, item_av in av:
        if item_op is sre.LITERAL:
            assert isinstance(item_av, int)
            chars.add(chr(item_av))
        elif item_op is sre.RANGE:
            assert isinstance(item_av, tuple)
            low, high = item_av
            chars.update(chr(code) for code in range(low, high + 1))
        else:  # a negation or a category
            return None
    return frozenset(chars) if chars and chars <= _PUNCTUATION else None
