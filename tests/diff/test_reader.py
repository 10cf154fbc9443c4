"""The diff reader reads every text as unidiff does: the same model, or the same refusal.

The reference below is the parser as it was before the reader: unidiff's `PatchSet`, each of its lines
converted into the model. Rendered diffs, hostile fragments (markers, empty lines, CRs, stray headers,
binary markers) spliced into them, and the fuzzers' crash inputs must give equal results both ways.
"""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from unidiff import PatchSet
from unidiff.errors import UnidiffParseError

from gate.diff import Diff, DiffLine, FileChange, FileStatus, Hunk, LineKind, parse_diff, parser
from gate.errors import InputError
from tests.fuzz.strategies import diff_specs


def _reference_hunks(pf: PatchSet) -> tuple[tuple[Hunk, ...], bool]:
    hunks: list[Hunk] = []
    crlf = False
    for h in pf:
        lines: list[DiffLine] = []
        old_nl = new_nl = False
        for ln in h:
            value = ln.value
            if value.endswith("\n"):
                value = value[:-1]
            if value.endswith("\r"):
                value = value[:-1]
                crlf = True
            if ln.line_type == "+":
                lines.append(DiffLine(LineKind.ADDED, None, ln.target_line_no, value))
            elif ln.line_type == "-":
                lines.append(DiffLine(LineKind.REMOVED, ln.source_line_no, None, value))
            elif ln.line_type == "\\":
                if lines and lines[-1].kind is LineKind.ADDED:
                    new_nl = True
                elif lines and lines[-1].kind is LineKind.REMOVED:
                    old_nl = True
                else:
                    old_nl = new_nl = True
            else:
                lines.append(DiffLine(LineKind.CONTEXT, ln.source_line_no, ln.target_line_no, value))
        old_side = sum(1 for line in lines if line.kind is not LineKind.ADDED)
        new_side = sum(1 for line in lines if line.kind is not LineKind.REMOVED)
        if (old_side, new_side) != (h.source_length, h.target_length):
            raise InputError(
                f"diff: a hunk of {pf.path} has {old_side} old and {new_side} new lines, "
                f"its header says {h.source_length} and {h.target_length}"
            )
        if (h.source_start < 1 and h.source_length > 0) or (h.target_start < 1 and h.target_length > 0):
            raise InputError(
                f"diff: a hunk of {pf.path} starts at line 0 with lines on that side "
                f"(@@ -{h.source_start},{h.source_length} +{h.target_start},{h.target_length} @@)"
            )
        hunks.append(
            Hunk(
                h.source_start,
                h.source_length,
                h.target_start,
                h.target_length,
                h.section_header,
                tuple(lines),
                new_missing_newline=new_nl,
                old_missing_newline=old_nl,
            )
        )
    return tuple(hunks), crlf


def _reference(text: str) -> Diff:
    """unidiff's reading, converted (the headers' unquoting and statuses are the parser's own)."""
    if not text.strip():
        return Diff(files=())
    text, quoted = _as_unidiff_reads(text)
    try:
        patch = PatchSet(io.StringIO(text, newline="\n"))
    except UnidiffParseError as exc:
        raise InputError(f"diff: not a unified diff: {exc}") from None
    except (UnboundLocalError, AttributeError):
        raise InputError("diff: not a unified diff: a file header is incomplete") from None
    if not len(patch) and not parser._looks_like_diff(text):
        raise InputError("diff: no diff found in the input")
    files = []
    names = parser._PrefixStrip()
    for pf in patch:
        # The header fields through the parser's own conversion, the hunks through the reference.
        raw = parser.RawFile(
            list(pf.patch_info or ()) if pf.patch_info is not None else None,
            pf.source_file,
            pf.target_file,
            # git reads a plain diff's names with their dates (an epoch date is a created or deleted file)
            pf.source_timestamp,
            pf.target_timestamp,
            is_binary_file=pf.is_binary_file,
        )
        change = parser._convert(raw, quoted, names)
        hunks, crlf = _reference_hunks(pf)
        files.append(
            FileChange(
                change.path,
                change.old_path,
                change.status,
                hunks,
                change.is_binary,
                change.old_mode,
                change.new_mode,
                (f"{change.path}: CRLF line ends",) if crlf else (),
            )
        )
    return Diff(files=tuple(files), notes=names.notes())


def _as_unidiff_reads(text: str) -> tuple[str, dict[str, str]]:
    """The text as the reference gives it to unidiff: with quoted header names unquoted."""
    if ('"' in text and parser._QUOTED_HEADER.search(text)) or parser._SPACED_HEADER.search(text):
        return parser._unquote_headers(text)
    return text, {}


def _outcome(read: object, text: str) -> object:
    try:
        return read(text)  # type: ignore[operator]
    except InputError as exc:
        return ("InputError", exc.message.replace("diff: ", "", 1))
    except (ValueError, RecursionError) as exc:
        return (type(exc).__name__,)


# A refusal at one line, as the parser words it: the line by its number (unidiff quotes its text).
_NUMBERED = re.compile(r"(not a unified diff: .+) \(line ([\d,]+)\)")


def assert_same(text: str) -> None:
    ours, reference = _outcome(parse_diff, text), _outcome(_reference, text)
    refused = isinstance(ours, tuple) and ours[0] == "InputError"
    numbered = _NUMBERED.fullmatch(ours[1]) if refused else None  # type: ignore[index]
    if numbered is not None:
        # The same refusal when the numbered line is the one unidiff quotes.
        lines = io.StringIO(_as_unidiff_reads(text)[0], newline="\n").readlines()
        line = lines[int(numbered.group(2).replace(",", "")) - 1]
        ours = ("InputError", f"{numbered.group(1)}: {line}")
    assert ours == reference


# Lines that stress the reader's states: markers, empty and CR-only lines, headers out of place.
FRAGMENTS = [
    "",
    "\r",
    "\r\r",
    "\rtext",
    "\\ No newline at end of file",
    "\\ No newline at end of file\r",
    "\\",
    "+added\r",
    "+",
    "-",
    " ",
    "-removed",
    " context",
    "text without a type",
    "@@ -1 +1 @@",
    "@@ -1,2 +1,3 @@ def f():",
    "@@ -0,0 +1 @@",
    "@@ -1,0 +1,0 @@",
    "--- a/x.py",
    "+++ b/x.py",
    "--- /dev/null",
    "+++ /dev/null",
    "--- a/x.py\t1970-01-01 00:00:00.000000000 +0000",
    "+++ b/x.py.orig 2024-01-02 10:00:00 +0100",
    "diff --git a/x.py b/x.py",
    "diff --git a/y.py b/z.py",
    "new file mode 100644",
    "deleted file mode 100644",
    "old mode 100644",
    "new mode 100755",
    "rename from y.py",
    "rename to z.py",
    "GIT binary patch",
    "Binary files a/x.png and b/x.png differ",
    "index 1234567..89abcde 100644",
]


@st.composite
def spliced(draw: st.DrawFn) -> str:
    lines = draw(diff_specs()).render().split("\n")
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, draw(st.sampled_from(FRAGMENTS)))
    if lines and draw(st.booleans()):
        del lines[draw(st.integers(0, len(lines) - 1))]
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n", "\r\n"]))


@given(diff_specs())
def test_rendered_diffs_read_the_same(spec: object) -> None:
    assert_same(spec.render())  # type: ignore[attr-defined]


@given(spliced())
def test_diffs_with_hostile_lines_read_the_same(text: str) -> None:
    assert_same(text)


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12), st.sampled_from(["\n", "\r\n"]))
def test_fragments_alone_read_the_same(lines: list[str], end: str) -> None:
    assert_same(end.join(lines) + end)
    assert_same(end.join(lines))


@pytest.mark.parametrize(
    "text",
    [
        "+++ b/0\n@@ -0,0 +1,1 @@\n+\n",
        "GIT binary patch\nnew file mode 100644\n+++ b/x.txt\n@@ -0,0 +1 @@\n+a\n",
        "diff --git a/ b/\ndiff --git a/0 b/0\nnew file mode 100644\n--- /dev/null\n+++ b/0\n"
        "@@ -0,0 +1,1 @@\n+\n",
        "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -0,3 +1,4 @@\n+new\n a\n b\n c\n",
        "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\n\\ No newline at end of file\n",
        "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n\\ No newline at end of file\n",
        "--- a/w.txt\r\n+++ b/w.txt\r\n@@ -1 +1 @@\r\n-a\r\n+b\r\n",
        "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c",
        "--- a/f\n+++ b/f\n@@ -" + "9" * 5000 + " +1 @@\n+a\n",
        "diff --git a/x b/x\nnew file mode 100644\n--- /dev/null\n+++ b/x\n@@ -0,0 +1,2 @@\n+a\n+b\n",
        "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n@@ -5 +5 @@\n-c\n+d\n\n",
    ],
)
def test_hostile_examples_read_the_same(text: str) -> None:
    assert_same(text)


def test_the_reader_gives_the_model_lines_and_numbers() -> None:
    diff = parse_diff("--- a/f\n+++ b/f\n@@ -3,2 +3,3 @@ def f():\n a\n-b\n+c\n+d\n")
    (hunk,) = diff.files[0].hunks
    assert hunk.section == "def f():"
    assert [(line.kind, line.old_no, line.new_no, line.text) for line in hunk.lines] == [
        (LineKind.CONTEXT, 3, 3, "a"),
        (LineKind.REMOVED, 4, None, "b"),
        (LineKind.ADDED, None, 4, "c"),
        (LineKind.ADDED, None, 5, "d"),
    ]
    assert diff.files[0].status is FileStatus.MODIFIED
