"""A spec document the revisions hold but did not give, and a list of files at head not given, are gaps in
what the spec stages checked, not specs that are absent: `spec-drift` names each as a file not read, with
why, so the coverage lists it and no verdict over the rest is a pass. Read as absent, a spec past the size
limit or a tree the API failed to list ended as "no spec declares the code it governs" or "no file
matches the configured specs globs", and the stage passed as if there were nothing to keep in step.
"""

from __future__ import annotations

from pathlib import Path

from gate.analyzers.source import HEAD_LISTING
from gate.app import run_gate
from gate.config.models import Config
from gate.context.local_git import load_git_changeset
from gate.context.model import API_COULD_NOT_READ, TOO_LARGE
from gate.context.revisions import MAX_FILE_BYTES
from gate.github.client import GitHubClient
from gate.github.event import PullRequestEvent, read_event
from gate.github.pull import load_pull_changeset
from gate.pipeline import run
from gate.report.coverage import of as coverage_of
from gate.run import Outcome, RunContext, StageResult
from gate.schema.coverage import SkippedFile
from gate.specs import read_specs
from gate.specs.drift import SpecDriftAnalyzer
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import github, pull_from_git
from tests.gitrepo import GitRepo

__all__ = ["github"]  # the loopback GitHub server, as a fixture of these tests

CLAUDE = "\n\nCo-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>"
SPEC = '---\ngoverns: ["src/payments/**"]\n---\n# Payments\n\n1. Amounts are Decimal, never float.\n'
# Past the size limit of a file read: git's reader gives none of it.
LARGE_SPEC = SPEC + f"{'x' * 99}\n" * (MAX_FILE_BYTES // 100 + 10)
CONFIG = Config(specs=("docs/specs/*.md",))
REFUND = "from decimal import Decimal\n\n\ndef refund(a):\n    return Decimal(a)\n"
REFUND_AI = (
    REFUND + "\n\ndef partial_refund(a, share):\n    value = float(a) * share\n    return round(value, 2)\n"
)


def _drift(outcome: Outcome) -> StageResult:
    return next(s for s in outcome.stages if s.stage == "spec-drift")


def _gaps(outcome: Outcome, path: str) -> list[str]:
    return [g.reason for g in coverage_of(outcome).gaps if g.path == path]


def test_a_spec_at_head_too_large_to_read_is_a_gap_not_no_spec(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("docs/specs/payments.md", LARGE_SPEC)
    repo.write("src/payments/refund.py", REFUND)
    repo.commit("base")
    repo.branch("feature")
    repo.write("src/payments/refund.py", REFUND_AI)
    repo.commit("Add partial refunds" + CLAUDE)
    outcome = run_gate(load_git_changeset(repo.root, "main", "feature"), CONFIG, offline=True)
    result = _drift(outcome)
    assert result.skipped_files == (SkippedFile(path="docs/specs/payments.md", why=TOO_LARGE),)
    assert (
        result.details["notes"][0]
        == f"docs/specs/payments.md was not read ({TOO_LARGE}): what it governs is unknown"
    )
    assert _gaps(outcome, "docs/specs/payments.md") == [f"not analysed: {TOO_LARGE}"]
    assert "docs/specs/payments.md" in " ".join(outcome.reasons)


def test_a_deleted_spec_too_large_to_read_at_base_is_named_not_read(tmp_path: Path) -> None:
    """Still deleted, and said so; but what its own front matter governed is unknown."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("docs/specs/payments.md", LARGE_SPEC)
    repo.write("src/payments/refund.py", REFUND)
    repo.commit("base")
    repo.branch("feature")
    repo.remove("docs/specs/payments.md")
    repo.write("src/payments/refund.py", REFUND_AI)
    repo.commit("Add partial refunds, drop the spec" + CLAUDE)
    outcome = run_gate(load_git_changeset(repo.root, "main", "feature"), CONFIG, offline=True)
    result = _drift(outcome)
    assert [f.rule for f in result.findings] == ["spec-removed"]
    assert result.skipped_files == (SkippedFile(path="docs/specs/payments.md", why=TOO_LARGE),)


def test_a_tree_the_api_failed_to_list_is_no_spec_set_and_no_pass(tmp_path: Path, github: FakeGitHub) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("docs/specs/payments.md", SPEC)
    repo.write("src/payments/refund.py", REFUND)
    base = repo.commit("base")
    repo.write("src/payments/refund.py", REFUND + "\n\ndef void():\n    return None\n")
    head = repo.commit("Add void by hand")
    pull_from_git(github, repo, base, head, number=3)
    event = read_event("pull_request", github.payload(3))
    assert isinstance(event, PullRequestEvent)
    client = GitHubClient(github.url, "t", github.repo, sleep=lambda _: None)
    cs = load_pull_changeset(client, event, None, ())
    github.fail("GET", r"/git/trees/", 500, times=100)
    outcome = run(RunContext(changeset=cs, config=CONFIG, offline=True), [SpecDriftAnalyzer()])
    assert outcome.verdict == "neutral", outcome.reasons
    assert _drift(outcome).skipped_files == (SkippedFile(path=HEAD_LISTING, why=API_COULD_NOT_READ),)
    assert _gaps(outcome, HEAD_LISTING) == [f"not analysed: {API_COULD_NOT_READ}"]
    assert read_specs(cs, CONFIG).notes == (
        f"spec documents not found: the list of files at head was not read ({API_COULD_NOT_READ})",
    )
