"""The Actions environment of a Docker action: `INPUT_*` inputs and the standard `GITHUB_*` variables.

The runner forms input variables as `INPUT_` + the input name upper-cased with hyphens kept
(`INPUT_GITHUB-TOKEN`), so they are read from the mapping, not through shell-safe names.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gate.errors import ConfigError, InputError
from gate.findings import Severity
from gate.github.client import DEFAULT_API_URL

DEFAULT_OUTPUT_DIR = ".ai-gate"
DEFAULT_SERVER_URL = "https://github.com"


class Target(enum.Enum):
    """Where results may be posted (the `post` input)."""

    CHECK = "check"
    STATUS = "status"
    REVIEW = "review"
    COMMENT = "comment"
    SUMMARY = "summary"


def action_input(environ: Mapping[str, str], name: str) -> str:
    """The value of input `name` as the runner passes it; whitespace-only counts as unset."""
    return environ.get(f"INPUT_{name.upper()}", "").strip()


def parse_targets(value: str) -> frozenset[Target]:
    if not value:
        return frozenset(Target)
    names = [n for n in re.split(r"[\s,]+", value.lower()) if n]
    if names in (["all"], ["true"]):
        return frozenset(Target)
    if names in (["none"], ["false"]):
        return frozenset()
    known = {t.value: t for t in Target}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError(
            f"input 'post': unknown target {', '.join(repr(n) for n in unknown)}",
            "use any of check,status,review,comment,summary (or all / none)",
        )
    return frozenset(known[n] for n in names)


def parse_severity(value: str, where: str) -> Severity | None:
    if not value:
        return None
    try:
        return Severity(value.lower())
    except ValueError:
        choices = "|".join(s.value for s in Severity)
        raise ConfigError(f"{where}: '{value}' is not a severity", f"use one of {choices}") from None


@dataclass(frozen=True)
class ActionEnv:
    event_name: str
    event_path: Path | None
    repository: str
    api_url: str
    server_url: str
    run_id: str
    workspace: Path | None
    output_file: Path | None
    step_summary: Path | None
    token: str
    config: str | None
    fail_on: Severity | None
    output_dir: Path
    targets: frozenset[Target]

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> ActionEnv:
        workspace_value = environ.get("GITHUB_WORKSPACE", "").strip()
        workspace = Path(workspace_value) if workspace_value else None
        output_dir = Path(action_input(environ, "output-dir") or DEFAULT_OUTPUT_DIR)
        if not output_dir.is_absolute():
            output_dir = (workspace or Path.cwd()) / output_dir
        token = action_input(environ, "github-token") or environ.get("GITHUB_TOKEN", "").strip()
        event_path = environ.get("GITHUB_EVENT_PATH", "").strip()
        return cls(
            event_name=environ.get("GITHUB_EVENT_NAME", "").strip(),
            event_path=Path(event_path) if event_path else None,
            repository=environ.get("GITHUB_REPOSITORY", "").strip(),
            api_url=environ.get("GITHUB_API_URL", "").strip() or DEFAULT_API_URL,
            server_url=environ.get("GITHUB_SERVER_URL", "").strip() or DEFAULT_SERVER_URL,
            run_id=environ.get("GITHUB_RUN_ID", "").strip(),
            workspace=workspace,
            output_file=_path(environ, "GITHUB_OUTPUT"),
            step_summary=_path(environ, "GITHUB_STEP_SUMMARY"),
            token=token,
            config=action_input(environ, "config") or None,
            fail_on=parse_severity(action_input(environ, "fail-on"), "input 'fail-on'"),
            output_dir=output_dir,
            targets=parse_targets(action_input(environ, "post")),
        )

    def require_repository(self) -> None:
        owner, _, name = self.repository.partition("/")
        if not owner or not name:
            raise InputError("GITHUB_REPOSITORY is not set (owner/name)", "run inside GitHub Actions")

    @property
    def run_url(self) -> str | None:
        if not self.run_id or not self.repository:
            return None
        return f"{self.server_url.rstrip('/')}/{self.repository}/actions/runs/{self.run_id}"


def _path(environ: Mapping[str, str], name: str) -> Path | None:
    value = environ.get(name, "").strip()
    return Path(value) if value else None
