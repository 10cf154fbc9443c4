"""Repositories made with `git init --object-format=sha256` name objects with 64 hex digits, not 40.

Every place the gate reads an object name from git takes either length: blame, which ties each added
line to its commit (it once took only 40 digits, so every blamed line of such a repository went
untied and the AI share fell to zero), and the `From <id>` lines that open each message of a
`git format-patch` series (a series with 64-digit ids was once read as one plain diff, its commits and
their trailers lost).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.cli import main
from tests.gitrepo import GitRepo

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"


@pytest.fixture
def repo256(tmp_path: Path) -> GitRepo:
    """A SHA-256 repository: an AI commit adds two lines to app.py, a person then adds a third."""
    repo = GitRepo(tmp_path / "repo256", object_format="sha256")
    repo.write("README.md", "# app\n")
    repo.commit("Initial")
    repo.branch("pr")
    repo.write("app.py", "def total(values):\n    return sum(values)\n")
    repo.commit("Add total\n\n" + CLAUDE)
    repo.write("app.py", "def total(values):\n    return sum(values)\n\nLIMIT = 10\n")
    repo.commit("Add a limit")
    assert len(repo.head()) == 64
    return repo


def test_blamed_lines_of_a_sha256_repository_are_tied_to_their_commits(
    repo256: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "check",
            "--repo",
            str(repo256.root),
            "--base",
            "main",
            "--head",
            "pr",
            "--offline",
            "--format",
            "json",
        ]
    )
    report = json.loads(capsys.readouterr().out)

    assert code == 0
    prov = report["provenance"]
    assert (prov["ai_lines"], prov["added_lines"]) == (2, 4)
    assert [(len(c["sha"]), c["tool"], c["ai_lines"]) for c in prov["commits"]] == [
        (64, "claude-code", 2),
        (64, None, 0),
    ]
    assert not [note for note in prov["notes"] if "could not be tied" in note]


def test_a_format_patch_series_of_a_sha256_repository_is_read_as_a_series(
    repo256: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    series = repo256.format_patch("main..pr")
    assert series.startswith(f"From {repo256.git('rev-parse', 'pr~1').strip()} ".encode())
    patch = tmp_path / "series.mbox"
    patch.write_bytes(series)

    code = main(["check", "--diff", str(patch), "--offline", "--format", "json"])
    report = json.loads(capsys.readouterr().out)

    assert code == 0
    assert report["source"]["kind"] == "mbox"
    prov = report["provenance"]
    assert [(c["subject"], c["tool"]) for c in prov["commits"]] == [
        ("Add total", "claude-code"),
        ("Add a limit", None),
    ]
    assert (prov["ai_lines"], prov["added_lines"]) == (2, 4)
