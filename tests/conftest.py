"""Shared fixtures: real git repositories and the environment every test runs in."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gitrepo import GitRepo

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


@pytest.fixture(autouse=True)
def _remembered_values_stay_in_their_test() -> Iterator[None]:
    """The run's memory of secrets lasts the process, as a run is one process: what one test's change
    made it remember is forgotten after that test, so that a later test in the same worker does not see
    its own code hidden (a folder `payments/` once a test has remembered `DB_PASSWORD=payments`)."""
    from gate.redact import memory

    before = memory.known()
    yield
    if memory.known() != before:
        with memory._lock:
            memory._values.intersection_update(before)
            memory._pattern = None
            memory._generation += 1


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "repo")


@pytest.fixture
def git_without_batch_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A `git` first on PATH that, like git before 2.36, has no `cat-file --batch-command`."""
    real = shutil.which("git")
    assert real is not None
    bin_dir = tmp_path / "old-git"
    bin_dir.mkdir()
    wrapper = bin_dir / "git"
    wrapper.write_text(
        "#!/bin/sh\n"
        'for arg in "$@"; do\n'
        '  if [ "$arg" = "--batch-command" ]; then echo "error: unknown option" >&2; exit 129; fi\n'
        "done\n"
        f'exec {real} "$@"\n'
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
