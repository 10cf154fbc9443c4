"""Test code inside a code file: Rust keeps a module's unit tests in the module itself, in an item under
`#[cfg(test)]` (usually `mod tests { ... }`), or as functions under `#[test]` (`#[tokio::test]`). The
lines of those items are test code, read as a test file's; the rest of the file is code.

The items are found by their braces, counted outside comments, strings, raw strings and character
literals (a lifetime's `'a` opens none), in one pass over the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gate.analyzers.source import ChangeView
from gate.analyzers.weakened_tests.lines import is_real_assertion
from gate.analyzers.weakened_tests.paths import is_test_file
from gate.diff.model import DiffLine, FileChange, FileStatus, Hunk, LineKind

# `#[cfg(test)]`, `#[test]`, `#[tokio::test]`, `#[rstest]` opening a line: the item below is test code.
_TEST_ATTRIBUTE = re.compile(r"\s*#\[\s*(?:cfg\s*\(\s*test\s*\)|(?:\w+::)*(?:test|rstest)\b)")


@dataclass
class InlineTests:
    """The changed Rust code files' test items, as the stage reads them."""

    # Each file's change cut to its test items -> whether an assertion that can fail is left in them
    # at head (1 or 0), as a test file's count.
    assertions_left: dict[FileChange, int] = field(default_factory=dict)
    # Whether each file holding test items changes code outside them too (one whose edits are all in
    # its tests is no code change).
    changes_code: dict[str, bool] = field(default_factory=dict)
    # The files whose diff shows a test item but that could not be read whole, with why: a gap.
    unread: dict[str, str] = field(default_factory=dict)


def inline_tests(view: ChangeView) -> InlineTests:
    """The test items of the changed Rust code files, read from the files whole at base and head."""
    found = InlineTests()
    for change in view.changeset.diff.files:
        if (
            not change.path.endswith(".rs")
            or is_test_file(change.path)
            or change.status is FileStatus.DELETED
        ):
            continue
        if change.is_binary or not view.readable(change):
            continue
        head = view.text("head", change.path) if view.is_whole_file(change) else None
        old = change.old_path if change.status is FileStatus.RENAMED and change.old_path else change.path
        base = (
            ""
            if change.status is FileStatus.ADDED
            else view.text("base", old)
            if view.has_revisions
            else None
        )
        if head is None or base is None:
            if _mentions_tests(change):
                found.unread[change.path] = "not read whole, so its test items are not told from its code"
            continue
        base_lines, head_lines = rust_test_lines(base), rust_test_lines(head)
        if not base_lines and not head_lines:
            continue
        part, outside = cut_to_tests(change, base_lines, head_lines)
        found.changes_code[change.path] = outside
        if part.hunks:
            numbered = enumerate(head.split("\n"), 1)
            left = any(is_real_assertion(line) for no, line in numbered if no in head_lines)
            found.assertions_left[part] = int(left)
    return found


def _mentions_tests(change: FileChange) -> bool:
    """Whether a hunk of the change shows a test attribute: what a reader of the diff alone can tell."""
    return any(_TEST_ATTRIBUTE.match(line.text) for hunk in change.hunks for line in hunk.lines)


def rust_test_lines(text: str) -> frozenset[int]:
    """The numbers (from 1) of the lines of every item under a test attribute, the attribute's included."""
    lines = text.split("\n")
    starts = [i + 1 for i, line in enumerate(lines) if _TEST_ATTRIBUTE.match(line)]
    if not starts:
        return frozenset()
    tokens = _structure(text)
    closing = _closing(tokens)
    out: set[int] = set()
    covered = 0  # the last line of the item read last: attributes inside it are in it already
    at = 0  # the first token not before the attribute's line
    for start in starts:
        if start <= covered:
            continue
        while at < len(tokens) and tokens[at][1] < start:
            at += 1
        if at == len(tokens):
            break
        char, line = tokens[at]
        end = line if char != "{" else tokens[closing[at]][1] if at in closing else len(lines)
        out.update(range(start, end + 1))
        covered = end
    return frozenset(out)


def _structure(text: str) -> list[tuple[str, int]]:
    """Each `{`, `}` and `;` of the code, with its line, outside comments, strings and characters."""
    out: list[tuple[str, int]] = []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        elif c in "{};":
            out.append((c, line))
        elif c == "/" and text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end == -1 else end
            continue
        elif c == "/" and text.startswith("/*", i):
            end = _comment_end(text, i)
            line += text.count("\n", i, end)
            i = end
            continue
        elif c == '"' or (c == "r" and _raw_string_at(text, i)):
            end = _string_end(text, i)
            line += text.count("\n", i, end)
            i = end
            continue
        elif c == "'":
            i = _character_end(text, i)
            continue
        elif c.isalnum() or c == "_":
            # A name: an `r` inside it opens no raw string (`for"` is no `r"`), but one that ends a raw
            # byte or C string's prefix does (`br"\"`, `cr#"..."#`).
            start = i
            while i < n and (text[i].isalnum() or text[i] == "_"):
                i += 1
            if text[start:i] in ("br", "cr") and _raw_string_at(text, i - 1):
                end = _string_end(text, i - 1)
                line += text.count("\n", i - 1, end)
                i = end
            continue
        i += 1
    return out


def _closing(tokens: list[tuple[str, int]]) -> dict[int, int]:
    """The index of each `{` token's matching `}`."""
    out: dict[int, int] = {}
    stack: list[int] = []
    for k, (char, _) in enumerate(tokens):
        if char == "{":
            stack.append(k)
        elif char == "}" and stack:
            out[stack.pop()] = k
    return out


def _comment_end(text: str, i: int) -> int:
    """Past the block comment at `i` (Rust's nest)."""
    depth, i, n = 0, i, len(text)
    while i < n:
        if text.startswith("/*", i):
            depth += 1
            i += 2
        elif text.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return n


def _raw_string_at(text: str, i: int) -> bool:
    """`r"`, `r#"`, `r##"` at `i` (the `r` of `br"` and `cr"` too, which the name before it reads)."""
    j = i + 1
    while j < len(text) and text[j] == "#":
        j += 1
    return j < len(text) and text[j] == '"'


def _string_end(text: str, i: int) -> int:
    """Past the string at `i`: a plain one with its escapes, or a raw one closed by its own `"#`."""
    n = len(text)
    if text[i] == "r":
        j = i + 1
        while text[j] == "#":
            j += 1
        closer = '"' + "#" * (j - i - 1)
        end = text.find(closer, j + 1)
        return n if end == -1 else end + len(closer)
    j = i + 1
    while j < n and text[j] != '"':
        j += 2 if text[j] == "\\" else 1
    return min(j + 1, n)


def _character_end(text: str, i: int) -> int:
    """Past a character literal at `i` (`'x'`, `'\\n'`, `'\\u{1F600}'`), or past the `'` of a lifetime."""
    if text.startswith("\\", i + 1):
        # The longest escape, `'\u{10FFFF}'`, closes within 12 characters: no search runs further.
        end = text.find("'", i + 3, i + 13)
        return i + 1 if end == -1 else end + 1
    if i + 2 < len(text) and text[i + 2] == "'":
        return i + 3
    return i + 1


def cut_to_tests(change: FileChange, base: frozenset[int], head: frozenset[int]) -> tuple[FileChange, bool]:
    """The change cut to the lines of test items (removed ones by their base line, added ones by their
    head line; context kept to part runs), and whether it changes any line outside them."""
    hunks: list[Hunk] = []
    outside = False
    for hunk in change.hunks:
        kept = [line for line in hunk.lines if _in_tests(line, base, head)]
        outside = outside or len(kept) < len(hunk.lines)
        if any(line.kind is not LineKind.CONTEXT for line in kept):
            hunk_part = Hunk(
                hunk.old_start, hunk.old_count, hunk.new_start, hunk.new_count, hunk.section, tuple(kept)
            )
            hunks.append(hunk_part)
    part = FileChange(change.path, change.old_path, change.status, tuple(hunks))
    return part, outside


def _in_tests(line: DiffLine, base: frozenset[int], head: frozenset[int]) -> bool:
    if line.kind is LineKind.REMOVED:
        return (line.old_no or 0) in base
    return line.kind is LineKind.CONTEXT or (line.new_no or 0) in head
