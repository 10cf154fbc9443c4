"""The lines of a file as the change leaves it, for a finding's fingerprint and a prompt's context."""

from __future__ import annotations

from gate.context.model import ChangeSet
from gate.diff.model import FileChange, FileStatus, LineKind
from gate.errors import GateError
from gate.findings import LineReader


def git_lines(text: str) -> list[str]:
    """A file's lines as git numbers them, and as the diff's lines are read: split at LF alone, a CR before
    it left out. `str.splitlines` also splits at a form feed, a vertical tab, U+2028 and others a line may
    hold, which would number every line after one otherwise than the diff and the findings do."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if "\r" in text:
        return [line[:-1] if line.endswith("\r") else line for line in lines]
    return lines


def head_lines(changeset: ChangeSet) -> LineReader:
    """Lines of a file as the change leaves it: from the head revision when the source has one, else
    from the new side of the diff (lines outside its hunks are then unknown). Files are read once."""
    files: dict[str, list[str] | None] = {}
    shown: dict[str, dict[int, str]] = {}

    def read(path: str, start: int, end: int) -> list[str] | None:
        if path not in files:
            files[path] = _whole_in_diff(changeset.diff.by_path.get(path))
            if files[path] is None and changeset.revisions is not None:
                try:
                    text = changeset.revisions.read("head", path)
                except (OSError, ValueError, UnicodeDecodeError, GateError):
                    text = None
                files[path] = git_lines(text) if text is not None else None
        lines = files[path]
        if lines is not None:
            return lines[start - 1 : end] if 1 <= start <= end <= len(lines) else None
        if path not in shown:
            change = changeset.diff.by_path.get(path)
            shown[path] = {
                line.new_no: line.text
                for hunk in (change.hunks if change else ())
                for line in hunk.lines
                if line.new_no is not None
            }
        got = [shown[path].get(n) for n in range(start, end + 1)]
        return None if not got or any(g is None for g in got) else [g for g in got if g is not None]

    return read


def _whole_in_diff(change: FileChange | None) -> list[str] | None:
    """The lines of a file the change adds, when its one hunk shows every line of it as git numbers them
    (`git_lines`): then reading the file at head would give the same lines, at the cost of a round trip
    to git per file. None for any other file, and for an added file whose lines were decoded with
    replacement characters or carried CR ends (`notes`), which its head text reads otherwise."""
    if change is None or change.status is not FileStatus.ADDED or change.is_binary or change.notes:
        return None
    if len(change.hunks) != 1:
        return None
    hunk = change.hunks[0]
    lines = [line.text for line in hunk.lines if line.kind is LineKind.ADDED]
    if hunk.new_start != 1 or hunk.new_count != len(lines) or len(lines) != len(hunk.lines):
        return None
    return lines
