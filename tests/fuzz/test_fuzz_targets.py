"""Fuzz targets for the parsers: mutated diffs, mbox series and configs, for FUZZ_SECONDS each.

`make test` runs each target for a couple of seconds; `make fuzz` runs them for minutes. The only
exception a parser may raise is its GateError kind; anything else is a crash, shrunk by hypothesis,
kept in its example database, and then written down in test_regressions.py.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from gate.config import Config, load_config_text
from gate.context.patch import load_patch_changeset
from gate.diff import parse_diff
from gate.errors import ConfigError, InputError
from tests.fuzz.conftest import FUZZ_SECONDS
from tests.fuzz.strategies import diff_specs, mbox, series

HOSTILE_LINES = [
    "@@ -1 +1 @@",
    "@@ -0,0 +0,0 @@",
    "@@ -99999999999999999999,1 +1,99999999999 @@",
    "@@ -1,-1 +1,-1 @@",
    "@@@ -1,1 -1,1 +1,1 @@@",
    "diff --git a/x b/x",
    'diff --git "a/\\303\\251 \\"q\\"" "b/\\303\\251 \\"q\\""',
    'diff --git "a/\\777\\" "b/\\',
    "diff --git a/ b/",
    "--- /dev/null",
    "+++ /dev/null",
    "--- a/",
    "+++ b/",
    '--- "a/\\x"',
    "rename from x",
    "rename to ",
    "copy from a",
    "copy to b",
    "new file mode 100755",
    "deleted file mode 120000",
    "old mode 100644",
    "similarity index 100%",
    "GIT binary patch",
    "literal 0",
    "delta 12",
    "Binary files a/x and b/y differ",
    "Binary files /dev/null and /dev/null differ",
    "\\ No newline at end of file",
    "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001",
    "From: =?utf-8?q?=E2=80=AE?= <x@y>",
    "From: ",
    "Subject: =?bogus?b?!!!?=",
    "Subject: [PATCH 1/1]",
    "Notes (ai):",
    "    ai-note",
    "-- ",
    "---",
    "index 000..111 100644",
    '"',
    "\\",
    "+",
    "-",
    " ",
    "",
]

_NUMBER = re.compile(rb"\d+")


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """A valid input with a few lines dropped, doubled, swapped, replaced, renumbered or cut short."""
    lines = seed.split(b"\n")
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            lines = [b""]
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.integers(0, 7))
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[i])
        elif op == 2:
            lines.insert(i, draw(st.sampled_from(HOSTILE_LINES)).encode())
        elif op == 3:
            lines[i] = draw(st.sampled_from(HOSTILE_LINES)).encode()
        elif op == 4:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 5:
            number = str(draw(st.one_of(st.integers(0, 3), st.integers(0, 10**25)))).encode()
            lines[i] = _NUMBER.sub(number, lines[i], count=1)
        elif op == 6:
            lines[i] = lines[i] + draw(st.binary(min_size=1, max_size=4).filter(lambda b: b"\0" not in b))
        else:
            lines[i] = lines[i][: draw(st.integers(0, max(0, len(lines[i]) - 1)))]
    data = b"\n".join(lines)
    if draw(st.booleans()):
        data = data.replace(b"\n", b"\r\n")
    return data


@st.composite
def patch_inputs(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        seed = draw(diff_specs()).render()
    else:
        s = draw(series())
        seed = mbox(s.patches(), s.shas)
    return draw(mutated(seed.encode()))


# A target loops for FUZZ_SECONDS, past the suite's own limit on a test (pyproject's `timeout`) when
# `make fuzz` asks for minutes: its limit is that time and two minutes for its last round.
TARGET_TIMEOUT = FUZZ_SECONDS + 120


def run_for(seconds: float, target: Callable[[], None]) -> int:
    """Run a hypothesis test round after round until the time is up; each round explores afresh."""
    deadline = time.monotonic() + seconds
    rounds = 0
    while rounds == 0 or time.monotonic() < deadline:
        target()
        rounds += 1
    return rounds


@pytest.mark.timeout(TARGET_TIMEOUT)
def test_fuzz_patch_reader_raises_only_input_error() -> None:
    @given(patch_inputs())
    def target(data: bytes) -> None:
        try:
            changeset = load_patch_changeset(data, "fuzz.patch", ignore=("**/*.md",))
        except InputError as exc:
            assert "\n" not in exc.one_line()
            return
        for change in changeset.diff.files:
            assert change.path
            for hunk in change.hunks:
                for line in hunk.lines:
                    assert line.old_no is None or line.old_no >= 0
                    assert line.new_no is None or line.new_no >= 0

    assert run_for(FUZZ_SECONDS, target) >= 1


@pytest.mark.timeout(TARGET_TIMEOUT)
def test_fuzz_diff_text_parser_raises_only_input_error() -> None:
    @given(st.one_of(patch_inputs().map(lambda b: b.decode("utf-8", "replace")), st.text(max_size=200)))
    def target(text: str) -> None:
        try:
            diff = parse_diff(text, source="fuzz")
        except InputError:
            return
        for change in diff.files:
            if diff.by_path[change.path] is not change:
                continue  # the same path twice (concatenated patches): the later one is looked up
            for hunk in change.hunks:
                first = next((line.new_no for line in hunk.lines if line.new_no is not None), None)
                if first is not None:
                    assert diff.is_commentable(change.path, first, None)

    assert run_for(FUZZ_SECONDS, target) >= 1


CONFIG_SEED = yaml.safe_dump(Config().model_dump(mode="json"), sort_keys=False).encode()


@pytest.mark.timeout(TARGET_TIMEOUT)
def test_fuzz_config_loader_raises_only_config_error() -> None:
    @given(mutated(CONFIG_SEED))
    def target(data: bytes) -> None:
        try:
            load_config_text(data.decode("utf-8", "replace"), "fuzz.yml")
        except ConfigError as exc:
            assert "\n" not in exc.one_line()

    assert run_for(FUZZ_SECONDS, target) >= 1
