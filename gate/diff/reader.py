"""Read unified diff text into files and hunks of `DiffLine`s in one pass.

The file-header logic is adapted from unidiff's (`PatchSet._parse`, unidiff 0.7.5, MIT License,
Copyright (c) 2012 Matias Bordese; the licence is `gate/diff/LICENSE.unidiff`), step for step, with
unidiff's own patterns and errors, so that every text is accepted or refused as unidiff accepts or
refuses it; the hunk bodies, nearly all of a large diff, become the gate's `DiffLine`s as they are
read, instead of unidiff's `Line` objects converted afterwards (that was two objects and a pattern
match per line). `tests/diff/test_reader.py` checks the two readings agree, hostile and random texts
included.
"""

from __future__ import annotations

from itertools import repeat

from unidiff.constants import (
    DEV_NULL,
    LINE_VALUE_NO_NEWLINE,
    RE_BINARY_DIFF,
    RE_DIFF_GIT_DELETED_FILE,
    RE_DIFF_GIT_HEADER,
    RE_DIFF_GIT_HEADER_NO_PREFIX,
    RE_DIFF_GIT_HEADER_URI_LIKE,
    RE_DIFF_GIT_NEW_FILE,
    RE_HUNK_EMPTY_BODY_LINE,
    RE_HUNK_HEADER,
    RE_NO_NEWLINE_MARKER,
    RE_SOURCE_FILENAME,
    RE_TARGET_FILENAME,
)
from unidiff.errors import UnidiffParseError

from gate.diff.model import DiffLine, LineKind

_ADDED, _REMOVED, _CONTEXT = LineKind.ADDED, LineKind.REMOVED, LineKind.CONTEXT


class LineParseError(UnidiffParseError):  # type: ignore[misc]  # unidiff's types are not declared
    """unidiff's error at one line of the text, with unidiff's message (which quotes the line), and the
    `reason` and the line's `number` (from 1) apart: the line may be one of a config, with its password,
    and an error the user sees names it by its number only."""

    def __init__(self, reason: str, number: int, line: str) -> None:
        super().__init__(f"{reason}: {line}")
        self.reason = reason
        self.number = number


class RawHunk:
    """A hunk as read: its header's numbers and its lines (the no-newline markers already applied)."""

    __slots__ = (
        "lines", "new_nl", "old_nl", "section", "source_length", "source_start", "target_length",
        "target_start", "trailing",
    )  # fmt: skip

    def __init__(self, groups: tuple[str | None, ...]) -> None:
        src_start, src_len, tgt_start, tgt_len, section = groups
        self.source_start = int(src_start or 0)
        self.source_length = int(1 if src_len is None else src_len)
        self.target_start = int(tgt_start or 0)
        self.target_length = int(1 if tgt_len is None else tgt_len)
        self.section = section or ""
        self.lines: list[DiffLine] = []
        self.old_nl = False
        self.new_nl = False
        self.trailing = 0  # empty lines after the body that unidiff counts as lines of the hunk

    def mark_no_newline(self) -> None:
        """A `\\ No newline at end of file` marker: it applies to the line before it."""
        lines = self.lines
        if lines and lines[-1].kind is _ADDED:
            self.new_nl = True
        elif lines and lines[-1].kind is _REMOVED:
            self.old_nl = True
        else:
            self.old_nl = self.new_nl = True


class RawFile:
    """One file of the patch as read: unidiff's `PatchedFile` fields, with hunks of `DiffLine`s."""

    __slots__ = (
        "binary_lines", "crlf", "hunks", "is_binary_file", "patch_info", "source_file", "source_timestamp",
        "target_file", "target_timestamp",
    )  # fmt: skip

    def __init__(
        self,
        patch_info: list[str] | None,
        source: str,
        target: str,
        source_timestamp: str | None = None,
        target_timestamp: str | None = None,
        is_binary_file: bool = False,
    ) -> None:
        self.patch_info = patch_info
        self.source_file = source
        self.target_file = target
        self.source_timestamp = source_timestamp
        self.target_timestamp = target_timestamp
        self.is_binary_file = is_binary_file
        self.hunks: list[RawHunk] = []
        self.crlf = False  # a line of a hunk ended with CR LF
        # The lines after its `GIT binary patch` line, which unidiff reads past: the data git applies.
        self.binary_lines: list[str] | None = None

    @property
    def path(self) -> str:
        """unidiff's `PatchedFile.path` (for messages)."""
        filepath = self.source_file
        if filepath in (None, DEV_NULL) or (self.is_rename and self.target_file not in (None, DEV_NULL)):
            filepath = self.target_file
        if filepath.startswith("a/") or filepath.startswith("b/"):
            filepath = filepath[2:]
        return filepath

    @property
    def is_rename(self) -> bool:
        return (
            self.source_file != DEV_NULL
            and self.target_file != DEV_NULL
            and self.source_file[2:] != self.target_file[2:]
        )


def read_patch(text: str) -> list[RawFile]:
    """The files of a unified diff; raises unidiff's `UnidiffParseError` where unidiff would (and, as
    unidiff does, UnboundLocalError or AttributeError on two malformed header shapes)."""
    parts = text.split("\n")
    # Lines as `io.StringIO(text, newline="\n")` yields them: split at LF only, the LF kept.
    count = len(parts) - 1 if parts[-1] == "" else len(parts)
    last = len(parts) - 1  # the index of the one part that has no LF after it

    def full(i: int) -> str:
        return parts[i] if i == last else parts[i] + "\n"

    files: list[RawFile] = []
    current_file: RawFile | None = None
    patch_info: list[str] | None = None
    i = 0
    while i < count:
        line = full(i)
        i += 1
        is_diff_git_header = (
            RE_DIFF_GIT_HEADER.match(line)
            or RE_DIFF_GIT_HEADER_URI_LIKE.match(line)
            or RE_DIFF_GIT_HEADER_NO_PREFIX.match(line)
        )
        if is_diff_git_header:
            patch_info = []
            source_file = is_diff_git_header.group("source")
            target_file = is_diff_git_header.group("target")
            current_file = RawFile(patch_info, source_file, target_file, None, None)
            files.append(current_file)
            patch_info.append(line)
            continue
        if RE_DIFF_GIT_NEW_FILE.match(line):
            if current_file is None or patch_info is None:
                raise LineParseError("Unexpected new file found", i, line)
            current_file.source_file = DEV_NULL
            patch_info.append(line)
            continue
        if RE_DIFF_GIT_DELETED_FILE.match(line):
            if current_file is None or patch_info is None:
                raise LineParseError("Unexpected deleted file found", i, line)
            current_file.target_file = DEV_NULL
            patch_info.append(line)
            continue
        is_source_filename = RE_SOURCE_FILENAME.match(line)
        if is_source_filename:
            source_file = is_source_filename.group("filename")
            source_timestamp = is_source_filename.group("timestamp")
            if current_file is not None and current_file.source_file != source_file:
                current_file = None
            elif current_file is not None:
                current_file.source_timestamp = source_timestamp
            continue
        is_target_filename = RE_TARGET_FILENAME.match(line)
        if is_target_filename:
            target_file = is_target_filename.group("filename")
            target_timestamp = is_target_filename.group("timestamp")
            if current_file is not None and current_file.target_file != target_file:
                raise LineParseError("Target without source", i, line)
            if current_file is None:
                # A "+++" line with no "---" line before it leaves source_file unbound, as in unidiff.
                current_file = RawFile(
                    patch_info,
                    source_file,
                    target_file,
                    source_timestamp,
                    target_timestamp,
                )
                files.append(current_file)
                patch_info = None
            else:
                current_file.target_timestamp = target_timestamp
            continue
        is_hunk_header = RE_HUNK_HEADER.match(line)
        if is_hunk_header:
            patch_info = None
            if current_file is None:
                raise LineParseError("Unexpected hunk found", i, line)
            i = _read_hunk(current_file, is_hunk_header.groups(), parts, i, count, last)
            continue
        if RE_NO_NEWLINE_MARKER.match(line):
            if current_file is None:
                raise LineParseError("Unexpected marker", i, line)
            if not current_file.hunks:
                raise UnidiffParseError("Unexpected marker:" + LINE_VALUE_NO_NEWLINE)
            current_file.hunks[-1].mark_no_newline()
            continue
        if line == "\n" and current_file is not None:
            # unidiff keeps an empty line after a hunk as a line of that hunk, of no side
            if not current_file.hunks:
                raise UnidiffParseError("Unexpected trailing newline character")
            current_file.hunks[-1].lines.append(DiffLine(_CONTEXT, None, None, ""))
            current_file.hunks[-1].trailing += 1
            continue
        if patch_info is None:
            current_file = None
            patch_info = []
        is_binary_diff = RE_BINARY_DIFF.match(line)
        if is_binary_diff:
            source_file = is_binary_diff.group("source_filename")
            target_file = is_binary_diff.group("target_filename")
            patch_info.append(line)
            if current_file is not None:
                current_file.is_binary_file = True
            else:
                current_file = RawFile(patch_info, source_file, target_file, is_binary_file=True)
                files.append(current_file)
            patch_info = None
            current_file = None
            continue
        if line == "GIT binary patch\n":
            current_file.is_binary_file = True  # type: ignore[union-attr]  # AttributeError, as unidiff
            # unidiff leaves the next lines to a list of no file, made at the first of them; this one is
            # made now and kept, which reads the same (none of the checks above tells the two apart).
            patch_info = current_file.binary_lines = []  # type: ignore[union-attr]
            current_file = None
            continue
        patch_info.append(line)
    return files


def _read_hunk(
    pf: RawFile, groups: tuple[str | None, ...], parts: list[str], i: int, count: int, last: int
) -> int:
    """Read one hunk's body from line `i` (unidiff's `_parse_hunk`); returns the next line's index."""
    hunk = RawHunk(groups)
    source_no = hunk.source_start
    target_no = hunk.target_start
    source_end = source_no + hunk.source_length
    target_end = target_no + hunk.target_length
    lines = hunk.lines
    if hunk.source_length == 0 or hunk.target_length == 0:
        # A hunk that only adds (a new file) or only removes: its lines are read at once.
        sided = hunk.target_length if hunk.source_length == 0 else hunk.source_length
        values = _one_sided_body(parts, i, count, sided, "+" if hunk.source_length == 0 else "-")
        if values is not None:
            if hunk.source_length == 0:
                lines.extend(
                    map(DiffLine, repeat(_ADDED), repeat(None), range(target_no, target_end), values)
                )
            else:
                lines.extend(
                    map(DiffLine, repeat(_REMOVED), range(source_no, source_end), repeat(None), values)
                )
            pf.hunks.append(hunk)
            return i + sided
    append = lines.append
    crlf = False
    while i < count:
        text = parts[i]
        i += 1
        kind = text[:1]
        if kind == "+":
            value = text[1:]
            if value[-1:] == "\r":
                value = value[:-1]
                crlf = True
            append(DiffLine(_ADDED, None, target_no, value))
            target_no += 1
        elif kind == " ":
            value = text[1:]
            if value[-1:] == "\r":
                value = value[:-1]
                crlf = True
            append(DiffLine(_CONTEXT, source_no, target_no, value))
            source_no += 1
            target_no += 1
        elif kind == "-":
            value = text[1:]
            if value[-1:] == "\r":
                value = value[:-1]
                crlf = True
            append(DiffLine(_REMOVED, source_no, None, value))
            source_no += 1
        elif kind == "\\":
            hunk.mark_no_newline()
            crlf = crlf or text[-1:] == "\r"
        else:
            line = text if i - 1 == last else text + "\n"
            valid_line = RE_HUNK_EMPTY_BODY_LINE.match(line)
            if not valid_line:
                raise LineParseError("Hunk diff line expected", i, line)
            # No line type: an empty line (or one of CRs), read as context.
            value = valid_line.group("value")
            if value.endswith("\n"):
                value = value[:-1]
            if value.endswith("\r"):
                value = value[:-1]
                crlf = True
            append(DiffLine(_CONTEXT, source_no, target_no, value))
            source_no += 1
            target_no += 1
        if source_no > source_end or target_no > target_end:
            raise UnidiffParseError("Hunk is longer than expected")
        if source_no == source_end and target_no == target_end:
            break
    if source_no < source_end or target_no < target_end:
        raise UnidiffParseError("Hunk is shorter than expected")
    pf.hunks.append(hunk)
    pf.crlf = pf.crlf or crlf
    return i


def _one_sided_body(parts: list[str], i: int, count: int, length: int, mark: str) -> list[str] | None:
    """The texts of the `length` lines from line `i` when every one starts with `mark` and none holds a
    CR: what `_read_hunk`'s loop reads from a hunk whose other side is empty. Otherwise None, and the
    loop reads the hunk (markers, empty lines, CRs, a body too short or of other lines)."""
    if length < 1 or i + length > count:
        return None
    body = "\n".join(parts[i : i + length])
    if body[:1] != mark or "\r" in body:
        return None
    # Lines hold no LF, so the body splits back into exactly `length` texts only when every line after
    # the first starts with the mark too.
    values = body[1:].split("\n" + mark)
    return values if len(values) == length else None
