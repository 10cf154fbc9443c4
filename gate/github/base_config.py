"""The configuration as the BASE branch has it: a pull request must not be able to weaken its own gate.

Read with the workspace's git (`git show BASE:PATH`) when the checkout has the base commit, else
through the contents API at the base SHA. A config the PR changes is noted in the summary. The `config`
input may name another file, which may only make `.github/ai-gate.yml` stricter (`gate.github.tighten`);
a path into the workspace by any name is read from the base branch, and a file outside the repository
gives only its stricter policy settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gate.config.loader import DEFAULT_PATH, MAX_CONFIG_BYTES, load_config, load_config_bytes
from gate.config.models import Config
from gate.errors import ConfigError
from gate.github.client import GitHubClient
from gate.github.pull import open_workspace
from gate.github.tighten import only_tighten, tighten


@dataclass(frozen=True)
class BaseConfig:
    config: Config
    path: str  # repository-relative path of the config file (or an absolute path outside the repo)
    source: str  # said in the summary: where the config came from
    # what a `config` input's file was held to: the default file's path, and each setting refused
    floor_path: str | None = None
    refused: tuple[str, ...] = ()

    def changed_note(self, changed_paths: set[str]) -> str | None:
        changed = [p for p in (self.path, self.floor_path) if p is not None and p in changed_paths]
        if changed:
            return (
                f"this PR changes {' and '.join(changed)}; the gate used the base branch's version "
                "(a PR cannot change its own gate)"
            )
        return None


def repo_relative(path_input: str | None, workspace: Path | None) -> tuple[str | None, Path | None]:
    """(repository-relative path, absolute path outside the repository) of the `config` input.

    An absolute path is inside the repository when it names a place in the workspace either as written
    (`//`, `.` and `..` folded) or once its symlinks are resolved: `/proc/self/cwd/...`, a doubled slash
    or a link to the workspace all name the PR's own checkout, which is read from the base branch."""
    if not path_input:
        return DEFAULT_PATH, None
    p = Path(path_input)
    if p.is_absolute():
        if workspace is not None:
            for named, root in (
                (Path(os.path.normpath("/" + path_input.lstrip("/"))), Path(os.path.abspath(workspace))),
                (Path(os.path.realpath(p)), Path(os.path.realpath(workspace))),
            ):
                if named.is_relative_to(root):
                    return named.relative_to(root).as_posix(), None
        return None, p
    rel = PurePosixPath(p.as_posix())
    if ".." in rel.parts:
        raise ConfigError(f"input 'config': '{path_input}' leaves the repository")
    return rel.as_posix(), None


def load_gate_config(
    client: GitHubClient,
    workspace: Path | None,
    base_sha: str,
    path_input: str | None,
    *,
    root: Path | None = None,
) -> BaseConfig:
    """The base branch's config; with a `config` input naming another file, that file held to be no
    looser than the base branch's `.github/ai-gate.yml` (or the defaults).

    `workspace` is where git may be read (None: through the API only); `root` is where the repository
    lies all the same, so that an absolute path into it is still read from the base branch, never
    from whatever is on disk there."""
    root = root if root is not None else workspace
    floor = load_base_config(client, workspace, base_sha, None)
    rel, outside = repo_relative(path_input, root)
    if outside is None and rel == DEFAULT_PATH:
        return floor
    chosen = load_base_config(client, workspace, base_sha, rel if outside is None else path_input)
    source = f"input 'config: {path_input}'"
    if outside is None:
        held = tighten(floor.config, chosen.config, source)
        said = f"{chosen.source}, held to be no looser than {floor.source}"
    else:
        # A file outside the repository is not the base branch's: on `pull_request` the PR's own workflow
        # names it and may have written it, so only its settings that make the gate stricter are taken.
        held = only_tighten(floor.config, chosen.config, source)
        said = f"{floor.source}, made stricter by {chosen.source} (its other settings are not used)"
    return BaseConfig(held.config, chosen.path, said, floor_path=floor.path, refused=held.notes)


def load_base_config(
    client: GitHubClient, workspace: Path | None, base_sha: str, path_input: str | None
) -> BaseConfig:
    rel, outside = repo_relative(path_input, workspace)
    if outside is not None:
        config, _ = load_config(outside)
        return BaseConfig(config, str(outside), f"{outside} (outside the repository)")
    assert rel is not None
    git = open_workspace(workspace, base_sha)
    where = f"{rel} at base {base_sha[:12]}"
    data: bytes | None
    if git is not None:
        is_file = git.run("cat-file", "-t", f"{base_sha}:{rel}", check=False).strip() == b"blob"
        data = git.run("show", f"{base_sha}:{rel}") if is_file else None
    else:
        data = _api_bytes(client, rel, base_sha, where)
    if data is None:
        if path_input:
            raise ConfigError(
                f"{rel}: no such file on the base branch ({base_sha[:12]})",
                "commit the config to the base branch first, or drop the 'config' input",
            )
        return BaseConfig(Config(), rel, f"defaults (no {rel} on the base branch)")
    # The bytes as they are, under the CLI's limits: a file that is not UTF-8 or is too large is a config
    # error in either mode, never "no file" (which would run the gate on the defaults).
    return BaseConfig(load_config_bytes(data, where), rel, where)


def _api_bytes(client: GitHubClient, rel: str, base_sha: str, where: str) -> bytes | None:
    """The file's bytes through the contents API; None only when there is no file at that path."""
    found = client.file(rel, base_sha)
    if found is None:
        return None
    if found.data is not None:
        return found.data
    if found.size > MAX_CONFIG_BYTES:
        raise ConfigError(f"{where}: larger than {MAX_CONFIG_BYTES} bytes")
    return client.blob(found.sha)
