"""The diff of two git revisions, with file names taken from git's NUL-separated listing.

Patch text spells file names in header lines that a name can imitate: a space in a name makes
`diff --git a/x b/y` ambiguous, and names with quotes, tabs or newlines arrive C-quoted. So the names
come from `git diff -z --name-status` (as stored, unquoted), the hunks from the patch: each file's
header lines are rewritten with plain placeholder names before parsing, and the placeholders are
replaced by the listed names after. Both commands run the same diff, so their files come in one order.
"""

from __future__ import annotations

from dataclasses import replace

from gate.context.git import Git
from gate.context.git_objects import NameStatus, name_status
from gate.diff.model import Diff, FileChange
from gate.diff.parser import decode_patch, parse_diff
from gate.errors import GitError

_DIFF_OPTIONS = ("--no-color", "--no-ext-diff", "--no-textconv", "-M")
_HEADER_NAMES = ("--- ", "+++ ", "rename from ", "rename to ", "copy from ", "copy to ", "Binary files ")


def git_diff(git: Git, base: str, head: str, *extra: str, source: str) -> Diff:
    """`git diff base head` as a Diff whose paths are the files' real names."""
    listing = name_status(git.run("diff", "-z", "--name-status", *_DIFF_OPTIONS, base, head).split(b"\0"))
    raw = git.run("diff", *_DIFF_OPTIONS, *extra, base, head)
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
