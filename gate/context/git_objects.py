"""Git output read as data: NUL-separated listings and raw objects, never text split on characters a
commit message or a file name may hold.

- `read_objects`: `git cat-file --batch`, whose answers are length-prefixed, so a message or note
  holding any byte (newlines, \\x1e, \\x1f, quotes) comes back whole.
- `parse_commit`: a raw commit object into a Commit (author and committer as git stores them, the
  message decoded from the commit's `encoding` header as `git log` would).
- `name_status`: the NUL-separated `--name-status -z` listing, where file names are not quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from gate.context.git import Git
from gate.context.model import Commit, Person
from gate.errors import GitError

_HEX_NAME = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
# One `--name-status` status: a letter, and a similarity score for renames and copies.
_STATUS = re.compile(r"^[ACDMRTUXB][0-9]*$")


@dataclass(frozen=True)
class NameStatus:
    status: str  # the letter: A, M, D, R, C, T, ...
    path: str  # the new name (the only name, unless renamed or copied)
    old_path: str | None = None  # the old name of a rename or copy


def decode_name(raw: bytes) -> str:
    """A file name as git stores it: UTF-8, with bytes that are not shown as U+FFFD."""
    return raw.decode("utf-8", "replace")


def read_objects(git: Git, names: Sequence[str]) -> dict[str, tuple[str, bytes]]:
    """Each object (by full hex name) as (type, content); names git does not have are left out."""
    if not names:
        return {}
    if any(not _HEX_NAME.match(n) for n in names):
        raise GitError("an object name to read is not a full hex name")
    out = git.run("cat-file", "--batch", input="".join(n + "\n" for n in names).encode("ascii"))
    objects: dict[str, tuple[str, bytes]] = {}
    pos = 0
    for name in names:
        end = out.find(b"\n", pos)
        if end == -1:
            raise GitError("git cat-file --batch ended early")
        header = out[pos:end].split(b" ")
        pos = end + 1
        if len(header) != 3:  # "<name> missing"
            continue
        size = int(header[2])
        objects[name] = (header[1].decode("ascii", "replace"), out[pos : pos + size])
        pos += size + 1  # the content, then a newline
    return objects


def _decode(parts: Sequence[bytes], encoding: str) -> list[str]:
    """The parts of a commit in the encoding its header names, or all of them in UTF-8 when Python
    cannot decode text with that name: an unknown name, a codec that is not a text encoding (rot13,
    base64), one that raises even when told to replace what it cannot read (idna), or one that does not
    read ASCII as ASCII (EBCDIC's cp037 and its aliases, UTF-16, UTF-7). Python knows names that git's
    iconv does not (`ibm039`); git then shows the bytes as they are, UTF-8, so a trailer git and GitHub
    show would be mojibake here. A commit's trailers and identities are ASCII in every encoding git
    itself can show them in."""
    if encoding and _reads_ascii_as_ascii(encoding):
        return [part.decode(encoding, "replace") for part in parts]
    return [part.decode("utf-8", "replace") for part in parts]


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n"


@lru_cache(maxsize=64)
def _reads_ascii_as_ascii(encoding: str) -> bool:
    try:
        return _PRINTABLE_ASCII.decode(encoding, "replace") == _PRINTABLE_ASCII.decode("ascii")
    except (LookupError, ValueError, TypeError):  # UnicodeError is a ValueError, as is a name holding NUL
        return False


def _ident(text: str) -> Person:
    """`Name <email> timestamp zone`, read the way git reads it: the first `<` opens the address."""
    lt = text.find("<")
    if lt == -1:
        return Person(text.strip(), "")
    gt = text.find(">", lt + 1)
    email = text[lt + 1 : gt] if gt != -1 else text[lt + 1 :]
    return Person(text[:lt].strip(), email.strip())


def parse_commit(sha: str, raw: bytes, note: str | None = None) -> Commit:
    """A raw commit object: header lines up to the first empty line, then the message."""
    header, _, body = raw.partition(b"\n\n")
    fields: dict[bytes, list[bytes]] = {}
    for line in header.split(b"\n"):
        if line.startswith(b" "):
            continue  # a continuation of a multi-line header (gpgsig, mergetag)
        key, _, value = line.partition(b" ")
        fields.setdefault(key, []).append(value)
    encoding = next(iter(fields.get(b"encoding", [])), b"").decode("ascii", "replace")
    committer_raw = fields.get(b"committer")
    author, committer, message = _decode(
        (next(iter(fields.get(b"author", [])), b""), committer_raw[0] if committer_raw else b"", body),
        encoding,
    )
    return Commit(
        sha=sha,
        author=_ident(author),
        committer=_ident(committer) if committer_raw else None,
        message=message.strip("\n"),
        parents=tuple(p.decode("ascii", "replace") for p in fields.get(b"parent", [])),
        ai_note=note,
    )


def name_status(tokens: Iterable[bytes]) -> list[NameStatus]:
    """Entries of a `--name-status -z` listing given as its NUL-separated tokens."""
    out: list[NameStatus] = []
    it = iter(tokens)
    for token in it:
        status = token.lstrip(b"\n").decode("ascii", "replace")
        if not status:
            continue
        if not _STATUS.match(status):
            raise GitError(f"unexpected git name-status entry {status[:20]!r}")
        first = next(it, None)
        if first is None:
            raise GitError("git name-status listing ended inside an entry")
        if status[0] in "RC":
            second = next(it, None)
            if second is None:
                raise GitError("git name-status listing ended inside a rename")
            out.append(NameStatus(status[0], decode_name(second), decode_name(first)))
        else:
            out.append(NameStatus(status[0], decode_name(first)))
    return out


def commits_and_files(git: Git, base: str, head: str) -> list[tuple[str, list[NameStatus]]]:
    """The commits of base..head, oldest first, each with the files it changed (`-z`: names as stored).

    `git log -z --format=%H --name-status` prints `<sha>\\0`, then (for a commit that changed files) a
    newline and `<status>\\0<path>\\0` entries (two paths for a rename); the next sha follows at once.
    A sha and a status cannot be confused, and paths are taken by count, never by their look.
    """
    raw = git.run(
        "log",
        "-z",
        "--reverse",
        "--topo-order",
        "--no-color",
        "--format=%H",
        "--name-status",
        "-M",
        f"{base}..{head}",
    )
    out: list[tuple[str, list[NameStatus]]] = []
    tokens = raw.split(b"\0")
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip(b"\n").decode("ascii", "replace")
        i += 1
        if not token:
            continue
        if not _HEX_NAME.match(token):
            raise GitError(f"unexpected git log entry {token[:20]!r}")
        entries: list[bytes] = []
        # The commit's entries run until the next token that is a commit name in status position.
        while i < len(tokens):
            status = tokens[i].lstrip(b"\n")
            if not status or _HEX_NAME.match(status.decode("ascii", "replace")):
                break
            count = 3 if status[:1] in (b"R", b"C") else 2
            entries.extend(tokens[i : i + count])
            i += count
        out.append((token, name_status(entries)))
    return out


def ai_notes(git: Git, shas: Iterable[str]) -> dict[str, str]:
    """The text of each commit's note under refs/notes/ai (git-ai line-level authorship), if any."""
    wanted = set(shas)
    listing = git.run("notes", "--ref=ai", "list", check=False).decode("ascii", "replace")
    blobs: dict[str, str] = {}
    for line in listing.split("\n"):
        parts = line.split()
        if len(parts) == 2 and parts[1] in wanted and _HEX_NAME.match(parts[0]):
            blobs[parts[1]] = parts[0]
    objects = read_objects(git, list(dict.fromkeys(blobs.values())))
    out: dict[str, str] = {}
    for sha, blob in blobs.items():
        found = objects.get(blob)
        if found is not None and found[0] == "blob":
            text = found[1].decode("utf-8", "replace").strip("\n")
            if text:
                out[sha] = text
    return out


def read_commits(git: Git, shas: Sequence[str]) -> list[Commit]:
    """Commits by sha, in the order given, each with its refs/notes/ai note."""
    notes = ai_notes(git, shas)
    objects = read_objects(git, shas)
    commits = []
    for sha in shas:
        found = objects.get(sha)
        if found is None or found[0] != "commit":
            raise GitError(f"commit {sha[:12]} could not be read")
        commits.append(parse_commit(sha, found[1], notes.get(sha)))
    return commits
