"""Run git: one place for the command line, its environment and its errors."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

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
        cmd = self.command(*args)
        try:
            proc = subprocess.run(cmd, input=input, capture_output=True, env=self.environment(), check=False)
        except FileNotFoundError:
            raise GitError("git is not installed", "install git or pass --diff FILE") from None
        if check and proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(
                f"git {args[0]} failed: {message[-1] if message else 'exit ' + str(proc.returncode)}"
            )
        return proc.stdout

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
