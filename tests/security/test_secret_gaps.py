"""Secrets the candidate pass or a rule's precedence could let through to a model or a report.

The candidate pass skips a line only where no rule can match: a detect-secrets regex needs no
random-looking token (a key of letters only, glued to a name, has no digit to look random by). A
keyword's value is a secret whatever it looks like (`password = 1.2.3.4`). A public address is not a
credential: neither reported nor hidden, on whichever line it stands.
"""

from __future__ import annotations

import json
import random
import string
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gate.analyzers.secrets import is_placeholder
from gate.redact import REDACTED, detect, memory, redact
from gate.redact.candidates import candidate_lines
from gate.redact.rules import detector_rules
from tests.gitrepo import GitRepo
from tests.security.test_shortcut_secrets import _check, _detect_secrets_values

_RNG = random.Random(2718)


def _letters(n: int) -> str:
    return "".join(_RNG.choice(string.ascii_letters) for _ in range(n))


def _lower(n: int) -> str:
    return "".join(_RNG.choice(string.ascii_lowercase) for _ in range(n))


# Keys of letters only (no digit to look random by), glued to other characters or split by dots.
LETTERS_ONLY = {
    "aws glued": "creds_AKIA" + "".join(_RNG.choice(string.ascii_uppercase) for _ in range(16)),
    "aws prefix A3T": "x = 'A3TX" + "".join(_RNG.choice(string.ascii_uppercase) for _ in range(16)) + "'",
    "discord": "bot = 'M" + _letters(24) + "." + _letters(6) + "." + _letters(27) + "'",
    "sendgrid glued": "keySG." + _letters(22) + "." + _letters(43),
    "telegram": "TELEGRAM=123456789:" + _letters(35),
    "stripe glued": "xsk_live_" + _letters(24),
    "twilio": "sid AC" + _lower(32),
    "slack short": "hook xoxb-1-" + _lower(8),
    "cloudant key": 'cl_key = "' + _lower(24) + '"',
}


def test_a_letters_only_key_that_detect_secrets_finds_is_found_and_hidden() -> None:
    for name, line in LETTERS_ONLY.items():
        values = _detect_secrets_values(line, "app/keys.py")
        assert values, name  # the line holds what detect-secrets calls a secret
        assert candidate_lines([line]) == [0], name
        hidden = redact(line, filename="app/keys.py")
        for value in values:
            assert value not in hidden, (name, hidden)
    _check(list(LETTERS_ONLY.values()))
    # Among many ordinary lines too: each one found by the pass over the whole text.
    lines = [f"name_{i} = compute(value_{i})" for i in range(200)] + list(LETTERS_ONLY.values())
    assert candidate_lines(lines)[-len(LETTERS_ONLY) :] == list(range(200, len(lines)))


# What a regex rule can open with, glued to letters only and to the characters around keys.
_FRAGMENTS = [
    "AKIA", "ASIA", "A3TA", "ghp_", "gho_", "glpat-", "GR1348941", "sk_live_", "rk_live_", "SG.", "AC", "SK",
    "xoxb-1-", "xoxp-22-", "eyJ", "M", "N", "O", "123456789:", "aws_key '", "cl_pw = '", "ibm_key = '",
    "sl_key: '", "AccountKey=", "-us1",
]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.sampled_from(_FRAGMENTS),
                st.text(st.sampled_from(string.ascii_letters), min_size=1, max_size=70),
                st.text(st.sampled_from("._-:=' \"/"), min_size=1, max_size=2),
            ),
            max_size=6,
        ).map("".join),
        min_size=1,
        max_size=5,
    )
)
def test_every_detect_secrets_regex_is_tried_wherever_it_can_match(lines: list[str]) -> None:
    rules = detector_rules().regex_rules
    found = set(candidate_lines(lines))
    for index, line in enumerate(lines):
        if any(regex.search(line) for _, regex in rules):
            assert index in found, line
    _check(lines)


def test_a_keyword_value_that_looks_like_an_address_is_a_secret(tmp_path: Path) -> None:
    for line, name in (('password = "1.2.3.4"', "app/db.py"), ("password: 8.8.8.8", "deploy/values.yml")):
        value = line.split()[-1].strip('"')
        assert [(h.kind, h.value) for h in detect.find_secrets(line, filename=name)] == [
            ("Secret Keyword", value)
        ]
        assert value in memory.known()
        assert value not in redact(line, filename=name)
        assert redact(f"host {value}") == f"host {REDACTED}"  # remembered: hidden wherever it appears
    # End to end, in a process of its own (remembered values last as long as the process).
    repo = GitRepo(tmp_path / "repo")
    repo.write("a.py", "x = 1\n")
    base = repo.commit("base")
    # An identifier that detect-secrets' IBM rule takes for a key, called: code, not a credential.
    called = "{key: _strip_prompt_cache_breakpoints_from_content(item) for key, item in x}"
    repo.write("app/db.py", f'password = "93.184.216.34"\nHOST = "93.184.216.34"\nm = {called}\n')
    repo.commit("connect")
    run = subprocess.run(
        [sys.executable, "-m", "gate", "check", "--base", base, "--offline", "--format", "json"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "93.184.216.34" not in run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert [
        (f["rule"], f["path"], f["start_line"]) for f in report["findings"] if f["stage"] == "secrets"
    ] == [("hard-coded-secret", "app/db.py", 1)]


def test_only_a_called_snake_case_name_is_taken_for_code() -> None:
    name = "_strip_prompt_cache_breakpoints_from_content"
    assert is_placeholder(name, f"{{key: {name}(item) for key, item in x}}")
    key = "ghp_" + "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(36))
    for line in (f'token = "{key}("', f"# {key}()", f"token = {key} (x)"):
        assert not is_placeholder(key, line), line  # a key followed by `(` is still a key
    assert not is_placeholder(name, f"key: {name}")  # not called: what the rule found stays a finding
    assert not is_placeholder(name, f"key: x{name}(1)")  # part of another name


def test_a_public_address_is_neither_reported_nor_hidden_on_any_line() -> None:
    key = "ghp_" + "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(36))
    lines = ['server = "203.0.113.77"', f'server = "203.0.113.78"  # token {key}']
    assert [[h.value for h in detect.find_secrets(line)] for line in lines] == [[], [key]]
    assert redact("\n".join(lines)) == f'server = "203.0.113.77"\nserver = "203.0.113.78"  # token {REDACTED}'
