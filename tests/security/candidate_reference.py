"""The candidate pass's reference for the tests that compare `candidates.candidate_lines` with it:
every pattern over the whole text, one after the other."""

from __future__ import annotations

import bisect

from gate.redact import candidates
from gate.redact.formats import KEY_FORMATS
from gate.redact.phrases import phrase_spans
from gate.redact.rules import detector_rules
from gate.redact.runs import LONG_RUN


def candidates_one_pattern_at_a_time(lines: list[str]) -> list[int]:
    """The candidate pass as every pattern over the whole text, one after the other: the reference.
    (Keywords are read in the text lower-cased with `İ` as `i`, so each stays on its line.)"""
    text = "\n".join(lines)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    found: set[int] = set()

    def touch(start: int, end: int) -> None:
        found.update(range(bisect.bisect_right(starts, start) - 1, bisect.bisect_right(starts, end - 1)))

    for m in LONG_RUN.finditer(text):
        if candidates.looks_random(m.group(0)):
            touch(m.start(), m.end())
    for m in detector_rules().keywords.finditer(text.replace("\u0130", "i").lower()):
        touch(m.start(), m.end())
    for fmt in KEY_FORMATS:
        for m in fmt.finditer(text):
            touch(m.start(), m.end())
    for start, end in phrase_spans(text):  # recovery phrases, read word by word
        touch(start, end)
    for _, regex in detector_rules().regex_rules:  # each detect-secrets regex, on each line
        found.update(index for index, line in enumerate(lines) if regex.search(line))
    for literal in candidates._CANDIDATE_LITERALS:
        at = text.find(literal)
        while at != -1:
            if candidates._literal_ok(text, at, literal):
                touch(at, at + len(literal))
            at = text.find(literal, at + 1)
    return sorted(found)
