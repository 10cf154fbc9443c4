"""Changes to analyse, made as real commits in a temp git repo and loaded the way the CLI loads them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from gate.config.models import Config
from gate.context.local_git import load_git_changeset
from gate.context.model import ChangeSet, PullRequestInfo
from gate.context.patch import load_patch_changeset
from gate.run import RunContext
from tests.gitrepo import GitRepo

Files = dict[str, str | bytes | None]


def _apply(repo: GitRepo, files: Files) -> None:
    for path, content in files.items():
        if content is None:
            repo.remove(path)
        else:
            repo.write(path, content)


def change(
    tmp_path: Path,
    before: Files,
    after: Files,
    *,
    pr: PullRequestInfo | None = None,
    patch_only: bool = False,
) -> ChangeSet:
    """A repo with `before` committed on main, then `after` committed on a branch: the change between.

    `patch_only` loads the same change from `git format-patch` output (no revisions), as `--diff` does.
    """
    repo = GitRepo(tmp_path / "repo")
    _apply(repo, before or {"README.md": "project\n"})
    base = repo.commit("base")
    repo.branch("work")
    _apply(repo, after)
    repo.commit("change")
    if patch_only:
        changeset = load_patch_changeset(repo.format_patch(f"{base}..HEAD"), "change.patch")
    else:
        changeset = load_git_changeset(repo.root, base, "HEAD")
    return dataclasses.replace(changeset, pr=pr) if pr is not None else changeset


def context(changeset: ChangeSet, *, config: Config | None = None, offline: bool = False) -> RunContext:
    return RunContext(changeset=changeset, config=config or Config(), offline=offline)


def registry_config(pypi_url: str, npm_url: str, min_age_days: int = 30) -> Config:
    return Config.model_validate(
        {"dependencies": {"registries": {"pypi": pypi_url, "npm": npm_url}, "min_age_days": min_age_days}}
    )
