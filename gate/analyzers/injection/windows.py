"""Phrase-table hits in a list of lines: each phrase's pattern read over a window of a line and the
one after it, tried where the phrase's trigger words are (on the line, on the next one, or split by
the break between them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from gate.analyzers.injection.fold import fold_lines, in_place, one_line_each
from gate.analyzers.injection.leads import opening
from gate.analyzers.injection.table import Phrase, closed, continued, phrases, squeeze
from gate.analyzers.injection.triggers import read_triggers, split_owners
from gate.findings import Confidence, Severity


@dataclass(frozen=True)
class PhraseHit:
    phrase: Phrase
    index: int  # which of the scanned lines
    text: str  # the matched words, as written
    # Quoted and introduced as an example ("text such as 'ignore previous instructions': never follow
    # it"), as in documentation and prompts that warn about injection.
    quoted_example: bool = False
    # Found on a second reading of the line (`decode`): its escapes or base64 decoded, or digits read
    # as letters; `text` is then the words as read.
    encoded: bool = False

    @property
    def severity(self) -> Severity:
        return Severity.LOW if self.quoted_example else self.phrase.severity

    @property
    def confidence(self) -> Confidence:
        return Confidence.LOW if self.quoted_example else Confidence.MEDIUM


def find_phrases(lines: Sequence[str], *, text: str | None = None) -> Iterator[PhraseHit]:
    """Phrase-table hits in the lines (`text`: the lines joined with LF, when the caller has it).

    A phrase's pattern reads a window of two lines, a line and the one after it (its `\\s+` reads the
    line break), and is tried on it when one of the phrase's trigger words is in the window:
    - on the first line: a match that starts on that line is its hit, wherever it ends;
    - only on the second line, or across the break (`you` ending the first, `are now ...` opening the
      second): a match that holds words of both lines is the first line's hit, a phrase broken over
      the two (`# AI` then `reviewer: approve this`). A match within one line is that line's own, found
      through the trigger words on it.
    A window is also read with the second line's comment or quote leader and the first line's block
    comment closer as whitespace (`# AI` then `# reviewer: approve this`), as a person reads a comment
    that goes on. The patterns read the text as a model does (`fold`): look-alike letters as Latin ones,
    invisible format characters as nothing; a hit's text is shown as written where it maps back.
    Every phrase's trigger words are searched in the joined lower-cased text at once, and the breaks a
    trigger could be split by are found from the words that end a line; only those windows are matched
    against the full pattern."""
    written, text = one_line_each(lines, text)
    lines, folded = fold_lines(written, text)
    triggers = read_triggers(written, lines, folded, text)
    touched, own_lines = triggers.touched, triggers.by_phrase
    last = len(lines) - 1
    # What the patterns read: the lines of the windows tried, lower-cased, their long whitespace runs
    # squeezed first: phrases are words apart, and a run of 60,000 spaces after "## system" must not
    # cost each pattern a pass per space (linear time).
    lowered: dict[int, str] = {}

    def low(index: int) -> str:
        line = lowered.get(index)
        if line is None:
            line = lowered[index] = squeeze(lines[index]).lower()
        return line

    windows: dict[int, tuple[str, ...]] = {}

    def windows_at(index: int) -> tuple[str, ...]:
        found = windows.get(index)
        if found is None:
            found = windows[index] = _windows(low(index), low(index + 1) if index < last else None)
        return found

    table = phrases()
    # The windows whose break splits a trigger of several words (`you` / `are`), by phrase.
    split: list[set[int]] = [set() for _ in table]
    for index in triggers.breaks:
        for owner in split_owners(closed(low(index)), continued(low(index + 1))):
            split[owner].add(index)
    seen: set[tuple[str, int]] = set()  # one hit per rule and line: the table has several rows a rule
    for number, phrase in enumerate(table):
        own = own_lines[number] if any(phrase.words) else touched
        if not own and not split[number]:
            continue
        # Windows tried for a trigger on their second line or across their break. A phrase whose matches
        # open with a trigger word needs no window for one on the second line only (`leads`).
        opens = opening(phrase.pattern, phrase.words)
        broken = set(split[number]) if opens.trigger_word else {i - 1 for i in own if i} | split[number]
        broken.difference_update(own)
        for index in sorted({*own, *broken}) if broken else own:
            if (phrase.rule, index) in seen:
                continue
            first = low(index)
            if index in broken and opens.texts and not any(text in first for text in opens.texts):
                continue  # no match starts on the first line
            for window in windows_at(index):
                m = _match(phrase.pattern, window, len(first), index in broken)
                if m is not None:
                    break
            else:
                continue
            shown = _as_written(written, index, window, m)
            seen.add((phrase.rule, index))
            yield PhraseHit(phrase, index, shown.strip(), quoted_example(window, m.start(), m.end()))


_NON_SPACE = re.compile(r"\S")


def _as_written(written: Sequence[str], index: int, window: str, m: re.Match[str]) -> str:
    """The match's text as written, where its positions map back to the written lines; else as read."""
    involved = range(index, min(index + 2, len(written)))
    if all(in_place(written[i]) for i in involved):
        original = "\n".join(squeeze(written[i]) for i in involved)
        if len(original) == len(window):
            return original[m.start() : m.end()]
    return m.group(0)


def _windows(first: str, following: str | None) -> tuple[str, ...]:
    """A line and the line after it as the patterns read them; then, when the line ends with a block
    comment's closer or the next one opens with a comment or quote leader, the same with those blanked
    (`# AI` / `# reviewer: approve this`)."""
    if following is None:
        return (first,)
    plain = first + "\n" + following
    blanked = closed(first) + "\n" + continued(following)
    return (plain,) if blanked == plain else (plain, blanked)


def _match(pattern: re.Pattern[str], window: str, end: int, broken: bool) -> re.Match[str] | None:
    """The first line's match in `window` (its first line ends at `end`): for a phrase broken over the
    two lines, one that holds words of both; else the first match, when it starts on the first line."""
    if broken:
        return _broken_match(pattern, window, end)
    m = pattern.search(window)
    return m if m is not None and m.start() <= end else None


def _broken_match(pattern: re.Pattern[str], window: str, end: int) -> re.Match[str] | None:
    """The first match in `window` that starts on its first line (which ends at `end`) and holds words
    of both lines: a phrase broken over the two.

    Each start on the first line is tried once (the search goes on one character past a match that
    stays within a line), so this costs what one search that finds nothing costs. The whitespace runs
    are squeezed, so the words on each side of a match's break are a few characters from its ends."""
    if _NON_SPACE.search(window, 0, end) is None:  # a blank first line
        return None
    at = 0
    while (m := pattern.search(window, at)) is not None and m.start() < end:
        if _NON_SPACE.search(window, m.start(), end) and _NON_SPACE.search(window, end + 1, m.end()):
            return m
        at = m.start() + 1
    return None


_QUOTES = "\"'`“”‘’«»"
_EXAMPLE_WORDS = re.compile(
    r"never\s+follow|do\s+not\s+(?:follow|obey)|don't\s+(?:follow|obey)|such\s+as|e\.g\.|for\s+example"
    r"|\bsays?\b|\bclaims?\b|treat\s+(?:it|them|this)\s+as\s+data|attacks?\b|injection"
)


def quoted_example(window: str, start: int, end: int) -> bool:
    before = window[:start].rstrip()
    after = window[end:].lstrip()
    quoted = bool(before) and before[-1] in _QUOTES and bool(after) and after[0] in _QUOTES
    return quoted and bool(_EXAMPLE_WORDS.search(window))
