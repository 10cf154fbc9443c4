"""Read files at the base or head revision of a local git change."""

from __future__ import annotations

from functools import lru_cache

from gate.context.catfile import BlobReader
from gate.context.git import Git
from gate.context.git_objects import decode_name
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


class GitRevisions:
    """RevisionReader over a git repository: "base" and "head" name two commits.

    Files come from one `git cat-file` process kept for the run (see BlobReader), not two per file. A git
    older than 2.36 has no `--batch-command`; the reader then falls back to two processes a file.
    """

    def __init__(self, git: Git, base: str, head: str) -> None:
        self._git = git
        self._revs = {"base": base, "head": head}
        self._blobs: BlobReader | None = BlobReader(git)
        self.read = lru_cache(maxsize=FILES_CACHED)(self._read)  # type: ignore[method-assign]
        self.list_files = lru_cache(maxsize=LISTINGS_CACHED)(self._list_files)  # type: ignore[method-assign]

    @property
    def git(self) -> Git:
        return self._git

    def read(self, revision: str, path: str) -> str | None:
        return self._read(revision, path)

    def list_files(self, revision: str) -> tuple[str, ...]:
        return self._list_files(revision)

    def close(self) -> None:
        """Stop the reader's git process (it also stops when the reader is dropped or at exit)."""
        if self._blobs is not None:
            self._blobs.close()

    def _read(self, revision: str, path: str) -> str | None:
        rev = self._revs.get(revision, revision)
        if "\n" in path or self._blobs is None:  # the batch protocol is line-based
            return self._read_alone(rev, path)
        try:
            data = self._blobs.read(f"{rev}:{path}", MAX_FILE_BYTES)
        except GitError:
            self._blobs.close()
            self._blobs = None  # a git without --batch-command, or a reader that died: read file by file
            return self._read_alone(rev, path)
        if data is None or b"\0" in data[:BINARY_SNIFF_BYTES]:
            return None
        return data.decode("utf-8", "replace")

    def _read_alone(self, rev: str, path: str) -> str | None:
        size = self._git.run("cat-file", "-s", f"{rev}:{path}", check=False).strip()
        if not size or int(size) > MAX_FILE_BYTES:
            return None
        data = self._git.run("cat-file", "blob", f"{rev}:{path}", check=False)
        if b"\0" in data[:BINARY_SNIFF_BYTES]:
            return None
        return data.decode("utf-8", "replace")

    def _list_files(self, revision: str) -> tuple[str, ...]:
        rev = self._revs.get(revision, revision)
        # -z: names as stored, not C-quoted (a name may hold a tab, a quote or a newline)
        out = self._git.run("ls-tree", "-r", "-z", "--name-only", "--full-tree", rev)
        return tuple(decode_name(name) for name in out.split(b"\0") if name)
