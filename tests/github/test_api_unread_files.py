"""Without a checkout, files are read through the contents API: a request that fails is a file not read,
not a file that is absent (a 404 is that). phantom-symbols would otherwise take a module a changed file
imports for one the repository does not have."""

from __future__ import annotations

from pathlib import Path

from gate.analyzers import PhantomSymbolsAnalyzer
from gate.analyzers.skipped import skipped_files
from gate.analyzers.source import ChangeView
from gate.config.models import Config
from gate.context.model import API_COULD_NOT_READ, ChangeSet
from gate.github.client import GitHubClient
from gate.github.event import PullRequestEvent, read_event
from gate.github.pull import load_pull_changeset
from gate.pipeline import run
from gate.run import RunContext
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


def _pull(tmp_path: Path, github: FakeGitHub, util: bytes) -> GitHubClient:
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/util.py", util)
    repo.write("app/m.py", "from app import util\n")
    base = repo.commit("base")
    repo.write("app/m.py", "from app import util\n\n\ndef sub(a):\n    return util.helper(a)\n")
    head = repo.commit("sub")
    pull_from_git(github, repo, base, head, number=3)
    return GitHubClient(github.url, "t", github.repo, sleep=lambda _: None)


def _load(client: GitHubClient, github: FakeGitHub) -> ChangeSet:
    event = read_event("pull_request", github.payload(3))
    assert isinstance(event, PullRequestEvent)
    return load_pull_changeset(client, event, None, ())


def test_a_file_that_is_not_utf8_is_read_as_git_mode_reads_it(tmp_path: Path, github: FakeGitHub) -> None:
    # A cp1252 module is a file with text in it, not an absent one: git mode decodes it with replacement
    # characters, and so does the API mode, so the whole-file analyzers read the same names.
    client = _pull(tmp_path, github, "# café\ndef other():\n    return 1\n".encode("cp1252"))
    cs = _load(client, github)
    assert cs.revisions is not None
    assert cs.revisions.read("head", "app/util.py") == "# caf\ufffd\ndef other():\n    return 1\n"
    assert cs.revisions.why_unread("head", "app/util.py") is None


def test_a_listing_the_api_failed_to_give_is_unread_not_an_empty_tree(
    tmp_path: Path, github: FakeGitHub
) -> None:
    client = _pull(tmp_path, github, b"def other():\n    return 1\n")
    cs = _load(client, github)
    github.fail("GET", r"/git/trees/", 500, times=100)
    assert cs.revisions is not None
    assert cs.revisions.list_files("head") == ()
    assert cs.revisions.why_unlisted("head") == API_COULD_NOT_READ
    # A stage that lists the tree says it did not read it, and the verdict is no pass.
    view = ChangeView(cs)
    assert view.head_paths() == ()
    assert [s.why for s in skipped_files(view)] == [API_COULD_NOT_READ]
    outcome = run(RunContext(changeset=cs, config=Config(), offline=True), [PhantomSymbolsAnalyzer()])
    assert outcome.verdict == "neutral"
