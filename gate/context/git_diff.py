"""The diff of two git revisions, with file names taken from git's NUL-separated listing.

Patch text spells file names in header lines that a name can imitate: a space in a name makes
`diff --git a/x b/y` ambiguous, and names with quotes, tabs or newlines arrive C-quoted. So the names
come from `git diff -z --name-status` (as stored, unquoted), the hunks from the patch: each file's
header lines are rewritten with plain placeholder names before parsing, and the placeholders are
replaced by the listed names after. Both commands run the same diff, so their files come in one order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from gate.context.catfile import BlobReader
from gate.context.git import Git
from gate.context.git_objects import NameStatus, decode_name, name_status, read_objects
from gate.diff.model import Diff, FileChange, FileStatus
from gate.diff.parser import decode_patch, parse_diff
from gate.errors import GitError

_DIFF_OPTIONS = ("--no-color", "--no-ext-diff", "--no-textconv", "-M")
_HEADER_NAMES = ("--- ", "+++ ", "rename from ", "rename to ", "copy from ", "copy to ", "Binary files ")
# Files git calls binary that are read again as text when their head content is UTF-8 text: up to this
# size each (a larger one stays binary, with its note).
MAX_TEXT_BINARY_BYTES = 10_000_000


def git_diff(git: Git, base: str, head: str, *extra: str, source: str) -> Diff:
    """`git diff base head` as a Diff whose paths are the files' real names. A file git calls binary
    only for a NUL byte in text is read as text (`_binaries_as_text`)."""
    diff = _diff(git, base, head, extra, source=source)
    return _binaries_as_text(git, base, head, diff, extra, source=source)


def _diff(
    git: Git, base: str, head: str, extra: Sequence[str], *, source: str, paths: Sequence[str] = ()
) -> Diff:
    """The diff of `paths` (every file when none), read with `extra` options."""
    pathspec = ("--", *(f":(literal){path}" for path in paths)) if paths else ()
    listing = _one_entry_per_section(
        name_status(
            git.run("diff", "-z", "--name-status", *_DIFF_OPTIONS, base, head, *pathspec).split(b"\0")
        )
    )
    raw = git.run("diff", *_DIFF_OPTIONS, *extra, base, head, *pathspec)
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


def _binaries_as_text(
    git: Git, base: str, head: str, diff: Diff, extra: Sequence[str], *, source: str
) -> Diff:
    """`diff` with the files git calls binary read as text where their head content is UTF-8 text.

    Git calls a file binary when it holds a NUL byte, and shows none of it. A NUL is legal inside a
    JavaScript string or a comment, so one byte would hide a whole source file (its secrets, its
    imports, its tests) from every analyzer while the code still runs. Those files are diffed again
    with `--text`; a real binary (an image, an archive) is not text (`looks_like_text`) and stays
    binary."""
    wanted = [c.path for c in diff.files if c.is_binary and c.status is not FileStatus.DELETED]
    blobs = _blobs(git, head, wanted) if wanted else {}
    small = {path: sha for path, (sha, size) in blobs.items() if size <= MAX_TEXT_BINARY_BYTES}
    text_blobs = _text_blobs(git, sorted(set(small.values())))
    texts = {path for path, sha in small.items() if sha in text_blobs}
    if not texts:
        return diff
    changes = {c.path: c for c in diff.files if c.path in texts}
    paths = sorted({path for c in changes.values() for path in (c.path, c.old_path or c.path)})
    again = {c.path: c for c in _diff(git, base, head, ("--text", *extra), source=source, paths=paths).files}
    read = {path for path in texts if path in again and not again[path].is_binary}
    # GitHub shows such a file as binary, none of its lines: it takes no review comment on them.
    files = tuple(
        replace(again[c.path], shown=False) if c.is_binary and c.path in read else c for c in diff.files
    )
    notes = tuple(
        f"{path}: git calls it binary (it holds a NUL byte), but it is text: read as text"
        for path in sorted(read)
    )
    return replace(diff, files=files, notes=(*diff.notes, *notes))


def _text_blobs(git: Git, shas: Sequence[str]) -> set[str]:
    """The blobs of `shas` that are UTF-8 text, read through one `git cat-file` process for the run: a
    pull request can add thousands of files git calls binary, and a process for each cost seconds. Each
    is read alone, its size asked first: a change of many large images is never held in memory at once."""
    if not shas:
        return set()
    reader = BlobReader(git)
    try:
        return {sha for sha in shas if _is_text(reader.read(sha, MAX_TEXT_BINARY_BYTES))}
    except GitError:
        # A git older than 2.36 has no `cat-file --batch-command`: a process for each blob.
        return {sha for sha in shas if _is_text(_read_alone(git, sha))}
    finally:
        reader.close()


def _read_alone(git: Git, sha: str) -> bytes | None:
    found = read_objects(git, [sha]).get(sha)
    return found[1] if found is not None and found[0] == "blob" else None


def _is_text(data: bytes | None) -> bool:
    return data is not None and looks_like_text(data)


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


def _split(text: str) -> list[list[str]]:
    """The patch's lines per file. Hunk lines start with ' ', '+', '-' or '\\', so a line that
    starts with `diff --git ` always opens a file."""
    chunks: list[list[str]] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line
    for line in lines:
        if line.startswith("diff --git "):
            chunks.append([])
        if chunks:
            chunks[-1].append(line)
    return chunks


def _rename(chunk: list[str], index: int, entry: NameStatus) -> str:
    """The file's header lines with placeholder names: the same token on both sides unless renamed."""
    renamed = entry.status in "RC" and entry.old_path is not None
    new = _token(index, "n")
    old = _token(index, "o") if renamed else new
    a = "/dev/null" if entry.status == "A" else f"a/{old}"
    b = "/dev/null" if entry.status == "D" else f"b/{new}"
    out: list[str] = []
    in_header = True
    for i, line in enumerate(chunk):
        if in_header and line.startswith("@@"):
            in_header = False
        if not in_header:
            out.append(line)
        elif i == 0:
            out.append(f"diff --git a/{old} b/{new}")
        elif line.startswith(_HEADER_NAMES):
            out.append(_header(line, old, new, a, b))
        else:
            out.append(line)
    return "".join(line + "\n" for line in out)


def _header(line: str, old: str, new: str, a: str, b: str) -> str:
    if line.startswith("--- "):
        return f"--- {a}"
    if line.startswith("+++ "):
        return f"+++ {b}"
    if line.startswith("Binary files "):
        return f"Binary files {a} and {b} differ"
    key = line.split(" ", 2)
    return f"{key[0]} {key[1]} {old if key[1] == 'from' else new}"
