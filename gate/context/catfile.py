"""Read blobs from one long-running `git cat-file --batch-command` instead of two git processes a file.

A large change reads hundreds of files at base and head; starting git twice for each cost more than
everything else the analyzers do with them. One process serves every read of a run: `info` first, so a
file over the size limit is never transferred, then `contents`.
"""

from __future__ import annotations

import contextlib
import enum
import subprocess
import threading
import weakref
from typing import IO

from gate.context.git import Git
from gate.errors import GitError


class NotRead(enum.Enum):
    """Why `BlobReader.fetch` gave no bytes."""

    # No such object: no file at that path, a submodule's commit, or a blob a partial clone does not
    # hold and could not fetch.
    MISSING = "missing"
    NOT_A_BLOB = "not a blob"  # a tree
    TOO_LARGE = "too large"


class BlobReader:
    """`git cat-file --batch-command` kept open for the run; safe to share between threads."""

    def __init__(self, git: Git) -> None:
        self._git = git
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize[..., BlobReader] | None = None

    def read(self, spec: str, max_bytes: int) -> bytes | None:
        """The blob named `spec` ("REV:PATH"); None when it is missing, not a blob, or over `max_bytes`."""
        data = self.fetch(spec, max_bytes)
        return data if isinstance(data, bytes) else None

    def fetch(self, spec: str, max_bytes: int) -> bytes | NotRead:
        """The blob named `spec` ("REV:PATH"), or why not: git answers "missing" alike for a path that is
        not there and for a blob the repository lacks, which only the tree can tell apart."""
        if "\n" in spec:
            raise ValueError("a batch request cannot name a path with a newline")
        with self._lock:
            proc = self._process()
            assert proc.stdin is not None and proc.stdout is not None
            try:
                header = self._ask(proc, f"info {spec}")
                fields = header.split()
                if len(fields) != 3:
                    return NotRead.MISSING  # "<spec> missing" (or "ambiguous", for a bare object name)
                if fields[1] != b"blob":
                    return NotRead.NOT_A_BLOB
                if int(fields[2]) > max_bytes:
                    return NotRead.TOO_LARGE
                header = self._ask(proc, f"contents {spec}")
                fields = header.split()
                if len(fields) != 3:  # the object vanished between the two requests
                    return NotRead.MISSING
                data = _read_exactly(proc.stdout, int(fields[2]))
                proc.stdout.read(1)  # the newline after the contents
                return data
            except (OSError, ValueError):
                self._stop()
                raise GitError("git cat-file stopped unexpectedly while reading files") from None
            except BaseException:
                # Interrupted between a request and the end of its answer (the run's time up, Ctrl-C):
                # what git has still to send would be read as the next answer. A new process serves next.
                self._stop()
                raise

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _ask(self, proc: subprocess.Popen[bytes], command: str) -> bytes:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(command.encode("utf-8") + b"\n")
        proc.stdin.flush()
        header = proc.stdout.readline()
        if not header.endswith(b"\n"):
            raise ValueError("git cat-file closed its output")
        return header

    def _process(self) -> subprocess.Popen[bytes]:
        if self._proc is not None and self._proc.poll() is not None:
            # It died (killed, or out of memory): close its pipes, start another. In a forked child
            # (`gate.worker`) the parent's git is not this process's child, so it looks ended too: the
            # child starts its own rather than read the parent's answers.
            self._stop()
        if self._proc is None:
            try:
                self._proc = subprocess.Popen(
                    self._git.command("cat-file", "--batch-command"),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    env=self._git.environment(),
                )
            except FileNotFoundError:
                raise GitError("git is not installed", "install git or pass --diff FILE") from None
            # Ends the child when the reader is dropped or the interpreter exits, if close() was not called.
            self._finalizer = weakref.finalize(self, _end, self._proc)
        return self._proc

    def _stop(self) -> None:
        if self._finalizer is not None:
            self._finalizer()  # calls _end once
            self._finalizer = None
        self._proc = None


def _end(proc: subprocess.Popen[bytes]) -> None:
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):  # a broken pipe on close: the child is gone already
                stream.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)  # a buffered pipe reads until `size` bytes or the end
    if len(data) != size:
        raise ValueError("git cat-file output ended inside a blob")
    return data
