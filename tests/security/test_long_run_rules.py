"""Rules without a literal whose every match holds a long run of token characters (detect-secrets'
Telegram and Discord bot tokens) are searched on the lines that hold a long run only, and the runs are
found by marking bytes (`gate.redact.runs`). Both must give what the plain regexes give over the whole
text, on hostile text: other scripts' digits where `\\d` reads them, NUL, a lone CR, lone surrogates,
Latin-1 letters, emoji and very long lines.
"""

from __future__ import annotations

import random
import re

import pytest

from gate.redact import candidates
from gate.redact.rules import detector_rules
from gate.redact.runs import LONG_RUN, MIN_RUN, long_runs, needs_long_run
from tests.security.candidate_reference import candidates_one_pattern_at_a_time

# Characters `\d` or a token class might be confused with, and characters that end a run.
_ODD = "\u0663\u06f3\u0966\uff11\uff41\u00e9\u00ff\x80\x00\r\t :.-_\ud800\U0001f600\u017f\u212a"
_DIGITS = "0123456789"
_TOKEN = "abcXYZ019_-"
# A token without a digit is no random-looking run: only the rule itself puts its line forward.
_LETTERS = "abcXYZ_-"


def _telegram(rng: random.Random) -> str:
    digits = "".join(rng.choice(_DIGITS) for _ in range(rng.randint(7, 11)))
    alphabet = rng.choice((_TOKEN, _LETTERS))
    return digits + ":" + "".join(rng.choice(alphabet) for _ in range(rng.randint(33, 37)))


def _discord(rng: random.Random) -> str:
    alphabet = rng.choice((_TOKEN, _LETTERS))

    def part(n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    return rng.choice("MNOP") + part(rng.randint(22, 26)) + "." + part(rng.randint(5, 7)) + "." + part(27)


def _spoil(rng: random.Random, value: str) -> str:
    """The value with one character swapped for an odd one (another script's digit, a NUL, a CR...)."""
    at = rng.randrange(len(value))
    return value[:at] + rng.choice(_ODD) + value[at + 1 :]


def _lines(rng: random.Random, *, ascii_only: bool) -> list[str]:
    lines = []
    for _ in range(2000):
        parts = []
        for _ in range(rng.randint(0, 5)):
            roll = rng.random()
            if roll < 0.25:
                parts.append(rng.choice((_telegram, _discord))(rng))
            elif roll < 0.35:
                parts.append(_spoil(rng, rng.choice((_telegram, _discord))(rng)))
            elif roll < 0.7:
                parts.append("".join(rng.choice(_TOKEN) for _ in range(rng.randint(1, 2 * MIN_RUN))))
            else:
                parts.append("".join(rng.choice(_ODD + " =:") for _ in range(rng.randint(1, 3))))
        line = "".join(parts)
        lines.append(line.encode("ascii", "replace").decode() if ascii_only else line)
    return lines


@pytest.mark.parametrize(
    ("source", "anywhere", "in_ascii"),
    [
        (r"\d{8,10}:[0-9A-Za-z_-]{35}", True, True),
        (r"[MNO][a-zA-Z\d_-]{23,25}\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}", False, True),
        (r"ab[a-z]{18}", True, True),
        (r"ab[a-z]{17}", False, False),  # nineteen: shorter than a run
        (r"ab\w{18}", False, True),  # `\w` takes any script's letters, but in ASCII text
        (r"ab\s{18}", False, False),
        (r"(?:ab){10}", True, True),
        (r"(?:ab|c){10}", False, False),
        (r"(?i)[a-z]{30}", False, False),  # the Kelvin sign matches k
        (r"[a-z]{10}\b[a-z]{10}", False, False),  # an assertion ends a stretch
        (r"[a-z]{10}.[a-z]{10}", False, False),
        (r"[^ ]{30}", False, False),
        (r"[a-z]{0,30}", False, False),
    ],
)
def test_needs_long_run_reads_the_pattern(source: str, anywhere: bool, in_ascii: bool):
    pattern = re.compile(source)
    assert needs_long_run(pattern, ascii_text=False) is anywhere
    assert needs_long_run(pattern, ascii_text=True) is in_ascii


def test_the_bot_token_rules_take_the_long_run_path():
    rules = detector_rules()
    finders = dict(zip((kind for kind, _ in rules.regex_rules), rules.rule_finders, strict=True))
    assert finders["Telegram Bot Token"].needs_run
    assert finders["Discord Bot Token"].needs_run_in_ascii


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_long_run_lines_give_the_lines_every_pattern_over_the_whole_text_gives(seed: int):
    rng = random.Random(seed)
    huge = "x" * 100_000 + ":" + _telegram(rng) + "\u0663" * 50 + _discord(rng)
    for lines in (_lines(rng, ascii_only=True), _lines(rng, ascii_only=False)):
        lines += [huge, huge.encode("ascii", "replace").decode(), "", "\r", "\x00" * 40]
        assert candidates.candidate_lines(lines) == candidates_one_pattern_at_a_time(lines)


@pytest.mark.parametrize("seed", [4, 5])
def test_long_runs_by_bytes_are_the_long_token_matches(seed: int):
    rng = random.Random(seed)
    texts = ["\n".join(_lines(rng, ascii_only=False)), "\n".join(_lines(rng, ascii_only=True))]
    texts += ["\ud800" + "a" * MIN_RUN + "\udfff", "\x00" * 30 + "b" * 30, "\u00ff" + "c" * 25 + "\x80"]
    texts += ["\U0001f600" * 3 + "d" * 40 + "\r" + "e" * 19, "f" * 200_000]
    for text in texts:
        assert long_runs(text) == [m.span() for m in LONG_RUN.finditer(text)]
