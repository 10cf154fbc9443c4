"""A file git cannot read is not a file that is absent: a blobless partial clone whose remote is gone.

`git clone --filter=blob:none` leaves out every blob the checkout does not need; git fetches one from
the promisor remote when it is first read. With the remote out of reach (no network, no credentials)
git answers "missing" for it, as for a path that is not there. The run must say it did not read the
file, not read it as absent: phantom-symbols would take the module for one the repository does not have
and pass a call to a name it lacks. And `--offline` must not let git reach the remote for it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gate.context.git import Git
from gate.context.model import GIT_COULD_NOT_READ
from gate.context.revisions import GitRevisions
from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[2]


def _git(*args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True, env=env).stdout


def _missing_blobs(clone: Path) -> int:
    listing = _git("-C", str(clone), "rev-list", "--objects", "--all", "--missing=print")
    return sum(1 for line in listing.splitlines() if line.startswith("?"))


@pytest.fixture
def blobless(repo: GitRepo, tmp_path: Path) -> tuple[Path, Path]:
    """A blobless clone of a change that calls `util.helper`, which `app/util.py` does not define; the
    clone holds the blobs of the diff only (`git diff` fetched them), not `app/util.py`'s. Returns the
    clone and its remote."""
    repo.write("app/__init__.py", "")
    repo.write("app/util.py", "def other():\n    return 1\n")
    repo.write("app/m.py", "from app import util\n\n\ndef add(a, b):\n    return util.other() + a + b\n")
    repo.commit("base")
    repo.branch("pr")
    repo.write(
        "app/m.py",
        "from app import util\n\n\ndef add(a, b):\n    return util.other() + a + b\n\n\n"
        "def sub(a, b):\n    return util.helper(a) - b\n",
    )
    repo.commit("sub")
    clone, remote = repo.blobless_clone(tmp_path, "pr")
    assert _missing_blobs(clone) > 0
    return clone, remote


def _gate(clone: Path, *extra: str) -> dict[str, object]:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "gate",
            "check",
            "--repo",
            str(clone),
            "--base",
            "main",
            "--head",
            "pr",
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    report: dict[str, object] = json.loads(proc.stdout)
    return report


def _unread_gap(report: dict[str, object], path: str) -> list[object]:
    coverage = report["coverage"]
    assert isinstance(coverage, dict)
    return [
        g
        for g in coverage["gaps"]
        if g["path"] == path and g["reason"] == f"not analysed: {GIT_COULD_NOT_READ}"
    ]


def test_a_blob_the_clone_lacks_is_unread_not_absent(blobless: tuple[Path, Path], tmp_path: Path) -> None:
    clone, remote = blobless
    remote.rename(tmp_path / "gone.git")  # the promisor remote is out of reach
    git = Git.open(clone)
    revs = GitRevisions(git, git.resolve("main"), git.resolve("pr"))
    assert revs.read("head", "app/util.py") is None
    assert revs.why_unread("head", "app/util.py") == GIT_COULD_NOT_READ
    assert revs.read("head", "app/m.py") is not None  # the diff's own blobs are there
    assert revs.read("head", "app/nothing.py") is None
    assert revs.why_unread("head", "app/nothing.py") is None  # absent is still absent
    revs.close()


@pytest.mark.usefixtures("git_without_batch_command")
def test_a_git_without_batch_command_says_the_same(blobless: tuple[Path, Path], tmp_path: Path) -> None:
    """Read by two git processes a file: the one that fails is not taken for a file that is not there."""
    clone, remote = blobless
    remote.rename(tmp_path / "gone.git")
    git = Git.open(clone)
    revs = GitRevisions(git, git.resolve("main"), git.resolve("pr"))
    assert revs.read("head", "app/util.py") is None
    assert revs.why_unread("head", "app/util.py") == GIT_COULD_NOT_READ
    assert revs.read("head", "app/m.py") is not None
    assert revs.why_unread("head", "app/nothing.py") is None
    revs.close()


def test_the_run_does_not_pass_and_names_the_file(blobless: tuple[Path, Path], tmp_path: Path) -> None:
    clone, remote = blobless
    remote.rename(tmp_path / "gone.git")
    report = _gate(clone, "--format", "json")
    assert report["verdict"] == "neutral", report["reasons"]
    assert "app/util.py" in " ".join(report["reasons"])  # type: ignore[arg-type]
    assert _unread_gap(report, "app/util.py")
    stages = report["stages"]
    assert isinstance(stages, dict)
    assert (
        "app/util.py: skipped (git could not read it)"
        in stages["phantom-symbols"]["details"]["skipped_files"]
    )


def test_offline_git_fetches_no_blob(blobless: tuple[Path, Path]) -> None:
    """The remote is there, but `--offline` means no network: the blob is not fetched, and so not read."""
    clone, _ = blobless
    missing = _missing_blobs(clone)
    report = _gate(clone, "--format", "json", "--offline")
    assert _missing_blobs(clone) == missing
    assert report["verdict"] == "neutral", report["reasons"]
    assert _unread_gap(report, "app/util.py")
    # Not offline, git fetches it from the remote, and the file reads.
    git = Git.open(clone)
    revs = GitRevisions(git, git.resolve("main"), git.resolve("pr"))
    assert revs.read("head", "app/util.py") == "def other():\n    return 1\n"
    assert _missing_blobs(clone) < missing
    revs.close()
