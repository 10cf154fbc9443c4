"""The configuration as the BASE branch has it: a pull request must not be able to weaken its own gate.

Read with the workspace's git (`git show BASE:PATH`) when the checkout has the base commit, else
through the contents API at the base SHA. A config the PR changes is noted in the summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gate.config.loader import DEFAULT_PATH, load_config, load_config_text
from gate.config.models import Config
from gate.errors import ConfigError
from gate.github.client import GitHubClient
from gate.github.pull import open_workspace


@dataclass(frozen=True)
class BaseConfig:
    config: Config
    path: str  # repository-relative path of the config file (or an absolute path outside the repo)
    source: str  # said in the summary: where the config came from

    def changed_note(self, changed_paths: set[str]) -> str | None:
        if self.path in changed_paths:
            return (
                f"this PR changes {self.path}; the gate used the base branch's version of it "
                "(a PR cannot change its own gate)"
            )
        return None


def repo_relative(path_input: str | None, workspace: Path | None) -> tuple[str | None, Path | None]:
    """(repository-relative path, absolute path outside the repository) of the `config` input."""
    if not path_input:
        return DEFAULT_PATH, None
    p = Path(path_input)
    if p.is_absolute():
        if workspace is not None and p.is_relative_to(workspace):
            return p.relative_to(workspace).as_posix(), None
        return None, p
    rel = PurePosixPath(p.as_posix())
    if ".." in rel.parts:
        raise ConfigError(f"input 'config': '{path_input}' leaves the repository")
    return rel.as_posix(), None


def load_base_config(
    client: GitHubClient, workspace: Path | None, base_sha: str, path_input: str | None
) -> BaseConfig:
    rel, outside = repo_relative(path_input, workspace)
    if outside is not None:
        config, _ = load_config(outside)
        return BaseConfig(config, str(outside), f"{outside} (outside the repository)")
    assert rel is not None
    git = open_workspace(workspace, base_sha)
    text: str | None
    if git is not None:
        is_file = git.run("cat-file", "-t", f"{base_sha}:{rel}", check=False).strip() == b"blob"
        text = git.run("show", f"{base_sha}:{rel}").decode("utf-8", "replace") if is_file else None
    else:
        text = client.file_text(rel, base_sha)
    where = f"{rel} at base {base_sha[:12]}"
    if text is None:
        if path_input:
            raise ConfigError(
                f"{rel}: no such file on the base branch ({base_sha[:12]})",
                "commit the config to the base branch first, or drop the 'config' input",
            )
        return BaseConfig(Config(), rel, f"defaults (no {rel} on the base branch)")
    return BaseConfig(load_config_text(text, where), rel, where)
