"""Read files at the base or head revision of a local git change."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from gate.context.catfile import BlobReader, NotRead
from gate.context.git import Git
from gate.context.git_objects import decode_name
from gate.context.model import GIT_COULD_NOT_READ, TOO_LARGE
from gate.errors import GitError

# Files larger than this are not read (2 MiB): no analyzer or prompt uses more of one file.
MAX_FILE_BYTES = 2 << 20
# git's own test for a binary file: a NUL byte in the first 8,000 bytes (xdiff's `buffer_is_binary`).
BINARY_SNIFF_BYTES = 8000
# Files read per run that stay cached: a reader per analyzer asks for the same few files; past this the
# oldest is read again, which costs a cat-file round trip, not a wrong answer.
FILES_CACHED = 512
# File listings cached: one per revision (base and head), with room for a caller's own.
LISTINGS_CACHED = 4


def as_text(data: bytes) -> str | None:
    """A file's bytes as the analyzers read them: None for a binary file (git's test), else UTF-8 with
    what is not UTF-8 (a cp1252 comment) replaced, so a file of another encoding is still read."""
    if b"\0" in data[:BINARY_SNIFF_BYTES]:
        return None
    return data.decode("utf-8", "replace")


class GitRevisions:
    """RevisionReader over a git repository: "base" and "head" name two commits.

    Files come from one `git cat-file` process kept for the run (see BlobReader), not two per file. A git
    older than 2.36 has no `--batch-command`; the reader then falls back to two processes a file.
    """

    def __init__(self, git: Git, base: str, head: str) -> None:
        self._git = git
        self._revs = {"base": base, "head": head}
        self._blobs: BlobReader | None = BlobReader(git)
        self._unread: dict[tuple[str, str], str] = {}  # (revision, path) -> why, for `why_unread`
        self.read = lru_cache(maxsize=FILES_CACHED)(self._read)  # type: ignore[method-assign]
        self._listing = lru_cache(maxsize=LISTINGS_CACHED)(self._list)

    @property
    def git(self) -> Git:
        return self._git

    def read(self, revision: str, path: str) -> str | None:
        return self._read(revision, path)

    def list_files(self, revision: str) -> tuple[str, ...]:
        return self._listing(revision).paths

    def why_unread(self, revision: str, path: str) -> str | None:
        """Why `read` gave None for a file the revision holds: git could not give its blob
        (`GIT_COULD_NOT_READ`), or it is over `MAX_FILE_BYTES` (`TOO_LARGE`); None when it was read, or
        there is no such file (or it is a folder, a submodule or binary)."""
        return self._unread.get((revision, path))

    def why_unlisted(self, revision: str) -> str | None:
        """Always None: a listing git could not give raises `GitError`, never reads as an empty tree."""
        return None

    def close(self) -> None:
        """Stop the reader's git process (it also stops when the reader is dropped or at exit)."""
        if self._blobs is not None:
            self._blobs.close()

    def _read(self, revision: str, path: str) -> str | None:
        rev = self._revs.get(revision, revision)
        if "\n" in path or self._blobs is None:  # the batch protocol is line-based
            data = self._read_alone(revision, path)
        else:
            try:
                data = self._blobs.fetch(f"{rev}:{path}", MAX_FILE_BYTES)
            except GitError:
                self._blobs.close()
                self._blobs = None  # a git without --batch-command, or a reader that died: file by file
                data = self._read_alone(revision, path)
        if data is NotRead.MISSING and self._holds_file(revision, path):
            self._unread[revision, path] = GIT_COULD_NOT_READ
        elif data is NotRead.TOO_LARGE:
            self._unread[revision, path] = TOO_LARGE
        return as_text(data) if isinstance(data, bytes) else None

    def _read_alone(self, revision: str, path: str) -> bytes | NotRead:
        """The blob through two git processes. A git that fails says "missing" here: whether the file is
        there is for the tree to tell (`_holds_file`), not git's exit status."""
        spec = f"{self._revs.get(revision, revision)}:{path}"
        try:
            size = int(self._git.run("cat-file", "-s", spec))
            if size > MAX_FILE_BYTES:
                return NotRead.TOO_LARGE
            return self._git.run("cat-file", "blob", spec)
        except (GitError, ValueError):  # no such file, a folder, a submodule, or git failed
            return NotRead.MISSING

    def _holds_file(self, revision: str, path: str) -> bool:
        """Whether the tree at the revision holds a file at `path`: listed, and not a submodule's commit
        (which git answers "missing" for too)."""
        listing = self._listing(revision)
        return path in listing.names and path not in listing.gitlinks

    def _list(self, revision: str) -> _Listing:
        rev = self._revs.get(revision, revision)
        # -z: names as stored, not C-quoted (a name may hold a tab, a quote or a newline)
        out = self._git.run("ls-tree", "-r", "-z", "--full-tree", rev)
        paths: list[str] = []
        gitlinks: set[str] = set()
        for entry in out.split(b"\0"):
            info, tab, name = entry.partition(b"\t")
            if not tab:
                continue
            path = decode_name(name)
            paths.append(path)
            if info.startswith(b"160000 "):  # a submodule's commit
                gitlinks.add(path)
        return _Listing(tuple(paths), frozenset(paths), frozenset(gitlinks))


@dataclass(frozen=True)
class _Listing:
    """The paths of a revision's tree, in git's order, and those that are submodules' commits."""

    paths: tuple[str, ...]
    names: frozenset[str]
    gitlinks: frozenset[str]
