"""Errors the gate reports to its user: each kind carries a hint; only cli.py turns them into text."""

from __future__ import annotations


class GateError(Exception):
    """The gate could not run. Exit code 2, one line on stderr."""

    kind = "error"

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        text = f"ai-gate: {self.kind}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return " ".join(text.split())


class InputError(GateError):
    """The diff, patch or report given to the gate cannot be read."""

    kind = "bad input"


class ConfigError(GateError):
    """The configuration file is invalid."""

    kind = "bad config"


class GitError(GateError):
    """A git repository, ref or command failed."""

    kind = "git"


class GitHubError(GateError):
    """GitHub could not be reached or refused the request."""

    kind = "github"


class TraceError(GateError):
    """A trace file cannot be replayed."""

    kind = "bad trace"
