"""The candidate pass: the lines of a text where some rule of the secret detector can match, found for
the whole text at once, so the rules run on those lines only.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from itertools import accumulate

import ahocorasick

from gate.once import once
from gate.redact.formats import KEY_FORMATS, KeyFormat
from gate.redact.phrases import phrase_spans
from gate.redact.prefilter import fold
from gate.redact.rules import detector_rules
from gate.redact.runs import LONG_RUN, long_runs

# Lines that can hold a secret at all: every key format is a long token, or follows a keyword, a URL
# scheme (user:password@host) or a PEM header; Artifactory's "AP..." passwords are the one short token.
# Scanning a whole text for these once is far cheaper than running every plugin on every line.
_LONG_TOKEN = LONG_RUN  # found with `long_runs`, which gives the same spans for a fraction of the work
_CANDIDATE_LITERALS = ("AKC", *(f"AP{c}" for c in "0123456789ABCDEF"), "PRIVATE KEY", "PuTTY", "://", "hf_")
# Each marker is found by its first characters (one pass finds the sixteen `AP0`...`APF`), then checked.
_MARKER_STARTS = tuple(
    dict.fromkeys(literal[:2] if literal.startswith("AP") else literal for literal in _CANDIDATE_LITERALS)
)
# A long token that is a key, not an identifier: random keys have digits (20 random alphanumerics lack
# one less than 3% of the time), snake_case and camelCase names rarely do.
# (Two searches, not one `\d.*[A-Za-z]|[A-Za-z].*\d`: that one is quadratic on a letters-only token.)
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[A-Za-z]")


# The markers above that count wherever they stand (`_literal_ok`): a line holding one is a candidate.
_UNCONDITIONAL_MARKERS = tuple(
    literal for literal in _CANDIDATE_LITERALS if literal[0] != "A" and literal != "hf_"
)


@once
def _formats_found_anyway() -> tuple[bool, ...]:
    """For each key format, whether every match holds a keyword (`api_key=`, `-token`, `Password(`) or
    a marker that always counts (`://`): the line is then a candidate by the keyword or the marker
    pass already, and the format is not searched for on its own."""
    d = detector_rules()
    plain = d.plain_keywords

    def found(literal: str) -> bool:
        held = fold(literal)
        return (plain is not None and plain.search(held) is not None) or any(
            marker in literal for marker in _UNCONDITIONAL_MARKERS
        )

    return tuple(need is not None and all(found(literal) for literal in need[0]) for need in d.format_needs)


@once
def _literal_finders() -> tuple[_Finder, _Finder]:
    """The literals whose lines `_candidates` asks for (the keyword cover's strings, the key formats'
    folded literals, the detect-secrets regexes' literals), to be found in the text and in the folded
    text: each side's in one pass over it, not one pass a literal."""
    d = detector_rules()
    exact: set[str] = set()
    folded: set[str] = set(d.keyword_cover or ())
    formats = zip(d.format_folded, d.in_runs, _formats_found_anyway(), strict=True)
    for literals, in_runs, found_anyway in formats:
        if literals is not None and not in_runs and not found_anyway:
            folded.update(literals)
    for finder in d.rule_finders:
        if finder.literals is not None and not finder.in_runs:
            (folded if finder.folded else exact).update(finder.literals)
    return _Finder.of(exact), _Finder.of(folded)


class _Finder:
    """Literals (none holding a line break) and an automaton that finds every one of them in one pass."""

    def __init__(self, literals: Sequence[str], automaton: ahocorasick.Automaton | None) -> None:
        self.literals = literals
        self.automaton = automaton

    @classmethod
    def of(cls, literals: set[str]) -> _Finder:
        ordered = sorted(literals)
        if not ordered:
            return cls(ordered, None)
        automaton = ahocorasick.Automaton()
        for number, literal in enumerate(ordered):
            automaton.add_word(literal, number)
        automaton.make_automaton()
        return cls(ordered, automaton)

    def lines(self, text: str, starts: Sequence[int]) -> dict[str, set[int]]:
        """For each literal, the pieces of `text` (piece i from starts[i], pieces joined by line breaks)
        that hold it: `_holding` for every literal at once."""
        found: list[set[int]] = [set() for _ in self.literals]
        if self.automaton is not None:
            last, index = -1, -1
            for end, number in self.automaton.iter(text):
                if end >= last:  # a piece past the one before: an occurrence lies in one piece
                    index = bisect.bisect_right(starts, end) - 1
                    last = starts[index + 1]
                found[number].add(index)
        return dict(zip(self.literals, found, strict=True))


def prepare() -> None:
    """Build the rules and tables the candidate pass reads, ahead of its first text."""
    detector_rules()
    _formats_found_anyway()
    _literal_finders()


def looks_random(token: str) -> bool:
    return _DIGIT.search(token) is not None and _LETTER.search(token) is not None


def _marker_at(text: str, at: int, start: str) -> bool:
    """Whether a candidate marker that opens with `start` is at `at` (and counts there)."""
    if start == "AP":
        return text[at + 2 : at + 3] in _HEX_UPPER and _literal_ok(text, at, "AP0")
    return _literal_ok(text, at, start)


_HEX_UPPER = frozenset("0123456789ABCDEF")


def _literal_ok(text: str, at: int, literal: str) -> bool:
    before = text[at - 1] if at else "\n"
    if literal[0] == "A":  # detect-secrets' `(?:\s|=|:|"|^)`: `\s` is any Unicode space
        return before.isspace() or before in '=:"'
    if literal == "hf_":
        return not (before.isalnum() or before == "_")
    return True


def candidate_lines(lines: Sequence[str]) -> list[int]:
    """Indexes of the lines that a candidate pattern touches, in order.

    No candidate pattern spans a line break, so the lines of ASCII text are read apart from the others:
    a joined text is as wide as its widest character, and one emoji would make every pass over the
    whole change read four bytes a character."""
    narrow = list(map(str.isascii, lines))
    if all(narrow) or not any(narrow):
        return sorted(_candidates(lines))
    parts = [
        [i for i, ascii in enumerate(narrow) if ascii],
        [i for i, ascii in enumerate(narrow) if not ascii],
    ]
    return sorted(part[i] for part in parts for i in _candidates([lines[j] for j in part]))


def _candidates(lines: Sequence[str]) -> set[int]:
    text = "\n".join(lines)
    starts = list(accumulate(map((1).__add__, map(len, lines)), initial=0))
    candidates: set[int] = set()

    def touch(start: int, end: int) -> None:
        first = bisect.bisect_right(starts, start) - 1
        last = bisect.bisect_right(starts, max(end - 1, start)) - 1
        candidates.update(range(first, last + 1))

    # The lines holding each literal, found once: the keyword pass and several rules share `key`, `pass`.
    # Those the passes below ask for are found together (`_literal_finders`) once `lowered` is read.
    found_by_literal: dict[tuple[str, bool], set[int]] = {}

    def holding(literals: Sequence[str], folded: bool) -> set[int]:
        lines_holding: set[int] = set()
        for literal in literals:
            key = (literal, folded)
            if key not in found_by_literal:
                found_by_literal[key] = _holding(lowered if folded else text, starts, (literal,))
            lines_holding |= found_by_literal[key]
        return lines_holding

    runs = long_runs(text)
    tokens = [text[start:end] for start, end in runs]
    for (start, end), token in zip(runs, tokens, strict=True):
        if looks_random(token):
            touch(start, end)
    for start, end in phrase_spans(text):
        touch(start, end)
    detectors = detector_rules()
    # Folded, not only lower-cased: detect-secrets reads its keywords case-insensitively, so `ſ`, `ı`
    # and the Kelvin sign spell `s`, `i` and `k` to it (`paſſword`); and `İ`, which lower-cases to two
    # characters, stays one, so no keyword moves onto another line.
    lowered = fold(text)
    exact_side, folded_side = _literal_finders()
    for side, read, in_folded in ((exact_side, text, False), (folded_side, lowered, True)):
        for literal, held in side.lines(read, starts).items():
            found_by_literal[literal, in_folded] = held
    if detectors.keyword_cover is not None:
        # The keywords are an alternation of literals, each holding one of a few short strings: the
        # lines holding one of those are matched with the keywords themselves.
        keyword_lines = set().union(*(holding((part,), True) for part in detectors.keyword_cover))
        for index in keyword_lines - candidates:
            if detectors.keywords.search(lowered, starts[index], starts[index + 1] - 1):
                candidates.add(index)
    else:
        for m in detectors.keywords.finditer(lowered):
            touch(m.start(), m.end())
    # A format that matches only inside a long run (most do) is searched in the runs alone, joined: a
    # tenth of the text. Each run lies in one line.
    run_text = "\n".join(tokens)
    run_starts = list(accumulate(map((1).__add__, map(len, tokens)), initial=0))
    d = detectors
    formats = zip(
        KEY_FORMATS, d.format_literals, d.format_folded, d.format_folded_on_line, d.in_runs,
        _formats_found_anyway(), strict=True,
    )  # fmt: skip
    for fmt, literals, folded, on_line, in_runs, found_anyway in formats:
        if found_anyway:
            continue
        if in_runs:
            for run in _matching(fmt, literals, run_text, run_starts, tokens):
                candidates.add(bisect.bisect_right(starts, runs[run][0]) - 1)
        elif folded is None:
            for m in fmt.finditer(text):
                touch(m.start(), m.end())
        else:
            # The lines holding a literal, found in the folded text with the keyword pass's own finds;
            # on those, the format's own literals first (`requirepass` where the keyword pass found
            # `pass`): a look for a few strings on a line costs far less than the search.
            held = holding(folded, True) - candidates
            candidates.update(
                index
                for index in held
                if (literals is None or any(literal in lines[index] for literal in literals))
                and (on_line is None or _holds_any(lowered, starts[index], starts[index + 1], on_line))
                and next(fmt.finditer(lines[index]), None) is not None
            )
    ascii_text = text.isascii()
    run_lines: tuple[list[int], str, list[int]] | None = None
    # Every detect-secrets regex, wherever it can match: it needs no random-looking token (an AWS key
    # id of letters only glued to a name, `creds_AKIA...`), so a letters-only key is not skipped.
    for finder in detectors.rule_finders:
        if finder.in_runs:
            for m in finder.pattern.finditer(run_text):
                run = bisect.bisect_right(run_starts, m.start()) - 1
                candidates.add(bisect.bisect_right(starts, runs[run][0]) - 1)
        elif finder.literals is not None:
            held = holding(finder.literals, finder.folded) - candidates
            candidates.update(index for index in held if finder.pattern.search(lines[index]))
        elif finder.needs_run or (finder.needs_run_in_ascii and ascii_text):
            # A quarter of a change's text, and the regex has no literal to skip ahead by.
            if run_lines is None:
                run_lines = _lines_with_runs(lines, starts, runs)
            numbers, run_lines_text, run_lines_starts = run_lines
            for m in finder.pattern.finditer(run_lines_text):
                first = bisect.bisect_right(run_lines_starts, m.start()) - 1
                last = bisect.bisect_right(run_lines_starts, max(m.end() - 1, m.start())) - 1
                candidates.update(numbers[first : last + 1])
        else:
            for m in finder.pattern.finditer(text):
                touch(m.start(), m.end())
    # Literal markers are found with str.find: an alternation of literals is several times slower.
    # After a marker that counts, the search goes on from the next line.
    for marker in _MARKER_STARTS:
        at = text.find(marker)
        while at != -1:
            if _marker_at(text, at, marker):
                index = bisect.bisect_right(starts, at) - 1
                candidates.add(index)
                at = text.find(marker, starts[index + 1])
            else:
                at = text.find(marker, at + 1)
    return {index for index in candidates if index < len(lines)}


def _holds_any(text: str, start: int, end: int, literals: Sequence[str]) -> bool:
    return any(text.find(literal, start, end) != -1 for literal in literals)


def _lines_with_runs(
    lines: Sequence[str], starts: Sequence[int], runs: Sequence[tuple[int, int]]
) -> tuple[list[int], str, list[int]]:
    """The numbers of the lines that hold a long run, those lines joined, and where each starts."""
    numbers = sorted({bisect.bisect_right(starts, start) - 1 for start, _ in runs})
    held = [lines[index] for index in numbers]
    return numbers, "\n".join(held), list(accumulate(map((1).__add__, map(len, held)), initial=0))


def _holding(text: str, starts: Sequence[int], literals: Sequence[str]) -> set[int]:
    """The pieces of `text` (piece i from starts[i], pieces joined by line breaks) that hold one of the
    literals (none holds a line break)."""
    found: set[int] = set()
    for literal in literals:
        at = text.find(literal)
        while at != -1:
            index = bisect.bisect_right(starts, at) - 1
            found.add(index)
            at = text.find(literal, starts[index + 1])
    return found


def _matching(
    fmt: KeyFormat,
    literals: tuple[str, ...] | None,
    text: str,
    starts: Sequence[int],
    pieces: Sequence[str],
) -> set[int]:
    """The pieces (joined as `text`) where the format matches. A format that opens
    with an alternation is found by its literals first, then matched on the pieces that hold one (a
    key lies within one piece): finding the literals is several times faster than the search."""
    if literals is None:
        return {bisect.bisect_right(starts, m.start()) - 1 for m in fmt.finditer(text)}
    return {
        index
        for index in _holding(text, starts, literals)
        if next(fmt.finditer(pieces[index]), None) is not None
    }
