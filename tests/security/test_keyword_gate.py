"""detect-secrets' keyword plugin is called only on lines where one of the regexes it would run for the
file's type can match: each needs some punctuation (a quote, `=`, `:`), read from the regex itself by
`gate.redact.prefilter.required_characters`. Wherever the plugin finds a value, the gate must let the
line through: checked for every file type the plugin reads differently, on the secrets and injection
tests' inputs, real files, and adversarial lines (full-width and other look-alike quotes and signs,
line continuations, keywords in any case, very long lines).
"""

from __future__ import annotations

import random
import re

import pytest
from detect_secrets.plugins.keyword import DENYLIST, REGEX_BY_FILETYPE, KeywordDetector

from gate.redact import detect
from gate.redact.prefilter import _PUNCTUATION, required_characters
from tests.golden_findings import injection_files, real_files, secrets_files

# One name for each table of regexes the plugin chooses by extension, and names it reads as others.
_NAMES = ["app.py", "main.go", "lib.c", "lib.cpp", "settings.yml", "app.conf", ".env", "notes", ""]

_PIECES = [
    *(word.replace("_?", "_") for word in DENYLIST),
    "PASSWORD",
    "Secret",
    "db_PASS",
    "\u212aey",  # the Kelvin sign: `key` to a case-insensitive pattern
    "api_\u017fecret",
    "= ",
    " == ",
    "!=",
    "!==",
    ":=",
    ": ",
    "=>",
    '"',
    "'",
    "`",
    ";",
    "(",
    ")",
    "[0]",
    ".assign(",
    "@",
    "\\\n",
    "\\",
    "\uff02",  # full-width quote
    "\uff1d",  # full-width equals sign
    "\uff1a",  # full-width colon
    "\u201c",
    "\u2019",
    "\u037e",  # Greek question mark, NFKC `;`
    "hunter2value",
    "Xy7Q9pLm2Vb",
    "  ",
    "\t",
    "_x",
    "\u00e9",
]


def _adversarial(rng: random.Random, count: int) -> list[str]:
    lines = []
    for _ in range(count):
        lines.append("".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 9))))
    lines.append('password = "' + "x" * 5000 + '"')
    lines.append("secret" * 100 + ' = "abc123def"')
    return lines


def _file_lines() -> list[str]:
    files = {**secrets_files(), **injection_files(), **real_files(10)}
    return [line for text in files.values() for line in text.split("\n")]


def test_punctuation_matches_itself_alone_even_case_insensitively():
    every_character = "".join(map(chr, range(0x110000)))
    for char in _PUNCTUATION:
        pattern = re.compile(re.escape(char), re.IGNORECASE)
        assert pattern.findall(every_character) == [char]


def test_every_keyword_regex_needs_punctuation():
    for table in REGEX_BY_FILETYPE.values():
        for regex in table:
            assert required_characters(regex), regex.pattern[:60]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_regex_matches_only_where_its_characters_are(seed: int):
    lines = _adversarial(random.Random(seed), 2000) + _file_lines()
    regexes = {regex for table in REGEX_BY_FILETYPE.values() for regex in table}
    for regex in regexes:
        needs = required_characters(regex)
        for line in lines:
            if regex.search(line):
                assert all(any(char in line for char in need) for need in needs), (regex.pattern, line)


@pytest.mark.parametrize("seed", [4, 5])
def test_the_plugin_finds_nothing_where_the_gate_stops_it(seed: int):
    plugin = KeywordDetector()
    lines = _adversarial(random.Random(seed), 1500) + _file_lines()
    found = 0
    for name in _NAMES:
        shown = detect._keyword_filename(name)
        for line in lines:
            hits = plugin.analyze_line(filename=shown, line=line, line_number=0)
            if hits:
                found += 1
                assert detect._keyword_rules_may_match(name, line), (name, line)
    assert found > 500
