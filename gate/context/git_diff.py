"""The diff of two git revisions, with file names taken from git's NUL-separated listing.

Patch text spells file names in header lines that a name can imitate: a space in a name makes
`diff --git a/x b/y` ambiguous, and names with quotes, tabs or newlines arrive C-quoted. So the names
come from `git diff -z --name-status` (as stored, unquoted), the hunks from the patch: each file's
header lines are rewritten with plain placeholder names before parsing, and the placeholders are
replaced by the listed names after. Both commands run the same diff, so their files come in one order.
"""

from __future__ import annotations

import codecs
import difflib
import enum
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from itertools import islice

from gate.context.binary_formats import binary_format
from gate.context.catfile import BlobReader
from gate.context.git import Git
from gate.context.git_objects import NameStatus, decode_name, name_status, read_objects
from gate.diff.model import Diff, FileChange, FileStatus
from gate.diff.parser import decode_patch, parse_diff
from gate.errors import GitError, InputError

_DIFF_OPTIONS = ("--no-color", "--no-ext-diff", "--no-textconv", "-M")
_FILE_OPENS = re.compile(r"^diff --git ", re.MULTILINE)
_HEADER_NAMES = ("--- ", "+++ ", "rename from ", "rename to ", "copy from ", "copy to ", "Binary files ")
# Files git calls binary that are read again as text when their head content is text (`text_of`): up to
# this size each (a larger one stays binary, with its note).
MAX_TEXT_BINARY_BYTES = 10_000_000
# difflib's matching grows with the square of a text's lines where the same lines repeat in another
# order (10,000 lines took 13 s), and a PR chooses the texts: past this many lines a side, or this many
# lines diffed in the run, every head line is taken as added (more is read, never less).
MAX_DIFFED_LINES = 2_000
MAX_DIFFED_LINES_A_RUN = 20_000


def git_diff(git: Git, base: str, head: str, *extra: str, source: str) -> Diff:
    """`git diff base head` as a Diff whose paths are the files' real names. A file git calls binary
    that is text all the same (a NUL byte in it, UTF-16, a script) is read as text (`_binaries_as_text`)."""
    diff = _diff(git, base, head, extra, source=source)
    return _binaries_as_text(git, base, head, diff, extra, source=source)


def _diff(
    git: Git, base: str, head: str, extra: Sequence[str], *, source: str, paths: Sequence[str] = ()
) -> Diff:
    """The diff of `paths` (every file when none), read with `extra` options."""
    listing = _one_entry_per_section(name_status(git.run(*_listing_args(base, head, paths)).split(b"\0")))
    raw = git.run(*_patch_args(base, head, extra, paths))
    text, notes = decode_patch(raw)
    chunks = _split(text)
    if len(chunks) != len(listing):
        raise GitError(
            f"git diff listed {len(listing)} files but printed {len(chunks)}; the change cannot be read"
        )
    pairs = enumerate(zip(chunks, listing, strict=True))
    plain = "".join(_rename(chunk, i, entry) for i, (chunk, entry) in pairs)
    parsed = parse_diff(plain, source=source)
    by_token = {_token(i, "n"): entry for i, entry in enumerate(listing)}
    by_token.update({_token(i, "o"): entry for i, entry in enumerate(listing)})
    files: list[FileChange] = []
    for change in parsed.files:
        entry = by_token.get(change.path)
        if entry is None:
            raise GitError(f"git diff printed a file the listing does not name ({change.path!r})")
        files.append(_named(change, entry))
    return Diff(files=tuple(files), notes=(*notes, *parsed.notes))


def start_diff(git: Git, base: str, head: str) -> None:
    """Have git start on what `git_diff(git, base, head)` will ask it (`Git.start`)."""
    git.start(*_listing_args(base, head, ()))
    git.start(*_patch_args(base, head, (), ()))


def _listing_args(base: str, head: str, paths: Sequence[str]) -> tuple[str, ...]:
    return ("diff", "-z", "--name-status", *_DIFF_OPTIONS, base, head, *_pathspec(paths))


def _patch_args(base: str, head: str, extra: Sequence[str], paths: Sequence[str]) -> tuple[str, ...]:
    return ("diff", *_DIFF_OPTIONS, *extra, base, head, *_pathspec(paths))


def _pathspec(paths: Sequence[str]) -> tuple[str, ...]:
    return ("--", *(f":(literal){path}" for path in paths)) if paths else ()


def _binaries_as_text(
    git: Git, base: str, head: str, diff: Diff, extra: Sequence[str], *, source: str
) -> Diff:
    """`diff` with the files git calls binary read as text where their head content is text.

    Git calls a file binary when it holds a NUL byte, and shows none of it. A NUL is legal inside a
    JavaScript string or a comment, so one byte would hide a whole source file (its secrets, its
    imports, its tests) from every analyzer while the code still runs. Those files are diffed again
    with `--text`; a real binary (an image, an archive) is not text (`text_of`) and stays binary. Text
    in UTF-16 or UTF-32 (PowerShell's own encoding) is all NUL bytes to git: its lines are decoded here
    and diffed from the two texts."""
    changes = [c for c in diff.files if c.is_binary and c.status is not FileStatus.DELETED]
    blobs = _blobs(git, head, [c.path for c in changes]) if changes else {}
    small = {path: sha for path, (sha, size) in blobs.items() if size <= MAX_TEXT_BINARY_BYTES}
    kinds = text_blobs(git, sorted(set(small.values())))
    texts = {path for path, sha in small.items() if kinds.get(sha) is TextKind.AS_IS}
    wide = [c for c in changes if kinds.get(small.get(c.path, "")) is TextKind.WIDE]
    decoded = _decoded(git, base, wide, small, source=source)
    again: dict[str, FileChange] = {}
    if texts:
        paths = sorted({p for c in changes if c.path in texts for p in (c.path, c.old_path or c.path)})
        again = {
            c.path: c for c in _diff(git, base, head, ("--text", *extra), source=source, paths=paths).files
        }
    read = {path for path in texts if path in again and not again[path].is_binary}
    # Text git diffed as binary all the same, text that could not be diffed, and bytes of no binary
    # format the gate knows: each stays binary, and it may be text a tool reads.
    maybe_text = tuple(
        c.path
        for c in changes
        if c.path not in read
        and c.path not in decoded
        and (c.path in texts or kinds.get(small.get(c.path, "")) in (TextKind.WIDE, TextKind.UNKNOWN))
    )
    if maybe_text:
        diff = replace(diff, maybe_text=maybe_text)
    if not read and not decoded:
        return diff
    # GitHub shows such a file as binary, none of its lines: it takes no review comment on them.
    files = tuple(
        decoded[c.path] if c.path in decoded else replace(again[c.path], shown=False) if c.path in read else c
        for c in diff.files
    )
    notes = tuple(
        f"{path}: git calls it binary (it holds a NUL byte), but it is text: read as text"
        for path in sorted(read)
    ) + tuple(
        f"{path}: git calls it binary, but it is UTF-16 or UTF-32 text: read as text"
        for path in sorted(decoded)
    )
    return replace(diff, files=files, notes=(*diff.notes, *notes))


class TextKind(enum.Enum):
    """How a blob git calls binary is text (`text_blobs`)."""

    AS_IS = "as is"  # UTF-8, mostly so, or a script: git diffs it with `--text`
    WIDE = "wide"  # UTF-16 or UTF-32: decoded here
    UNKNOWN = "unknown"  # not text to the gate, but of no binary format it knows (`binary_format`)


def text_blobs(git: Git, shas: Sequence[str]) -> dict[str, TextKind]:
    """The blobs of `shas` that are text or may be, and of which kind, read through one `git cat-file`
    process for the run: a pull request can add thousands of files git calls binary, and a process for
    each cost seconds. Each is read alone, its size asked first: a change of many large images is never
    held in memory at once."""
    if not shas:
        return {}
    reader = BlobReader(git)
    try:
        found = {sha: text_kind(reader.read(sha, MAX_TEXT_BINARY_BYTES)) for sha in shas}
    except GitError:
        # A git older than 2.36 has no `cat-file --batch-command`: a process for each blob.
        found = {sha: text_kind(_read_alone(git, sha)) for sha in shas}
    finally:
        reader.close()
    return {sha: kind for sha, kind in found.items() if kind is not None}


def text_kind(data: bytes | None) -> TextKind | None:
    """How `data` is text, read as a blob git calls binary is (`text_blobs`); None for a real binary."""
    if data is None:
        return None
    if wide_text(data) is not None:
        return TextKind.WIDE
    if is_text_as_is(data):
        return TextKind.AS_IS
    return TextKind.UNKNOWN if binary_format(data) is None else None


def _decoded(
    git: Git, base: str, changes: Sequence[FileChange], heads: dict[str, str], *, source: str
) -> dict[str, FileChange]:
    """Each change made from its two texts, decoded (`heads`: each path's blob at head). When its base
    version is no text, or the texts are too long to compare, every line of its head counts as added:
    more is read, never less."""
    olds = {c.path: c.old_path or c.path for c in changes if c.status is not FileStatus.ADDED}
    base_blobs = _blobs(git, base, sorted(set(olds.values()))) if olds else {}
    lines_left = MAX_DIFFED_LINES_A_RUN
    out: dict[str, FileChange] = {}
    for change in changes:
        new = text_of(_read_alone(git, heads[change.path]) or b"") or ""
        found = base_blobs.get(olds.get(change.path, ""))
        was = (
            text_of(_read_alone(git, found[0]) or b"")
            if found and found[1] <= MAX_TEXT_BINARY_BYTES
            else None
        )
        sides = max(new.count("\n"), (was or "").count("\n"))
        old = was if was is not None and sides <= MAX_DIFFED_LINES and sides <= lines_left else ""
        lines_left -= sides if old else 0
        try:
            parsed = parse_diff(patch_of(old, new, change.status), source=f"{source}: {change.path}")
        except InputError:
            continue  # stays binary, a gap in the coverage
        hunks = parsed.files[0].hunks if parsed.files else ()
        out[change.path] = replace(change, hunks=hunks, is_binary=False, shown=False)
    return out


def _read_alone(git: Git, name: str) -> bytes | None:
    found = read_objects(git, [name]).get(name)
    return found[1] if found is not None and found[0] == "blob" else None


def text_of(data: bytes) -> str | None:
    """`data` as text, or None for a real binary: UTF-16 and UTF-32 with their byte-order mark decoded;
    UTF-8 and mostly-UTF-8 text (`looks_like_text`) with the bytes UTF-8 cannot read as U+FFFD; and a
    script, which its `#!` line says is text whatever bytes it holds."""
    wide = wide_text(data)
    if wide is not None:
        return wide
    return data.decode("utf-8", errors="replace") if is_text_as_is(data) else None


def is_text_as_is(data: bytes) -> bool:
    return looks_like_text(data) or data.startswith(b"#!")


# The byte-order marks of the wide Unicode encodings, UTF-32's first: its little-endian mark starts with
# UTF-16's. Windows tools write text so, PowerShell among them.
_WIDE_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def wide_text(data: bytes) -> str | None:
    """`data` decoded when it is UTF-16 or UTF-32 text that opens with its byte-order mark (the codec
    drops the mark), else None."""
    for mark, codec in _WIDE_MARKS:
        if data.startswith(mark):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            return text if looks_like_text(text.encode("utf-8")) else None
    return None


def looks_like_text(data: bytes) -> bool:
    """Whether `data` is text: UTF-8, or text in another encoding (Latin-1, cp1252) with a few bytes
    UTF-8 cannot read. A real binary (an image, an archive, compressed data) is mostly bytes that are
    neither text nor UTF-8; a file of text with one such byte would otherwise hide every line of it."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        unread = data.decode("utf-8", errors="replace").count("\ufffd")
        controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
        return (unread + controls) * _MOSTLY_TEXT <= len(data)
    return True


# Bytes no text holds (a NUL among them), and how few of them, with bytes UTF-8 cannot read, text has:
# at most one in this many.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\v")
_MOSTLY_TEXT = 100


def _blobs(git: Git, rev: str, paths: Sequence[str]) -> dict[str, tuple[str, int]]:
    """The blob name and size in bytes of each of `paths` that is a file at `rev`."""
    out = git.run("ls-tree", "-l", "-z", rev, "--", *(f":(literal){path}" for path in paths))
    blobs: dict[str, tuple[str, int]] = {}
    for entry in out.split(b"\0"):
        info, _, name = entry.partition(b"\t")
        fields = info.split()
        if len(fields) == 4 and fields[1] == b"blob" and fields[3].isdigit():
            blobs[decode_name(name)] = (fields[2].decode("ascii"), int(fields[3]))
    return blobs


def patch_of(old: str, new: str, status: FileStatus) -> str:
    """A unified diff of the two texts, with placeholder names (the caller keeps the file's own)."""
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


def _one_entry_per_section(listing: list[NameStatus]) -> list[NameStatus]:
    """The listing with one entry for each file section of the patch. A change of a file's type (a file
    turned into a symlink or a submodule, or back) is listed once, as `T`, but printed as two sections:
    the old file's deletion, then the new one's creation. Read as such, a test file replaced by a
    symlink is still a deleted test."""
    out: list[NameStatus] = []
    for entry in listing:
        if entry.status == "T":
            out.extend((NameStatus("D", entry.path), NameStatus("A", entry.path)))
        else:
            out.append(entry)
    return out


def _named(change: FileChange, entry: NameStatus) -> FileChange:
    notes = tuple(note.replace(change.path, entry.path, 1) for note in change.notes)
    old_path = entry.old_path if change.old_path is not None else None
    return replace(change, path=entry.path, old_path=old_path, notes=notes)


def _token(index: int, side: str) -> str:
    return f"gate-file-{index}-{side}"


def _split(text: str) -> list[str]:
    """The patch per file, each piece ending with a line break. Hunk lines start with ' ', '+', '-'
    or '\\', so a line that starts with `diff --git ` always opens a file. Found in one search over the
    text, not line by line: a large change's patch is millions of lines."""
    starts = [m.start() for m in _FILE_OPENS.finditer(text)]
    if not text.endswith("\n"):
        text += "\n"
    ends = [*starts[1:], len(text)] if starts else []
    return [text[start:end] for start, end in zip(starts, ends, strict=True)]


def _rename(chunk: str, index: int, entry: NameStatus) -> str:
    """The file's header lines (those before its first hunk) with placeholder names: the same token on
    both sides unless renamed. The hunks are kept as they are."""
    renamed = entry.status in "RC" and entry.old_path is not None
    new = _token(index, "n")
    old = _token(index, "o") if renamed else new
    a = "/dev/null" if entry.status == "A" else f"a/{old}"
    b = "/dev/null" if entry.status == "D" else f"b/{new}"
    hunks = chunk.find("\n@@") + 1  # the first line is `diff --git`: a hunk starts after a line break
    header = chunk[:hunks] if hunks else chunk
    out = [f"diff --git a/{old} b/{new}"]
    for line in header.split("\n")[1:-1]:
        out.append(_header(line, old, new, a, b) if line.startswith(_HEADER_NAMES) else line)
    return "".join(line + "\n" for line in out) + (chunk[hunks:] if hunks else "")


def _header(line: str, old: str, new: str, a: str, b: str) -> str:
    if line.startswith("--- "):
        return f"--- {a}"
    if line.startswith("+++ "):
        return f"+++ {b}"
    if line.startswith("Binary files "):
        return f"Binary files {a} and {b} differ"
    key = line.split(" ", 2)
    return f"{key[0]} {key[1]} {old if key[1] == 'from' else new}"
