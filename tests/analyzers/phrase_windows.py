"""The plain reading of a phrase broken over two lines, for the tests that compare `find_phrases` with it.

A phrase is tried on a window (a line, a line break, the next line) for a trigger word of its own on
the window's first line (the tests' own references decide that), or else for one anywhere in the
window: on the second line, or spread over the break (`you` / `are now ...`), the trigger's spaces read
as any whitespace, the break included. Tried for the second line or the break, a match is the first
line's hit when it starts on the first line and holds words of both lines. Every start on the first
line is tried with `re.match`, one at a time: slow and plain. A window is read as it is, then with the
first line's block comment closer (`*/`, `-->`) and the second line's comment or quote leader (`#`, `//`,
`*`, `--`, `>`, ...) blanked.
"""

from __future__ import annotations

import re
from functools import lru_cache

from gate.analyzers.injection.fold import fold, in_place
from gate.analyzers.injection.table import Phrase, closed, continued, phrases, squeeze
from gate.analyzers.injection.windows import quoted_example

# A hit as the tests compare them: line index, rule, the matched words, quoted as an example.
Hit = tuple[int, str, str, bool]


@lru_cache(maxsize=64)
def _anywhere(words: tuple[str, ...]) -> re.Pattern[str]:
    """Every occurrence of the words, overlapping ones too, each space any whitespace run."""
    alternatives = [r"\s+".join(map(re.escape, word.split(" "))) for word in words if word]
    return re.compile("(?=(" + "|".join(alternatives) + "))")


def trigger_in_window(phrase: Phrase, window: str) -> bool:
    return bool(phrase.words) and _anywhere(phrase.words).search(window) is not None


def broken_match(phrase: Phrase, window: str, end: int) -> re.Match[str] | None:
    """The match at the first start on the first line (which ends at `end`) that holds words of both
    lines, if the phrase's trigger is in the window."""
    if not trigger_in_window(phrase, window):
        return None
    for start in range(end):
        m = phrase.pattern.match(window, start)
        if m is not None and window[start:end].strip() and window[end + 1 : m.end()].strip():
            return m
    return None


def windows(lowered: list[str], index: int) -> list[str]:
    """The line's window, then the same with the first line's block comment closer and the second line's
    comment or quote leader blanked."""
    if index + 1 == len(lowered):
        return [lowered[index]]
    return [
        lowered[index] + "\n" + lowered[index + 1],
        closed(lowered[index]) + "\n" + continued(lowered[index + 1]),
    ]


def as_written(lines: list[str], index: int, window: str, m: re.Match[str]) -> str:
    """The match's text as written when every character of its lines reads as one (so positions map
    back), else as read."""
    involved = lines[index : index + 2]
    original = "\n".join(squeeze(line) for line in involved)
    if all(in_place(line) for line in involved) and len(original) == len(window):
        return original[m.start() : m.end()]
    return m.group(0)


def plain_reading(lines: list[str]) -> list[Hit]:
    """Every line and every phrase: its pattern over the line's window, tried for a trigger word on the
    line, or else (the phrase broken over two lines) for one on the next line or across the break."""
    lowered = [squeeze(fold(line)).lower() for line in lines]
    seen: set[tuple[str, int]] = set()
    out = []
    for phrase in phrases():
        for index in range(len(lines)):
            if (phrase.rule, index) in seen:
                continue
            following = index + 1 < len(lines)
            for window in windows(lowered, index):
                if phrase.triggers.search(lowered[index]):
                    m = phrase.pattern.search(window)
                    if m is not None and m.start() > len(lowered[index]):
                        m = None
                else:
                    m = broken_match(phrase, window, len(lowered[index])) if following else None
                if m is not None:
                    break
            else:
                continue
            shown = as_written(lines, index, window, m)
            seen.add((phrase.rule, index))
            out.append((index, phrase.rule, shown.strip(), quoted_example(window, m.start(), m.end())))
    return sorted(out)
