"""The reader's shortcuts give exactly what the full reading gives, in time linear in the input.

- Whether file headers need unquoting is read from the git file headers alone, not from every line of
  the text: it may differ from the whole-text patterns only where unquoting changes nothing.
- A hunk with one empty side (a new or a deleted file) is read at once: the same model as unidiff's
  reading, with markers, CRs, empty lines, short bodies and lines of the other side in it.
- An mbox's messages are found by searching for `From ` after a line break and trying `git mailsplit`'s
  test on those lines: the same places as that test on every line the line-anchored pattern finds.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st
from unidiff.errors import UnidiffParseError

from gate.context import mail
from gate.diff import parser
from gate.diff.reader import read_patch
from tests.diff.test_reader import assert_same
from tests.fuzz.strategies import diff_specs

SHA = "0123456789abcdef0123456789abcdef01234567"
SHA256 = SHA + "89abcdef0123456789abcdef"

HEADER_LINES = [
    "diff --git a/x b/x",
    "diff --git a/sp ace b/sp ace",
    'diff --git "a/sp ace" "b/sp ace"',
    'diff --git "a/q\\"uote" "b/q\\"uote"',
    'diff --git a/"x" b/"x"',
    "diff --git a/t\tb b/t\tb",
    "diff --git  a/x  b/x",
    "diff --git a/old name b/new name",
    "diff --git ",
    "--- a/x",
    "+++ b/x",
    "--- a/sp ace",
    "+++ b/sp ace\t",
    '--- "a/q\\"uote"',
    '+++ "b/q\\"uote"',
    '--- "a/\\303\\251t\\303\\251"',
    "--- /dev/null",
    "rename from old name",
    "rename to new name",
    'rename from "a b"',
    'rename to "c\\td"',
    "copy from x",
    'copy to "y"',
    "new file mode 100644",
    "similarity index 90%",
    "index 0000000..1111111 100644",
    "@@ -1 +1 @@",
    "@@ -0,0 +1 @@",
    "@@ -1,2 +1,2 @@",
    "@@",
    '+--- "x"',
    '--- "x"',
    '-+++ "y"',
    "+--- a/sp ace",
    ' diff --git a b c d"',
    '+x "q"',
    "-y",
    " z",
    '"',
    "",
    "\r",
]


@st.composite
def header_texts(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        lines = draw(st.lists(st.sampled_from(HEADER_LINES), max_size=16))
    else:
        lines = draw(diff_specs(max_files=3)).render().split("\n")
        for _ in range(draw(st.integers(1, 5))):
            lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(HEADER_LINES)))
    return draw(st.sampled_from(["", "\n"])) + "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))


def _whole_text_patterns(text: str) -> bool:
    """The check as it reads every line of the text."""
    return bool(('"' in text and parser._QUOTED_HEADER.search(text)) or parser._SPACED_HEADER.search(text))


@given(header_texts())
def test_the_headers_alone_decide_unquoting_as_the_whole_text_does(text: str) -> None:
    if parser._headers_need_unquoting(text) != _whole_text_patterns(text):
        assert parser._unquote_headers(text) == (text, {})
    assert_same(text)


@pytest.mark.parametrize(
    "text",
    [
        'diff --git "a/sp ace" "b/sp ace"\n--- "a/sp ace"\n+++ "b/sp ace"\n@@ -0,0 +1 @@\n+x\n',
        "diff --git a/sp ace b/sp ace\n--- a/sp ace\n+++ b/sp ace\t\n@@ -1 +1 @@\n-a\n+b\n",
        # a removed line that reads as a header with a quote, and names with a space in the header
        'diff --git a/x b/x\n--- a/x y\n+++ b/x y\n@@ -1 +1 @@\n--- "b"\n+a\n',
        "diff --git a/x b/x\n--- a/x y\n+++ b/x y\n@@ -1 +1 @@\n-a\n+b\n",
        "diff --git a/old name b/new name\nrename from old name\nrename to new name\n",
        '--- "a/q\\"uote"\n+++ "b/q\\"uote"\n@@ -1 +1 @@\n-a\n+b\n',
    ],
)
def test_quoted_and_spaced_headers_read_the_same(text: str) -> None:
    if parser._headers_need_unquoting(text) != _whole_text_patterns(text):
        assert parser._unquote_headers(text) == (text, {})
    assert_same(text)


ONE_SIDED_BODY = ["+x", "+", "++", "+-", "+ ", "+\r", "+a\rb", "+x\r", "-x", "-", "--", " ctx", "", "\r"]
ONE_SIDED_BODY += ["\\ No newline at end of file", "@@ -0,0 +1 @@", "--- a/f"]


@st.composite
def one_sided_hunks(draw: st.DrawFn) -> str:
    hunks = []
    for _ in range(draw(st.integers(1, 3))):
        count = draw(st.integers(0, 6))
        added = draw(st.booleans())
        header = f"@@ -0,0 +1,{count} @@" if added else f"@@ -1,{count} +0,0 @@"
        mark = "+" if added else "-"
        body = [mark + draw(st.sampled_from(["x", "", "+", "-", " y", "é"])) for _ in range(count)]
        for _ in range(draw(st.integers(0, 2))):
            body.insert(draw(st.integers(0, len(body))), draw(st.sampled_from(ONE_SIDED_BODY)))
        if body and draw(st.booleans()):
            del body[draw(st.integers(0, len(body) - 1))]
        hunks.append("\n".join([header, *body]))
    text = "--- a/f\n+++ b/f\n" + "\n".join(hunks)
    return text + draw(st.sampled_from(["", "\n", "\n\n", "\r\n", "\n\\ No newline at end of file\n"]))


@given(one_sided_hunks())
def test_hunks_with_one_empty_side_read_as_unidiff_reads_them(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize(
    "text",
    [
        "--- /dev/null\n+++ b/f\n@@ -0,0 +1,3 @@\n+a\n+b\n+c\n",
        "--- /dev/null\n+++ b/f\n@@ -0,0 +1,3 @@\n+a\n+b\n+c",  # no newline after the last line
        "--- /dev/null\n+++ b/f\n@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n",
        "--- /dev/null\n+++ b/f\n@@ -0,0 +1,2 @@\n+a\n\\ No newline at end of file\n+b\n",
        "--- /dev/null\n+++ b/f\n@@ -0,0 +1,2 @@\n+a\r\n+b\r\n",  # CR LF: said in the file's notes
        "--- /dev/null\n+++ b/f\n@@ -0,0 +1,2 @@\n+a\rb\n+c\n",  # a CR inside a line is kept
        "--- /dev/null\n+++ b/f\n@@ -0,0 +1,3 @@\n+a\n\n+c\n",  # an empty line is context: too long
        "--- /dev/null\n+++ b/f\n@@ -0,0 +1,3 @@\n+a\n+b\n",  # too short
        "--- /dev/null\n+++ b/f\n@@ -0,0 +1,2 @@\n+a\n-b\n",  # a line of the empty side
        "--- /dev/null\n+++ b/f\n@@ -0,0 +1,2 @@\n+a\n++b\n+++ c\n",
        "--- a/f\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n--b\n",
        "--- a/f\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n+b\n",
        "--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+a\n@@ -5,2 +1,0 @@\n-b\n-c\n\n",
        "--- a/f\n+++ b/f\n@@ -0,0 +0,0 @@\n+a\n",
    ],
)
def test_one_sided_hunk_examples_read_as_unidiff_reads_them(text: str) -> None:
    assert_same(text)


FROM_LINES = [
    f"From {SHA} Mon Sep 17 00:00:00 2001",
    f"From {SHA} Mon Sep 17 00:00:00 2001\r",
    f"From {SHA} Mon Sep 17 00:00:00 2001 extra",
    f" From {SHA} Mon Sep 17 00:00:00 2001",
    f">From {SHA} Mon Sep 17 00:00:00 2001",
    f"From {SHA[:-1]} Mon Sep 17 00:00:00 2001",
    f"From {SHA256} Mon Sep 17 00:00:00 2001",  # a SHA-256 repository's series
    f"From {SHA256[:-1]} Mon Sep 17 00:00:00 2001",
    f"From {SHA}0 Mon Sep 17 00:00:00 2001",
    f"From {SHA} Sun Dec  6 12:32:42 2026",  # another date: git mailsplit still starts a message
    f"From {SHA} Mon Sep 17 00:00:00 90",
    "From x 1:23:45 99",
    "From 12:34",
    "From: A <a@example.com>",
    "Subject: [PATCH] x",
    "",
    "\r",
    "diff --git a/x b/x",
]


@given(st.lists(st.sampled_from(FROM_LINES), max_size=10), st.sampled_from(["", "\n", "\r\n"]))
def test_messages_start_where_the_line_anchored_pattern_finds_them(lines: list[str], end: str) -> None:
    for text in ("\n".join(lines) + end, "\n" + "\n".join(lines) + end):
        every = [m.start() for m in re.finditer("^From ", text, re.MULTILINE)]
        starts = [at for at in every if mail.is_from_line(text[at : text.find("\n", at) + 1 or len(text)])]
        assert mail.from_line_starts(text) == starts


# --- linear time -----------------------------------------------------------------------------------

SIZES = (10_000, 100_000, 1_000_000)
# 10x the input: linear is about 10x the time, quadratic about 100x. A million lines cost more than ten
# times a hundred thousand (12-15x on an idle machine, allocation and the collector over many more live
# objects), and up to 31x while another test process shares the machine: the bound sits between that
# and quadratic.
MAX_GROWTH = 50
FLOOR_SECONDS = 0.02


def _added_file(lines: list[str]) -> str:
    return f"--- /dev/null\n+++ b/f\n@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines)


# Each shape makes a text of about `size` characters.
SHAPES: dict[str, Callable[[int], str]] = {
    "git headers with no hunk": lambda n: "diff --git a/x b/x\nindex 0..1\n" * (n // 30),
    "headers and hunk lines": lambda n: "diff --git a/x b/x\n@@ -1 +1 @@\n" * (n // 32),
    "quoted lines in hunks": lambda n: _added_file(['--- "x"'] * (n // 10)),
    "an added file": lambda n: _added_file(["line of code"] * (n // 14)),
    "an added file with CRs": lambda n: _added_file(["line\r"] * (n // 7)),
    "one long added line": lambda n: _added_file(["x" * n]),
    "an added file that ends early": lambda n: _added_file(["x"] * (n // 3))[:-4],
}


def _best_cpu(run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best


def _read(text: str) -> object:
    try:
        return parser._headers_need_unquoting(text), read_patch(text)
    except UnidiffParseError as exc:  # a refusal is an outcome too; only its time is measured here
        return exc


@pytest.mark.growth
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_reading_takes_linear_time(shape: str) -> None:
    texts = [SHAPES[shape](size) for size in SIZES]
    times = [_best_cpu(partial(_read, text)) for text in texts]
    assert times[2] < MAX_GROWTH * max(times[1], FLOOR_SECONDS), (shape, times)
    assert times[1] < MAX_GROWTH * max(times[0], FLOOR_SECONDS), (shape, times)


def test_finding_messages_takes_linear_time() -> None:
    def mbox(n: int) -> str:
        return (f"From {SHA} Mon Sep 17 00:00:00 2001\n" + "From x\n" * 8) * (n // 100)

    texts = [mbox(size) for size in SIZES]
    times = [_best_cpu(partial(mail.from_line_starts, text)) for text in texts]
    assert times[2] < MAX_GROWTH * max(times[1], FLOOR_SECONDS), times


def _spaced_header(size: int, *, same: bool) -> str:
    """A `diff --git` line of about `size` characters whose names are spaces and letters, with the same
    name on both sides (as git writes a name with spaces) or not (no split makes one name of them)."""
    name = "x " * (size // 4)
    second = name if same else name.replace("x", "y")
    return f"diff --git a/{name}z b/{second}z\n--- a/p.py\n+++ b/p.py\n@@ -1 +1,2 @@\n x\n+y\n"


@pytest.mark.parametrize("same", [True, False], ids=["one name", "two names"])
def test_splitting_a_diff_git_line_of_many_spaces_takes_linear_time(same: bool) -> None:
    # Each space was a split to test, with copies of both halves: 40 times the line took 150 to 400 times
    # as long (a second for 400 KB), 40 to 50 times now. The bound sits between the two.
    texts = [_spaced_header(size, same=same) for size in (20_000, 800_000)]
    times = [_best_cpu(partial(parser.parse_diff, text)) for text in texts]
    assert times[1] < 200 * max(times[0], 0.001), times
