"""The files an analyzer's `ChangeView` did not read, as typed values for `StageResult.skipped_files`.

The view records each one as a note for the report's `details.skipped_files`, `<path>: skipped (<why>)`;
this reads the path and the reason back from the notes it wrote, so the coverage never parses report text.
"""

from __future__ import annotations

from collections.abc import Iterable

from gate.analyzers.source import ChangeView
from gate.schema.coverage import SkippedFile

# How `ChangeView` words a file it did not read: `<path>: skipped (<why>)`.
SKIPPED_NOTE = ": skipped ("


def skipped_files(view: ChangeView) -> tuple[SkippedFile, ...]:
    """Each file `view` did not read, with why, in the order it said so."""
    out: list[SkippedFile] = []
    for note in view.notes:
        if SKIPPED_NOTE in note and note.endswith(")"):
            path, _, why = note.rpartition(SKIPPED_NOTE)
            out.append(SkippedFile(path=path, why=why[:-1]))
    return tuple(out)


def read_in_full(paths: Iterable[str], view: ChangeView) -> tuple[str, ...]:
    """Of the changed files a stage read as code, those `view` did not leave unread: a file whose head
    was past the size limit, read by its added lines only, is a skipped file and no file read."""
    unread = {s.path for s in skipped_files(view)}
    return tuple(path for path in paths if path not in unread)
