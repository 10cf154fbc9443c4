"""Real git repositories for tests: real commits with chosen authors, committers, dates and trailers."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class GitRepo:
    def __init__(self, root: Path, *, object_format: str = "sha1") -> None:
        """`object_format="sha256"` makes a repository whose object names are 64 hex digits."""
        self.root = root
        self._tick = 0
        root.mkdir(parents=True, exist_ok=True)
        # The option only when asked: git before 2.29 knows no --object-format.
        formats = [f"--object-format={object_format}"] if object_format != "sha1" else []
        # No template (no sample hooks: thousands of files a test run would write and delete), and the
        # identity written into the config git made rather than by three more processes.
        self.git("init", "-q", "--template=", "-b", "main", *formats)
        with (root / ".git" / "config").open("a", encoding="utf-8") as config:
            config.write("[user]\n\tname = Test Human\n\temail = human@example.com\n")
            config.write("[commit]\n\tgpgsign = false\n")

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        out = subprocess.run(
            ["git", "-C", str(self.root), *args],
            check=True,
            capture_output=True,
            env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", **(env or {})},
        )
        return out.stdout.decode("utf-8", "replace")

    def write(self, path: str, text: str | bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")

    def remove(self, path: str) -> None:
        self.git("rm", "-q", path)

    def commit(
        self,
        message: str,
        *,
        author: tuple[str, str] = ("Test Human", "human@example.com"),
        committer: tuple[str, str] | None = None,
        allow_empty: bool = False,
    ) -> str:
        self._tick += 1
        date = f"{1764000000 + self._tick * 60} +0000"
        committer = committer or author
        env = {
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": committer[0],
            "GIT_COMMITTER_EMAIL": committer[1],
            "GIT_COMMITTER_DATE": date,
        }
        self.git("add", "-A")
        args = ["commit", "-q", "-m", message]
        if allow_empty:
            args.append("--allow-empty")
        self.git(*args, env=env)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def branch(self, name: str) -> None:
        self.git("checkout", "-q", "-b", name)

    def checkout(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def format_patch(self, rng: str, *extra: str) -> bytes:
        return subprocess.run(
            ["git", "-C", str(self.root), "format-patch", "--stdout", *extra, rng],
            check=True,
            capture_output=True,
        ).stdout

    def blobless_clone(self, root: Path, head: str) -> tuple[Path, Path]:
        """A blobless clone of `main` and `head` under `root`, holding the blobs of their diff only (`git
        diff` fetched them), as a CI's `--filter=blob:none` checkout does: returns the clone and its bare
        remote, which a test may move out of reach."""
        self.checkout("main")
        remote, clone = root / "remote.git", root / "clone"
        env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}

        def git(*args: str) -> None:
            subprocess.run(["git", *args], check=True, capture_output=True, env=env)

        git("clone", "-q", "--bare", str(self.root), str(remote))
        git("-C", str(remote), "config", "uploadpack.allowFilter", "true")
        git("clone", "-q", "--filter=blob:none", "--no-checkout", remote.as_uri(), str(clone))
        git("-C", str(clone), "branch", "-q", head, f"origin/{head}")
        git("-C", str(clone), "diff", "--stat", "main", head)
        return clone, remote
