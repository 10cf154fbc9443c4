"""The redactor on its own: each documented format, at any column, in config syntax read by the file's
name, wrapped in base64, and remembered once seen; in time linear in the input."""

from __future__ import annotations

import base64
import random
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import pytest

from gate.redact import (
    KEY_FORMATS,
    MESSAGE_FILENAME,
    REDACTED,
    _hidden_in,
    find_secrets,
    learn_changeset,
    memory,
    redact,
)
from gate.redact.detect import PIECE_CHARS
from tests.security.test_redaction_matrix import CONFIG_SYNTAX, FORMATS

ROOT = Path(__file__).resolve().parents[2]
_RNG = random.Random(1414)


def _r(n: int) -> str:
    return "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(n))


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_each_format_is_found_and_hidden_on_a_line_and_past_column_10000(name: str) -> None:
    value = FORMATS[name]()
    assert [h.value for h in find_secrets(f"key = {value}")] == [value]
    assert redact(f"use {value} here") == f"use {REDACTED} here"
    for column in (10_001, 54_321, 99_000):
        line = "a" * column + f" {value} " + "b" * (100_000 - column)
        out = redact(line)
        assert value not in out and REDACTED in out, f"{name} at column {column}"


def test_a_key_across_a_piece_boundary_is_hidden_whole() -> None:
    value = FORMATS["anthropic"]()
    for start in range(PIECE_CHARS - 60, PIECE_CHARS + 10, 7):
        out = redact("x" * start + " " + value + " tail")
        assert value not in out and value[-12:] not in out, start


@pytest.mark.parametrize("syntax", sorted(CONFIG_SYNTAX))
def test_config_syntax_is_read_by_the_file_name(syntax: str) -> None:
    path, template = CONFIG_SYNTAX[syntax]
    value = _r(12) + "-" + _r(9)
    line = template.format(value)
    assert value not in redact(line, filename=path)
    hits = list(find_secrets(line, filename=path))
    assert [h.value for h in hits] == [value]


@pytest.mark.parametrize(
    "line",
    [
        "Co-authored-by: coderabbitai[bot] <136622811+coderabbitai[bot]@users.noreply.github.com>",
        "Co-authored-by: copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>",
        "author: jdoe-maintainer",
        "authority: https://login.example.com/tenant",
    ],
)
def test_an_author_is_not_a_secret(line: str) -> None:
    """`auth` names a credential (`auth: …`, `AUTH_TOKEN=…`), `author` a person: commit messages are read
    as config syntax, and a bot's name in a trailer hid the evidence the provenance quotes."""
    assert list(find_secrets(line, filename=MESSAGE_FILENAME)) == []
    assert list(find_secrets(line, filename="chart/values.yaml")) == []
    value = _r(14)
    assert [h.value for h in find_secrets(f"auth: {value}", filename="chart/values.yaml")] == [value]


def test_a_value_a_detector_takes_with_the_marks_around_it_is_remembered_without_them() -> None:
    """Artifactory's patterns take the space, `=`, `:` or quote on each side of the password: remembered
    with them, it was hidden only where the same marks stood around it again, and where they did, the
    words on each side were run together."""
    password = "AP7hQ2mK9xLw4Rt8Vb"
    assert redact(f"artifactory password {password} here") == f"artifactory password {REDACTED} here"
    assert redact(f"print(({password}))") == f"print(({REDACTED}))"


def test_a_value_seen_as_a_secret_is_hidden_wherever_it_appears_again() -> None:
    value = _r(16)
    prose = f"the staging password is {value}, rotate it"  # nothing here marks it as a secret
    assert redact(prose) == prose
    redact(f"DB_PASSWORD={value}", filename="deploy/.env")
    assert redact(prose) == f"the staging password is {REDACTED}, rotate it"
    assert memory.hide(f'{{"body": "{value}"}}') == f'{{"body": "{REDACTED}"}}'


def test_a_piece_a_detector_takes_of_a_longer_remembered_value_leaves_none_of_it() -> None:
    """Read without its file's name, a row yields only the part of a value before an escaped quote;
    the whole value, learnt from the file, is hidden with it, not left as the piece's tail."""
    value = _r(8) + '\\"' + _r(8)
    memory.remember([value])
    row = f'  "password": "{value}",'
    assert redact(row) == f'  "password": "{REDACTED}",'
    # A key format takes a GitHub token out of a longer remembered value: the tail goes too.
    longer = "ghp_" + _r(36) + "!tail" + _r(6)
    memory.remember([longer])
    assert redact(f"x = '{longer}'") == f"x = '{REDACTED}'"


def test_a_value_is_hidden_past_the_places_where_a_longer_value_hidden_holds_it() -> None:
    """Each value is hidden where `str.replace` would replace it after the longer ones: a place that
    overlaps a longer value hidden is left to it, and the next place that does not is hidden."""
    longer, value = "ZZZZZZZab", "abcabc"
    assert _hidden_in(f"{longer}cabcabc", [value, longer]) == f"{REDACTED}c{REDACTED}"
    assert _hidden_in(f"{longer}cabc {value}", [value, longer]) == f"{REDACTED}cabc {REDACTED}"


def test_a_remembered_word_is_hidden_where_it_stands_as_a_value_any_other_value_everywhere(
    tmp_path: Path,
) -> None:
    import json
    import subprocess
    import sys

    from tests.gitrepo import GitRepo

    # In a process of its own: remembered values last as long as the process, and `secret` is a word
    # other tests' output uses.
    probe = (
        "from gate.redact import memory\n"
        "memory.remember(['secret', 'p4ss:w0rd', 'Xy7hunter22', 'password'])\n"
        "for text in ['secrets hard-coded-secret get_secret secretly',\n"
        "             \"a secret store, x=secret; 'secret'\", 'user:p4ss:w0rd@host', 'Xp4ss:w0rd',\n"
        "             'mysql -uroot -pXy7hunter22', 'Bearer_Xy7hunter22',\n"
        "             'def login(user, password):\\n    return check(password)',\n"
        "             'url: http://app:password@db/shop\\n<pass>password</pass>\\nkey: >-\\n  password',\n"
        "             'key: >-\\r\\n  password\\r\\nx: password\\r']:\n"
        "    print(memory.hide(text))\n"
    )
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert shown.splitlines() == [
        "secrets hard-coded-secret get_secret secretly",
        # A word stands as a value in quotes, after `=` or `:`, in a URL's user part, as an element's
        # text, alone on its line; not in a sentence (the gate's own "a secret store") nor as a name.
        f"a secret store, x={REDACTED}; '{REDACTED}'",
        f"user:{REDACTED}@host",
        f"X{REDACTED}",  # a value that is not a word is hidden glued to anything
        f"mysql -uroot -p{REDACTED}",
        f"Bearer_{REDACTED}",
        "def login(user, password):",
        "    return check(password)",
        f"url: http://app:{REDACTED}@db/shop",
        f"<pass>{REDACTED}</pass>",
        "key: >-",
        f"  {REDACTED}",
        # The same with CRLF line ends, as a Windows file's rows reach a prompt (read back as text, the
        # probe's output has its `\r` turned into line breaks).
        "key: >-",
        f"  {REDACTED}",
        f"x: {REDACTED}",
    ]
    # End to end: a placeholder password in `.env` leaves the report's own names whole.
    repo = GitRepo(tmp_path / "repo")
    repo.write("a.py", "x = 1\n")
    base = repo.commit("base")
    repo.write(".env", "DB_PASSWORD=secret\n")
    repo.commit("add env")
    run = subprocess.run(
        [sys.executable, "-m", "gate", "check", "--base", base, "--offline", "--format", "json"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(run.stdout)
    stages = list(report["stages"])
    assert "secrets" in stages and not any(REDACTED in name for name in stages)
    rules = {f["rule"] for f in report["findings"]}
    assert "hard-coded-secret" in rules


def test_the_change_is_learnt_with_file_names_messages_and_pr_text(tmp_path: Path) -> None:
    from dataclasses import replace

    from gate.context.local_git import load_git_changeset
    from gate.context.model import PullRequestInfo
    from tests.gitrepo import GitRepo

    # Drawn apart from the module's generator, so the values do not depend on which tests ran first: a
    # value read from prose is remembered only when shaped as a credential, as these are.
    draw = random.Random(160)
    in_yaml, in_message, in_body = (
        "".join(draw.choices(string.ascii_letters + string.digits, k=15)) for _ in "abc"
    )
    in_name = FORMATS["stripe"]()
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "x\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("deploy/values.yaml", f"password: {in_yaml}\n")
    repo.write(f"notes/{in_name}.txt", "x\n")
    repo.commit(f"Configure\n\npassword: {in_message}")
    changeset = load_git_changeset(repo.root, "main", "feature", [])
    changeset = replace(changeset, pr=PullRequestInfo(number=1, title="t", body=f"secret = {in_body}"))
    learn_changeset(changeset)
    for value in (in_yaml, in_message, in_body, in_name):
        assert value in memory.known()
        assert value not in redact(f"row | {value} |")


def test_a_base64_wrapped_key_is_hidden() -> None:
    inner = FORMATS["github"]()
    for text in (f"token: {inner}", f'{{"auth": "{inner}"}}', f"GH_TOKEN={inner}"):
        wrapped = base64.b64encode(text.encode()).decode()
        urlsafe = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
        for token in (wrapped, urlsafe):
            hits = list(find_secrets(f"data: {token}"))
            assert [h.value for h in hits] == [token] and hits[0].kind.startswith("Base64-wrapped")
            assert token not in redact(f"x = '{token}'")
    # Base64 of ordinary text or binary is not a secret.
    plain = base64.b64encode(b"the quick brown fox jumps over the lazy dog 1234").decode()
    assert not list(find_secrets(plain))


def test_every_format_is_documented_with_its_source() -> None:
    docs = (ROOT / "docs" / "analyzers.md").read_text()
    for fmt in KEY_FORMATS:
        # the row as the table writes it: the kind, the pattern as it is today, where it is documented
        pattern = fmt.pattern.pattern.replace("|", "\\|")
        assert f"| {fmt.kind} | `{pattern}` | {fmt.source} |" in docs, fmt.kind


def _cpu(fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        fn()
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.growth
@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda n: "".join(random.Random(n).choices(string.ascii_letters, k=n)), id="letters"),
        pytest.param(
            lambda n: "".join(random.Random(n).choices(string.ascii_letters + "0123", k=n)), id="alnum"
        ),
        pytest.param(lambda n: ("password=x1y2 " * (n // 14 + 1))[:n], id="keywords"),
        pytest.param(lambda n: ("A" * 23 + "=" + " ") * (n // 25 + 1), id="base64-ish"),
    ],
)
def test_redaction_time_grows_linearly(make: Callable[[int], str]) -> None:
    times = {}
    for size in (10_000, 100_000, 1_000_000):
        text = make(size)
        times[size] = _cpu(lambda text=text: redact(text, filename="a.env"))
    floor = 0.02
    assert max(times[1_000_000], floor) / max(times[100_000], floor) < 30, times
    assert max(times[100_000], floor) / max(times[10_000], floor) < 30, times


def test_many_remembered_values_cost_little_per_character() -> None:
    before = set(memory._values)
    try:
        memory.remember(f"{_r(4)}{i:06d}{_r(20)}" for i in range(2_000))
        times = {}
        for size in (10_000, 100_000, 1_000_000):
            text = "".join(random.Random(size).choices(string.ascii_letters + string.digits + " ", k=size))
            times[size] = _cpu(lambda text=text: memory.hide(text))
        assert max(times[1_000_000], 0.02) / max(times[100_000], 0.02) < 30, times
    finally:  # the values stay out of the other tests' way
        with memory._lock:
            memory._values.intersection_update(before)
            memory._pattern = None


def _hiding_passes_over(text: str, run: Callable[[], object]) -> int:
    """How many calls of a `str` method on `text`, or on a copy of it at least half as long, the hiding
    code (`gate.redact` itself, not its detector) makes while `run` runs: each a replace, a find or a
    split over the line's characters. Counted by the profiler hook, not by a clock."""
    passes = 0

    def count(frame: FrameType, event: str, arg: object) -> None:
        nonlocal passes
        receiver = getattr(arg, "__self__", None)
        if (
            event == "c_call"
            and frame.f_globals.get("__name__") == "gate.redact"
            and isinstance(receiver, str)
            and len(receiver) >= len(text) // 2
        ):
            passes += 1

    sys.setprofile(count)
    try:
        run()
    finally:
        sys.setprofile(None)
    return passes


def test_a_line_of_thousands_of_remembered_values_is_rebuilt_once_not_once_per_value() -> None:
    """Next to one detected key, each remembered value the line held was replaced in a pass of its own
    over the whole line: 2,000 values on a line of 40,000 characters were 2,000 passes."""
    before = set(memory._values)
    try:
        passes = {}
        for count in (500, 2_000):
            values = [f"{_r(4)}{i:06d}{_r(10)}" for i in range(count)]
            memory.remember(values)
            key = "ghp_" + _r(36)
            line = f"token = {key} " + " ".join(values)
            passes[count] = _hiding_passes_over(line, lambda line=line: redact(line))
            assert redact(line) == "token = " + " ".join([REDACTED] * (count + 1))
        assert passes[2_000] <= passes[500] + 4 < 20, passes
    finally:  # the values stay out of the other tests' way
        with memory._lock:
            memory._values.intersection_update(before)
            memory._pattern = None


def _key_pairs(n: int) -> str:
    """`ENV K0_KEY=… K1_KEY=…`: one line of as many credential pairs as fit in n characters."""
    rng = random.Random(n)
    values = (rng.choice("0123456789") + "".join(rng.choices(string.ascii_letters, k=15)) for _ in range(n))
    pairs = (f"K{i}_KEY={value}" for i, value in enumerate(values))
    line = "ENV"
    for pair in pairs:
        if len(line) + len(pair) + 1 > n:
            return line
        line += " " + pair
    return line


@pytest.mark.growth
def test_a_line_of_thousands_of_credential_pairs_is_redacted_in_linear_time() -> None:
    before = set(memory._values)
    try:
        times = {}
        for size in (10_000, 100_000, 1_000_000):
            text = _key_pairs(size)
            times[size] = _cpu(lambda text=text: redact(text, filename="Dockerfile"))
            assert "_KEY=[REDACTED]" in redact(text[:200], filename="Dockerfile")
        assert max(times[1_000_000], 0.05) / max(times[100_000], 0.05) < 30, times
    finally:  # the values stay out of the other tests' way
        with memory._lock:
            memory._values.intersection_update(before)
            memory._pattern = None
