"""The candidate pass finds long tokens by marking token characters, and searches most key formats in
those runs alone (`gate.redact.runs`); both must give exactly what the plain regexes over the whole
text give, on real files, the secrets tests' inputs and adversarial text (characters outside ASCII
beside and inside keys, full-width and NFKC-folding letters, other scripts' digits, very long lines).
"""

from __future__ import annotations

import random
import re

import pytest

from gate.redact import candidates
from gate.redact.formats import KEY_FORMATS, PLACED_FORMATS, TOOL_FORMATS
from gate.redact.rules import detector_rules
from gate.redact.runs import LONG_RUN, MIN_RUN, long_runs, within_runs
from tests.golden_findings import _sample, injection_files, real_files, secrets_files
from tests.security.candidate_reference import candidates_one_pattern_at_a_time

# Characters that look like or fold to token characters and are not: full-width letters and digits,
# other scripts' digits, the long s and Kelvin sign, a dotted capital I, a zero-width space, and the
# token characters' neighbours in ASCII.
_ODD = "\uff41\uff21\uff10\uff3f\u0663\u06f3\u0966\u017f\u212a\u0130\u200b\u00e9.:@#\\ \t"
_TOKEN = "abcXYZ019_+/=-"


def _adversarial(rng: random.Random, keys: list[str]) -> list[str]:
    lines = []
    for _ in range(3000):
        parts = []
        for _ in range(rng.randint(0, 6)):
            roll = rng.random()
            if roll < 0.3:
                parts.append(rng.choice(keys))
            elif roll < 0.6:
                parts.append("".join(rng.choice(_TOKEN) for _ in range(rng.randint(1, 2 * MIN_RUN))))
            else:
                parts.append("".join(rng.choice(_ODD) for _ in range(rng.randint(1, 3))))
        line = "".join(parts)
        if keys and rng.random() < 0.2:  # a key with one character swapped for an odd one
            key = rng.choice(keys)
            at = rng.randrange(len(key))
            line += key[:at] + rng.choice(_ODD) + key[at + 1 :]
        lines.append(line)
    return lines


def _keys() -> list[str]:
    values = list(_sample(random.Random(3)).values())
    # The formats left out of the runs: a key in them with another script's digits, or a dot.
    values += ["sk-ant-api\u0663\u0663-" + "a" * 40, "dapi" + "0" * 32 + "-\u0663", "xoxb-" + "1" * 10]
    return values


def _files_lines() -> list[str]:
    files = {**secrets_files(), **injection_files(), **real_files(10)}
    return [line for text in files.values() for line in text.split("\n")]


@pytest.mark.parametrize("seed", [1, 2])
def test_long_runs_are_the_long_token_matches(seed: int):
    rng = random.Random(seed)
    texts = ["\n".join(_adversarial(rng, _keys())), "\n".join(_files_lines()), "", "a" * MIN_RUN]
    texts += ["x" * (MIN_RUN - 1), "\u0130" + "b" * 10_000 + "\uff41", ("q" * 25 + "\u00e9") * 400]
    for text in texts:
        assert long_runs(text) == [m.span() for m in LONG_RUN.finditer(text)]


def test_the_formats_searched_in_runs_are_those_that_match_only_inside_one():
    d = detector_rules()
    outside = {fmt.kind for fmt, in_runs in zip(KEY_FORMATS, d.in_runs, strict=True) if not in_runs}
    # A dot, a short token, or `\d` (which takes any script's digits) keeps a format on the whole text;
    # so does a placed credential's marker (`Password=`, `curl -u`, `Bearer `, `requirepass `).
    assert outside == {
        "Anthropic API Key",
        "Slack Token",
        "SendGrid API Key",
        "Doppler Token",
        "Databricks Token",
        "HashiCorp Vault Token",
        "Google OAuth Access Token",
        "Alibaba Cloud AccessKey ID",
        "HCP Terraform Token",
        "PlanetScale Token",
        "Dynatrace Token",
        "Airtable Personal Access Token",
        "Harness Token",
        "OpenShift Token",
        "Typeform Token",
        "Cloudflare Origin CA Key",
        "Azure AD Client Secret",
        # A Wallet Import Format key and a Stellar seed are placed by their checksums, not a marker: the
        # token is all each is.
        *(
            fmt.kind
            for fmt in (*PLACED_FORMATS, *TOOL_FORMATS)
            if fmt.kind not in ("Wallet Import Format Key", "Stellar Secret Seed")
        ),
    }


@pytest.mark.parametrize(
    ("source", "inside"),
    [
        (r"ab[A-Za-z0-9]{20,}", True),
        (r"ab[A-Za-z0-9]{20}(?![A-Za-z0-9])", True),
        (r"(?<![a-z])ab[a-z]{20}", True),
        (r"(?:ab|cd)_[0-9a-f]{30}", True),
        (r"ab[A-Za-z0-9]{17}", False),  # shorter than a run
        (r"ab\d{20}", False),  # any script's digits
        (r"ab\w{20}", False),
        (r"ab.[a-z]{20}", False),
        (r"ab\.[a-z]{20}", False),
        (r"^ab[a-z]{20}", False),  # an anchor reads the whole text
        (r"ab[a-z]{20}\b", False),
        (r"(?i)ab[a-z]{20}", False),  # the Kelvin sign matches k
        (r"ab[^ ]{20}", False),
        (r"(?:ab|c d)[a-z]{20}", False),
        (r"ab(?!x y)[a-z]{20}", False),
    ],
)
def test_within_runs_reads_the_pattern(source: str, inside: bool):
    assert within_runs(re.compile(source)) is inside


@pytest.mark.parametrize("seed", [3, 4])
def test_a_pattern_within_runs_finds_in_the_runs_what_it_finds_in_the_whole_text(seed: int):
    rng = random.Random(seed)
    patterns = [fmt.pattern for fmt in KEY_FORMATS if within_runs(fmt.pattern)]
    patterns += [re.compile(r"ab[A-Za-z0-9]{20}(?![A-Za-z0-9])"), re.compile(r"(?<![a-z])cd[a-z0-9]{19}")]
    keys = [*_keys(), "ab" + "Z" * 20, "ab" + "Z" * 21, "cd" + "q" * 19, "xcd" + "9" * 19]
    for text in ("\n".join(_adversarial(rng, keys)), "\n".join(_files_lines())):
        runs = long_runs(text)
        joined = "\n".join(text[start:end] for start, end in runs)
        offsets = []
        at = 0
        for start, end in runs:
            offsets.append(start - at)
            at += end - start + 1
        for pattern in patterns:
            whole = [m.span() for m in pattern.finditer(text)]
            in_runs = []
            for m in pattern.finditer(joined):
                run = joined.count("\n", 0, m.start())
                in_runs.append((m.start() + offsets[run], m.end() + offsets[run]))
            assert in_runs == whole, pattern.pattern


@pytest.mark.parametrize("seed", [5, 6])
def test_the_candidate_lines_are_those_of_every_pattern_over_the_whole_text(seed: int):
    lines = _adversarial(random.Random(seed), _keys())
    lines += ["k" * 70_000 + _keys()[0], "\u0130" * 50 + " " + _keys()[1], "\uff41" * 30 + "x" * 30]
    assert candidates.candidate_lines(lines) == candidates_one_pattern_at_a_time(lines)
    # Every key is on a candidate line, wherever it is put.
    keys = _keys()
    found = set(candidates.candidate_lines(keys))
    assert found == set(range(len(keys)))
