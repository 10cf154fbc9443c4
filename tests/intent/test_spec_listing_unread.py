"""The `spec` stage with no intent source but spec documents it could not list: a gap in what it checked,
not "nothing states an intent". Read as an empty tree, the failed listing let the stage pass as checked
with nothing to check."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.analyzers.source import HEAD_LISTING
from gate.app import run_gate
from gate.context.model import API_COULD_NOT_READ
from gate.github.client import GitHubClient
from gate.github.event import PullRequestEvent, read_event
from gate.github.issues import read_linked_issues
from gate.github.pull import load_pull_changeset
from gate.report import coverage
from gate.schema.coverage import SkippedFile
from tests.fakes.github_server import FakeGitHub
from tests.fakes.model_server import FakeModelServer
from tests.intent import scenario as sc


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.05")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "2")
    monkeypatch.delenv("AI_GATE_CACHE_DIR", raising=False)


def test_specs_not_listed_are_a_gap_not_nothing_to_check(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    sc.make_pr(tmp_path / "repo", github, pr_body="")
    github.pulls[7].title = " "
    github.fail("GET", r"/git/trees/", 500, times=100)
    # Without a checkout: the files at head are listed through the trees API.
    client = GitHubClient(github.url, "ghs_test", github.repo, sleep=lambda _: None)
    event = read_event("pull_request", github.payload(7, "opened"))
    assert isinstance(event, PullRequestEvent)
    config = sc.config_for(model_server)
    cs = load_pull_changeset(client, event, None, config.paths.ignore)
    outcome = run_gate(cs, config, linked_issues=lambda: read_linked_issues(client, 7, "", []))
    stage = sc.spec_stage(outcome)
    assert stage.details["notes"][0].startswith("no intent sources")
    assert stage.skipped_files == (SkippedFile(path=HEAD_LISTING, why=API_COULD_NOT_READ),)
    notes = stage.details["notes"]
    assert any(f"not read ({API_COULD_NOT_READ})" in note for note in notes), notes
    gaps = [g for g in coverage.of(outcome).gaps if g.path == HEAD_LISTING]
    assert [g.reason for g in gaps] == [f"not analysed: {API_COULD_NOT_READ}"]
    assert outcome.verdict != "pass"
