"""A patch's `GIT binary patch` files read as the git source reads the blobs git calls binary.

`git diff --binary` and `git format-patch --binary` carry a file git calls binary (one NUL byte is
enough) as zlib data, which `git apply` and `git am` write. Read by its name alone, a source file, a page
or a document with a NUL in it hid every line of it from the analyzers, while the same commit read from
git was read as text (`gate.context.git_diff`). So a `literal` block's bytes go through the same test
(`text_kind`): text is read as text, bytes of no binary format the gate knows are text a tool may read
(`Diff.maybe_text`), a real binary stays binary. A `delta` block changes the old file, which a patch
does not hold: what git writes from it is not known, and it is said as unread.

git does not take a block on trust (apply.c, `apply_binary`): it needs both ids of the `index` line
whole, writes the object of the new id when it already has one, else the block only when it hashes to that
id; and it never reads the reverse block on a forward apply. So the `literal` block read here must hash to
the new id (else an input error: what git writes is not those bytes, or nothing), and the reverse block is
the old text only when it hashes to the old id; otherwise every line is taken as added.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from gate.context.git_diff import (
    MAX_DIFFED_LINES,
    MAX_DIFFED_LINES_A_RUN,
    MAX_TEXT_BINARY_BYTES,
    TextKind,
    patch_of,
    text_kind,
    text_of,
)
from gate.diff.binary_patch import ID_HASHES, blob_id, block_id, inflate
from gate.diff.model import BinaryMethod, BinaryPatch, Diff, FileChange, FileStatus
from gate.diff.parser import parse_diff
from gate.errors import InputError

# What `ChangeSet.unread` says of a file a delta changes (`unread_files`).
DELTA_UNREAD = "changed by a git binary delta, which only the old file can rebuild"
# A `literal` block is hashed against its id a piece at a time up to this size (about a second a 100 MB),
# and the blocks of a run up to the second (the patch's 512 MiB can say thousands of large blocks): past
# them a file is said as unread (`UNCHECKED_UNREAD`), as git may write another object in its place.
MAX_CHECKED_BINARY_BYTES = 100_000_000
MAX_CHECKED_BINARY_BYTES_A_RUN = 300_000_000
UNCHECKED_UNREAD = "written by a git binary literal too large to check against the id git writes"


@dataclass(frozen=True)
class ReadBinaries:
    diff: Diff  # the diff with the binary files that are text read as text, and their notes
    deltas: tuple[str, ...]  # the files a delta changes, by path: not read
    unchecked: tuple[str, ...] = ()  # the files of a literal past the MAX_CHECKED_BINARY_BYTES bounds
    checked_left: int = MAX_CHECKED_BINARY_BYTES_A_RUN  # what the run's next patches may still check


def read_binaries(
    diff: Diff, source: str, checked_left: int = MAX_CHECKED_BINARY_BYTES_A_RUN
) -> ReadBinaries:
    """`diff` with each `literal` binary file that is text made into text hunks: from the old side's
    text when the patch holds it as a literal too, else every line taken as added (more is read, never
    less). A corrupt block, ids that are not whole, or a literal that is not the object of the new id is
    an input error, as it is to git."""
    files: list[FileChange] = []
    maybe_text: list[str] = []
    deltas: list[str] = []
    unchecked: list[str] = []
    notes: list[str] = []
    lines_left = MAX_DIFFED_LINES_A_RUN
    for change in diff.files:
        found = change.binary_patch
        if found is None:
            files.append(change)
            continue
        where = f"{source}: {change.path}"
        id_length = _whole_ids(found, where)
        if change.status is FileStatus.DELETED:
            files.append(change)
            continue
        if found.forward.method is BinaryMethod.DELTA:
            deltas.append(change.path)
            files.append(change)
            continue
        if found.forward.size > min(MAX_CHECKED_BINARY_BYTES, checked_left):
            unchecked.append(change.path)
            files.append(change)
            continue
        checked_left -= found.forward.size
        # A block that may be text is inflated once, and hashed whole; a larger one a piece at a time.
        data = inflate(found.forward, MAX_TEXT_BINARY_BYTES, where)
        new_id = block_id(found.forward, id_length, where) if data is None else blob_id(data, id_length)
        if new_id != found.new_id:
            raise InputError(
                f"{where}: the GIT binary patch's literal is not the object {found.new_id} its index line "
                "names, which git writes when the repository holds it",
                "make the patch again with git diff --binary or git format-patch --binary",
            )
        kind = text_kind(data)
        new = text_of(data) if data is not None and kind in (TextKind.AS_IS, TextKind.WIDE) else None
        if new is None:
            if kind is TextKind.UNKNOWN:
                maybe_text.append(change.path)
            files.append(change)
            continue
        was: str | None = ""
        if change.status is not FileStatus.ADDED:
            was, checked_left = _old_text(found, id_length, checked_left, where)
        # difflib's time grows with the square of the lines (`gate.context.git_diff`): past its bounds,
        # every line of the new text is taken as added.
        sides = max(new.count("\n"), (was or "").count("\n"))
        old = was if was is not None and sides <= MAX_DIFFED_LINES and sides <= lines_left else ""
        lines_left -= sides if old else 0
        parsed = parse_diff(patch_of(old, new, change.status), source=where)
        hunks = parsed.files[0].hunks if parsed.files else ()
        notes.append(
            f"{change.path}: git calls it binary, but it is UTF-16 or UTF-32 text: read as text"
            if kind is TextKind.WIDE
            else f"{change.path}: git calls it binary (it holds a NUL byte), but it is text: read as text"
        )
        file_notes = parsed.files[0].notes if parsed.files else ()
        files.append(
            replace(
                change,
                hunks=hunks,
                is_binary=False,
                shown=False,
                notes=(*change.notes, *(change.path + n[4:] for n in file_notes if n.startswith("file:"))),
                binary_patch=None,
            )
        )
    if not maybe_text and not deltas and not unchecked and not notes:
        return ReadBinaries(diff, (), checked_left=checked_left)
    return ReadBinaries(
        replace(
            diff,
            files=tuple(files),
            notes=(*diff.notes, *notes),
            maybe_text=(*diff.maybe_text, *maybe_text),
        ),
        tuple(deltas),
        tuple(unchecked),
        checked_left,
    )


def _whole_ids(found: BinaryPatch, where: str) -> int:
    """The length of the `index` line's ids; an input error when they are not whole, as git refuses a
    binary patch without them ("without full index line")."""
    length = len(found.new_id)
    if length not in ID_HASHES or len(found.old_id) != length:
        raise InputError(
            f"{where}: a GIT binary patch whose index line has no whole object ids",
            "git apply refuses it too; make the patch with git diff --binary or git format-patch --binary",
        )
    return length


def _old_text(found: BinaryPatch, id_length: int, checked_left: int, where: str) -> tuple[str | None, int]:
    """The old side's text, when the patch holds it whole (`git diff --binary` writes the reverse) and it
    is the object of the old id, which git checks the old file against (a reverse block git never reads
    may say anything); and what the run may check after it."""
    reverse = found.reverse
    if reverse is None or reverse.method is not BinaryMethod.LITERAL:
        return None, checked_left
    data = inflate(reverse, min(MAX_TEXT_BINARY_BYTES, checked_left), where)
    if data is None or blob_id(data, id_length) != found.old_id:
        return None, checked_left - len(data or b"")
    return text_of(data), checked_left - len(data)
