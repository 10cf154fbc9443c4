"""Run git: one place for the command line, its environment and its errors."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from gate.errors import GitError

# The empty tree's name (SHA-1): attributes are read from no tree (`Git`).
_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_ENV = {
    "LC_ALL": "C",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_PAGER": "cat",
}
# `--offline` means no network at all, and git reaches the network on its own for one thing a read
# does: a blob a partial clone (`--filter=blob:none`) left out is fetched from its promisor remote when
# first read. Git 2.44 and later skip that fetch under GIT_NO_LAZY_FETCH; an older git still starts the
# fetch, which an empty GIT_ALLOW_PROTOCOL (no transport allowed, `file` included) stops before it
# connects. Either way the blob reads as missing, and the run says it could not read the file.
_OFFLINE_ENV = {
    "GIT_NO_LAZY_FETCH": "1",
    "GIT_ALLOW_PROTOCOL": "",
}


class Git:
    """A git repository on disk. Commands run with a fixed locale and no pager or prompts.

    Once opened, commands run on the repository's object store alone, as in a bare repository: from
    inside its git directory, with no working tree. Git reads `.gitattributes` from the working tree,
    which is the pull request's own checkout in the Action; there `*.py -diff` or `* binary` turns every
    file into one git will not show, and the whole gate would read nothing of the change. Without a
    working tree git tells binary from text by the content, as for a file with no attributes; only the
    repository's own `info/attributes` and the machine's attribute files still apply.

    A git from 2.42 reads attributes from the tree that `GIT_ATTR_SOURCE` names (`HEAD` is the pull
    request's own commit in the Action), and 2.43 to 2.45.2 a bare repository's from the tree at HEAD.
    So every command names the empty tree as the source of attributes (`attr.tree`, which a git before
    2.43 does not know and ignores), and `GIT_ATTR_SOURCE`, which would outrank it, is not passed on. In
    a SHA-256 repository the name is no tree of it: git ignores a bad `attr.tree` and reads no tree.

    `offline`: git fetches nothing, not even the blobs a partial clone left out (`_OFFLINE_ENV`)."""

    def __init__(self, root: Path, git_dir: Path | None = None, *, offline: bool = False) -> None:
        self.root = root
        self.git_dir = git_dir
        self.offline = offline
        self._started: dict[tuple[tuple[str, ...], bytes | None], _Started] = {}
        self._starting = threading.Lock()

    @classmethod
    def open(cls, path: Path, *, offline: bool = False) -> Git:
        if not path.exists():
            raise GitError(f"{path}: no such directory")
        probe = cls(path, offline=offline)
        try:
            top, git_dir = probe.text("rev-parse", "--show-toplevel", "--absolute-git-dir").splitlines()[:2]
        except (GitError, ValueError):
            raise GitError(f"{path}: not a git repository", "pass --repo DIR or --diff FILE") from None
        return cls(Path(top), Path(git_dir), offline=offline)

    def command(self, *args: str) -> list[str]:
        """The full command line of `git ARGS` in this repository (for callers that keep git running)."""
        where = ["-C", str(self.root)]
        if self.git_dir is not None:
            where = [
                "-c",
                f"safe.directory={self.git_dir}",
                "-c",
                "core.bare=true",
                f"--git-dir={self.git_dir}",
                "-C",
                str(self.git_dir),
            ]
        return [
            "git",
            "-c",
            f"safe.directory={self.root}",
            "-c",
            "core.quotepath=off",
            "-c",
            "diff.noprefix=false",
            "-c",
            "log.showSignature=false",
            "-c",
            f"attr.tree={_EMPTY_TREE}",
            *where,
            *args,
        ]

    def environment(self) -> dict[str, str]:
        environ = {k: v for k, v in os.environ.items() if k != "GIT_ATTR_SOURCE"}
        return {**environ, **_ENV, **(_OFFLINE_ENV if self.offline else {})}

    def run(self, *args: str, input: bytes | None = None, check: bool = True) -> bytes:
        started = self._take(args, input)
        done = started.result() if started is not None else None
        # A started command that failed runs again: the failure may be its own (a full disk for its output).
        if done is None or done[0] != 0:
            done = self._run_now(args, input)
        returncode, stdout, stderr = done
        if check and returncode != 0:
            message = stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(f"git {args[0]} failed: {message[-1] if message else 'exit ' + str(returncode)}")
        return stdout

    def _run_now(self, args: Sequence[str], input: bytes | None) -> tuple[int, bytes, bytes]:
        try:
            proc = subprocess.run(
                self.command(*args), input=input, capture_output=True, env=self.environment(), check=False
            )
        except FileNotFoundError:
            raise GitError("git is not installed", "install git or pass --diff FILE") from None
        return proc.returncode, proc.stdout, proc.stderr

    def start(self, *args: str, input: bytes | None = None) -> None:
        """Start `git ARGS` (reading `input`) now, for the first `run` with the same arguments and input to
        take its output: git works out a large diff in its own process while this one does other work.
        Its output goes to unnamed files, which take all of it without anyone reading. When it cannot
        start, `run` runs it as usual (and says why it failed). A run takes only what this process
        started: a forked child runs its own."""
        key = (args, input)
        with self._starting:
            if key in self._started:
                return
            try:
                self._started[key] = _Started(self.command(*args), self.environment(), input)
            except OSError:
                return

    def stop_started(self) -> None:
        """End the commands `start` began that no `run` took, and free their files."""
        with self._starting:
            started, self._started = list(self._started.values()), {}
        for one in started:
            one.stop()

    def _take(self, args: tuple[str, ...], input: bytes | None) -> _Started | None:
        with self._starting:
            started = self._started.pop((args, input), None)
        if started is not None and not started.mine():
            started.stop()  # its parent's: only its files are this process's to close
            return None
        return started

    def text(self, *args: str) -> str:
        return self.run(*args).decode("utf-8", "replace")

    def resolve(self, ref: str) -> str:
        out = self.run(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", check=False
        )
        sha = out.decode().strip()
        if not sha:
            raise GitError(f"unknown revision '{ref}'", "check the name, or fetch it (git fetch origin REF)")
        return sha

    def exists(self, ref: str) -> bool:
        out = self.run(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", check=False
        )
        return bool(out.strip())

    def lines(self, *args: str) -> Sequence[str]:
        return [line for line in self.text(*args).split("\n") if line]


class _Started:
    """A git command running since `Git.start`, its output going to unnamed temporary files."""

    def __init__(self, command: list[str], env: dict[str, str], input: bytes | None = None) -> None:
        self._pid = os.getpid()
        with contextlib.ExitStack() as files:
            stdin: IO[bytes] | int = subprocess.DEVNULL
            if input is not None:
                stdin = files.enter_context(tempfile.TemporaryFile())
                stdin.write(input)
                stdin.seek(0)
            self._out: IO[bytes] = files.enter_context(tempfile.TemporaryFile())
            self._err: IO[bytes] = files.enter_context(tempfile.TemporaryFile())
            self._proc = subprocess.Popen(command, stdin=stdin, stdout=self._out, stderr=self._err, env=env)
            self._files = files.pop_all()

    def mine(self) -> bool:
        """Whether this process started it: only its parent can wait for git to end."""
        return os.getpid() == self._pid

    def result(self) -> tuple[int, bytes, bytes]:
        """The exit code, the output and the error output, once git has ended."""
        try:
            returncode = self._proc.wait()
            return returncode, _read_all(self._out), _read_all(self._err)
        finally:
            self._close()

    def stop(self) -> None:
        try:
            if self.mine():
                self._proc.kill()
                self._proc.wait()
        finally:
            self._close()

    def _close(self) -> None:
        self._files.close()


def _read_all(file: IO[bytes]) -> bytes:
    file.seek(0)
    return file.read()
