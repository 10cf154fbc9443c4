"""One domain model for a change: files, hunks, and the added and removed lines with their numbers."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING


class LineKind(enum.Enum):
    ADDED = "+"
    REMOVED = "-"
    CONTEXT = " "


class FileStatus(enum.Enum):
    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"


if TYPE_CHECKING:

    @dataclass(frozen=True, slots=True)
    class DiffLine:
        kind: LineKind
        old_no: int | None
        new_no: int | None
        text: str

else:
    # Frozen for the type checker, which refuses any assignment to a field; at run time the fields are
    # assigned plainly, because a frozen dataclass's __init__ sets each through `object.__setattr__`, three
    # times the cost of these plain stores, and a large change reads hundreds of thousands of lines.
    # Equal and hashed by value all the same.
    @dataclass(slots=True, unsafe_hash=True)
    class DiffLine:
        kind: LineKind
        old_no: int | None
        new_no: int | None
        text: str


@dataclass(frozen=True)
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    section: str
    lines: tuple[DiffLine, ...]
    # True when the new side's last line has no trailing newline ("\ No newline at end of file").
    new_missing_newline: bool = False
    old_missing_newline: bool = False

    @property
    def added(self) -> Iterator[DiffLine]:
        return (line for line in self.lines if line.kind is LineKind.ADDED)

    @property
    def removed(self) -> Iterator[DiffLine]:
        return (line for line in self.lines if line.kind is LineKind.REMOVED)

    @property
    def new_end(self) -> int:
        return self.new_start + max(self.new_count, 1) - 1

    def added_text(self) -> str:
        return "".join(line.text + "\n" for line in self.added)


class BinaryMethod(enum.Enum):
    LITERAL = "literal"  # the file's whole content
    DELTA = "delta"  # a change to the file's other side, which the patch does not hold


@dataclass(frozen=True)
class BinaryBlock:
    """One block of a `GIT binary patch` (`gate.diff.binary_patch`), its data still deflated."""

    method: BinaryMethod
    size: int  # the inflated length its header gives
    deflated: bytes


@dataclass(frozen=True)
class BinaryPatch:
    forward: BinaryBlock  # the new side: what git writes
    reverse: BinaryBlock | None  # the old side, when the patch holds it (git diff --binary writes it)
    # The object ids of the file's `index <old>..<new>` line, lowercased, "" when it has none. git applies
    # a binary patch only with both ids whole; it checks the old file against the old id, and writes the
    # object of the new id when it has one, whatever the blocks hold.
    old_id: str = ""
    new_id: str = ""


@dataclass(frozen=True)
class FileChange:
    path: str
    old_path: str | None
    status: FileStatus
    hunks: tuple[Hunk, ...] = ()
    is_binary: bool = False
    old_mode: str | None = None
    new_mode: str | None = None
    # Lines of this file that were decoded with replacement characters, or carried CR line ends.
    notes: tuple[str, ...] = ()
    # False when the hunks were made here from the file's two texts because the host's diff shows none
    # of its lines (binary to GitHub, or too large): the host takes no review comment on them.
    shown: bool = True
    # The data of a `GIT binary patch` (`gate.diff.binary_patch`): a patch's only copy of the bytes git
    # writes, read by the patch source (`gate.context.patch_binaries`) as the git source reads a blob.
    binary_patch: BinaryPatch | None = field(default=None, compare=False, repr=False)

    @cached_property
    def added_count(self) -> int:
        return len(self.added)

    @cached_property
    def removed_count(self) -> int:
        return sum(1 for h in self.hunks for line in h.lines if line.kind is LineKind.REMOVED)

    @cached_property
    def added(self) -> tuple[DiffLine, ...]:
        """The added lines of every hunk, in order."""
        added = LineKind.ADDED
        return tuple([line for h in self.hunks for line in h.lines if line.kind is added])

    @cached_property
    def added_size(self) -> int:
        """Characters of the added lines, each with its newline: every analyzer checks it against its
        size limit, so it is counted once."""
        return sum(map(len, [line.text for line in self.added])) + len(self.added)

    def added_lines(self) -> Iterator[DiffLine]:
        return iter(self.added)

    @cached_property
    def commentable_lines(self) -> frozenset[int]:
        """New-side line numbers GitHub accepts a review comment on: added and context lines of a hunk."""
        if not self.shown:
            return frozenset()
        return frozenset(line.new_no for h in self.hunks for line in h.lines if line.new_no is not None)

    def hunk_at(self, new_line: int) -> Hunk | None:
        for hunk in self.hunks:
            if hunk.new_start <= new_line <= hunk.new_end:
                return hunk
        return None


@dataclass(frozen=True)
class Diff:
    files: tuple[FileChange, ...]
    notes: tuple[str, ...] = ()
    ignored_paths: tuple[str, ...] = field(default=())
    # The changes of the ignored paths: left out of the analyses, but read by the stages that look for
    # what an attacker would hide there (secrets, text addressed to AI reviewers).
    ignored_files: tuple[FileChange, ...] = field(default=(), compare=False, repr=False)
    # Paths paths.ignore matched that are analysed anyway: first-party code (`gate.context.ignore`).
    unignored_paths: tuple[str, ...] = field(default=())
    # Files git calls binary whose head the source read and found mostly printable, or of no binary
    # format the gate knows (`gate.context.binary_formats`): text a tool may read, which no check read.
    # A patch holds a binary file's bytes only as a `GIT binary patch` literal (`gate.context.
    # patch_binaries`); its other binary files ("Binary files ... differ", deltas) are judged by their names.
    maybe_text: tuple[str, ...] = field(default=())

    @cached_property
    def by_path(self) -> dict[str, FileChange]:
        return {f.path: f for f in self.files}

    @cached_property
    def added_count(self) -> int:
        return sum(f.added_count for f in self.files)

    @cached_property
    def removed_count(self) -> int:
        return sum(f.removed_count for f in self.files)

    @property
    def changed_count(self) -> int:
        return self.added_count + self.removed_count

    @cached_property
    def ignored_by_path(self) -> dict[str, FileChange]:
        return {f.path: f for f in self.ignored_files}

    def is_commentable(self, path: str, start: int | None, end: int | None, *, ignored: bool = False) -> bool:
        """True when every line of the range is on the right side of one hunk of the diff; with `ignored`,
        of the PR's diff, the files `paths.ignore` left out included (GitHub takes a comment there too)."""
        change = self.by_path.get(path)
        if change is None and ignored:
            change = self.ignored_by_path.get(path)
        if change is None or start is None:
            return False
        end = start if end is None else end
        if end < start:  # a model can name a reversed range; GitHub rejects it with a 422
            return False
        hunk = change.hunk_at(start)
        if hunk is None or end > hunk.new_end:
            return False
        return all(n in change.commentable_lines for n in range(start, end + 1))
