"""A symbolic link named as source, read through the API: GitHub's diff carries the link's mode and
target, the tree the files at head, so a link to a text file is source not read and a link to another
`.py` of the pull request is read there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git
from tests.github.test_unshown_files import changeset_of
from tests.gitrepo import GitRepo


@pytest.mark.parametrize(("target", "unread"), [("../data/impl.txt", True), ("impl.py", False)])
def test_a_source_named_link_is_read_only_when_it_leads_to_source(
    tmp_path: Path, github: FakeGitHub, target: str, unread: bool
) -> None:
    repo = GitRepo(tmp_path / "origin")
    repo.write("app/__init__.py", "")
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("data/impl.txt", "import reqeusts_turbo_hallucinated\n")
    repo.write("app/impl.py", "import requests\n")
    os.symlink(target, repo.root / "app/net.py")
    head = repo.commit("Add the network module")
    pull_from_git(github, repo, base, head, number=7)

    cs = changeset_of(github)

    assert cs.diff.by_path["app/net.py"].new_mode == "120000"
    expected = "1 file named as source code but a symbolic link to a file not read as code (app/net.py)"
    assert cs.unread == ((expected,) if unread else ())
