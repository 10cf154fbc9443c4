"""The secret detector's prefilters never rule out a line that holds a key.

The rule prefilter (`gate.redact.prefilter`) decides which of the documented key formats run on a piece
of a line; a format it rules out must have no match there. The scan memo of
`scan_files` answers a file read before from that reading; it must give the hits a fresh reading gives.
Both are checked on the secrets tests' inputs: every format's value in every place a line carries it.
"""

from __future__ import annotations

import re
import re._constants as sre  # type: ignore[import-not-found]

from gate.redact import detect
from gate.redact.formats import KEY_FORMATS
from gate.redact.prefilter import parse_pattern
from gate.redact.rules import detector_rules
from tests.golden_findings import injection_files, real_files, secrets_files


def _lines() -> list[tuple[str, str]]:
    files = {**secrets_files(), **injection_files(), **real_files(10)}
    return [(path, line) for path, text in files.items() for line in text.split("\n")]


def test_every_format_has_a_value_in_the_inputs():
    lines = [line for _, line in _lines()]
    for fmt in KEY_FORMATS:
        assert any(next(fmt.finditer(line), None) for line in lines), fmt.kind


def test_the_prefilter_rules_out_no_format_where_it_has_a_key():
    first = len(detector_rules().regex_rules) + len(detector_rules().other_plugins)
    for _, line in _lines():
        pieces = [line[i : i + detect.PIECE_CHARS] for i in range(0, max(len(line), 1), 1536)]
        for piece, plan in zip(pieces, detector_rules().prefilter.plans(pieces), strict=True):
            for index, fmt in enumerate(KEY_FORMATS):
                if next(fmt.finditer(piece), None):
                    assert first + index in plan, piece[:80]


def test_a_file_read_again_gets_the_hits_of_a_fresh_reading():
    files = [(path, [line]) for path, line in _lines()]
    detect.forget_scans()
    first = list(detect.scan_files(files))
    again = list(detect.scan_files(files))
    fresh = [
        (file_index, 0, hit)
        for file_index, (path, (line,)) in enumerate(files)
        for hit in detect.find_secrets(line, filename=path)
    ]
    assert first == again
    assert {(f, h) for f, _, h in first} <= {(f, h) for f, _, h in fresh}
    assert len(first) > 100


def _opens_with_a_character(pattern: re.Pattern[str]) -> bool:
    """Whether the regex engine can skip ahead to a fixed first character: the pattern opens with one,
    or with a group that does (`(?P<value>\\[…`)."""
    node = parse_pattern(pattern)
    while node is not None and len(node) > 0 and node[0][0] is sre.SUBPATTERN:
        node = node[0][1][-1]  # the group's own pattern
    return node is not None and len(node) > 0 and node[0][0] is sre.LITERAL


def test_a_format_searched_over_the_whole_text_skips_ahead_to_its_first_character():
    """A format is searched over the whole text when it is neither searched in the long tokens alone nor
    found by a few literals first (past six, `_MAX_FORMAT_LITERALS`). Opened by an alternation (a
    cipher's `(?:AES|DES3|ChaCha20…)\\.new`), that search tries every position of the text: 0.12 s of
    the 200k real-file change's learning for one format. Such a format must open with one character."""
    rules = detector_rules()
    slow = [
        fmt.kind
        for fmt, folded, in_runs in zip(KEY_FORMATS, rules.format_folded, rules.in_runs, strict=True)
        if not in_runs and folded is None and not _opens_with_a_character(fmt.pattern)
    ]
    assert slow == []
