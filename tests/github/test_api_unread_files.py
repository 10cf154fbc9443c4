"""Without a checkout, files are read through the contents API: a request that fails is a file not read,
not a file that is absent (a 404 is that). phantom-symbols would otherwise take a module a changed file
imports for one the repository does not have."""

from __future__ import annotations

from pathlib import Path

from gate.context.model import API_COULD_NOT_READ
from gate.github.client import GitHubClient
from gate.github.event import PullRequestEvent, read_event
from gate.github.pull import load_pull_changeset
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git
from tests.gitrepo import GitRepo


def test_a_file_the_api_failed_to_give_is_unread_not_absent(tmp_path: Path, github: FakeGitHub) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/util.py", "def other():\n    return 1\n")
    repo.write("app/m.py", "from app import util\n")
    base = repo.commit("base")
    repo.write("app/m.py", "from app import util\n\n\ndef sub(a):\n    return util.helper(a)\n")
    head = repo.commit("sub")
    pull_from_git(github, repo, base, head, number=3)
    event = read_event("pull_request", github.payload(3))
    assert isinstance(event, PullRequestEvent)
    github.fail("GET", r"/contents/app/util\.py", 500, times=100)
    client = GitHubClient(github.url, "t", github.repo, sleep=lambda _: None)
    cs = load_pull_changeset(client, event, None, ())
    assert cs.revisions is not None
    assert cs.revisions.read("head", "app/util.py") is None
    assert cs.revisions.why_unread("head", "app/util.py") == API_COULD_NOT_READ
    assert cs.revisions.read("head", "app/nothing.py") is None  # a 404: absent, and said so
    assert cs.revisions.why_unread("head", "app/nothing.py") is None
