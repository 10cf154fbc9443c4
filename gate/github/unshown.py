"""Files GitHub shows no patch for, read from their contents and diffed here.

GitHub gives no patch, in the diff media type and in the files lists, for a file it shows as binary
(also one the pull request's own `.gitattributes` marks `-diff` or `binary`) and for a file whose diff
is too large to show. Left so, such a file has no added line, and every analyzer passes it unread: a
`*.py -diff` line would hide any secret, import or weakened test. So each one is read at both
revisions and its hunks are made from the two texts. A file that is not UTF-8 text (an image, an
archive) stays binary, a gap in the coverage; a NUL byte alone does not make it binary.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import islice

from gate.diff.model import Diff, FileChange, FileStatus
from gate.diff.parser import parse_diff
from gate.errors import InputError
from gate.github.client import GitHubClient

# Each side of a file read this way, at most (the bound git's reader keeps for a file it calls binary,
# `gate.context.git_diff.MAX_TEXT_BINARY_BYTES`); a larger file stays a gap, with its note.
MAX_UNSHOWN_BYTES = 10_000_000
NO_PATCH = "GitHub gave no patch (binary, or too large to show)"
# difflib's matching grows with the square of a text's lines where the same lines repeat in another
# order (10,000 lines took 13 s), and a PR chooses the texts: past this many lines a side, or this many
# lines diffed in one read, every head line is taken as added (more is read, never less).
MAX_DIFFED_LINES = 2_000
MAX_DIFFED_LINES_A_READ = 20_000


def read_unshown(client: GitHubClient, diff: Diff, *, base: str, head: str, source: str) -> Diff:
    """`diff` with each file GitHub gave no patch for rebuilt from its text at `base` and `head`; the
    notes name the files read so, and each one left unread with why."""
    if not any(_unshown(c) for c in diff.files):
        return diff
    files: list[FileChange] = []
    read: list[str] = []
    notes: list[str] = []
    budget = [MAX_DIFFED_LINES_A_READ]
    for change in diff.files:
        if not _unshown(change):
            files.append(change)
            continue
        rebuilt = _rebuilt(client, change, base, head, source, budget)
        files.append(rebuilt)
        if rebuilt.is_binary:
            notes.append(rebuilt.notes[-1])
        else:
            read.append(change.path)
    if read:
        notes.insert(
            0, f"{source}: read from the files' contents, as GitHub showed no patch: {', '.join(read)}"
        )
    return replace(diff, files=tuple(files), notes=(*diff.notes, *notes))


def _unshown(change: FileChange) -> bool:
    return change.is_binary and not change.hunks and change.status is not FileStatus.DELETED


def _rebuilt(
    client: GitHubClient, change: FileChange, base: str, head: str, source: str, budget: list[int]
) -> FileChange:
    """The change with hunks made from its two texts; still binary, with a last note saying why, when
    its head version is not text or cannot be read."""
    new = _text(client, change.path, head)
    if isinstance(new, Unread):
        why = f"{change.path}: {NO_PATCH}, and its head version {new.why}"
        return replace(change, notes=(*change.notes, why))
    notes = [f"{change.path}: {NO_PATCH}; its lines were read from its contents"]
    old = ""
    if change.status in (FileStatus.MODIFIED, FileStatus.RENAMED):
        was = _text(client, change.old_path or change.path, base)
        if isinstance(was, Unread):
            # Every line of the head counts as added: more is read, never less.
            notes.append(f"{change.path}: its base version {was.why}; every line is taken as added")
        elif max(was.count("\n"), new.count("\n")) > MAX_DIFFED_LINES or budget[0] <= 0:
            notes.append(
                f"{change.path}: too many lines to compare with its base; every line is taken as added"
            )
        else:
            old = was
            budget[0] -= was.count("\n") + new.count("\n")
    try:
        parsed = parse_diff(_patch(old, new, change.status), source=f"{source}: {change.path}")
    except InputError:
        why = f"{change.path}: {NO_PATCH}, and its text could not be diffed"
        return replace(change, notes=(*change.notes, why))
    if not parsed.files:  # the same text at both revisions (a rename, a mode change)
        return replace(change, is_binary=False, notes=(*change.notes, *notes))
    made = parsed.files[0]
    # The parser names the placeholder; its notes (CRLF line ends) are about this file.
    notes.extend(change.path + n[len(made.path) :] if n.startswith(made.path) else n for n in made.notes)
    return replace(change, hunks=made.hunks, is_binary=False, shown=False, notes=(*change.notes, *notes))


@dataclass(frozen=True)
class Unread:
    """Why a version of a file was not read as text."""

    why: str


def _text(client: GitHubClient, path: str, ref: str) -> str | Unread:
    found = client.file_bytes(path, ref, max_bytes=MAX_UNSHOWN_BYTES)
    if found is None:
        return Unread(f"could not be read at {ref[:12]}")
    if found.data is None:
        return Unread(f"is {found.size:,} bytes, past the {MAX_UNSHOWN_BYTES:,}-byte limit for reading it")
    try:
        return found.data.decode("utf-8")
    except UnicodeDecodeError:
        return Unread("is binary (its content is not UTF-8 text)")


def _patch(old: str, new: str, status: FileStatus) -> str:
    """A unified diff of the two texts, with placeholder names (the listing's names are kept)."""
    a = "/dev/null" if status is FileStatus.ADDED else "a/file"
    body = difflib.unified_diff(list(_lines(old)), list(_lines(new)), n=3)
    # difflib's own two header lines are replaced; a last line with no newline gets git's marker.
    hunks = (
        ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n" for ln in islice(body, 2, None)
    )
    return f"--- {a}\n+++ b/file\n" + "".join(hunks)


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their newlines, split where git splits them: at "\\n" only."""
    parts = text.split("\n")
    yield from (part + "\n" for part in parts[:-1])
    if parts[-1]:
        yield parts[-1]
