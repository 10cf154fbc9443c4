"""A value the run remembers from one file cannot pass another file's added line off as checked against
the intent: a governed line an added `.env` line hides in part is a gap on that line and a note, as a
file the run could not read is. A real git PR on the loopback GitHub, the real litellm over HTTP to
three scripted models."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.redact.hidden import HIDDEN
from gate.report import coverage
from tests.fakes.github_server import FakeGitHub, FakeIssue
from tests.fakes.model_server import FakeModelServer
from tests.github.conftest import pull_from_git
from tests.gitrepo import GitRepo
from tests.intent import scenario as sc

# Lines of code of each test's own: a value the run remembers stays remembered for the rest of the
# process, and hides only the code of the test that adds it.
SETTLE = "    return spec_learned_ledger.post(amount)"
KEPT = "    return spec_kept_ledger.post(amount)"


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.05")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "2")
    monkeypatch.delenv("AI_GATE_CACHE_DIR", raising=False)


def _head(line: str) -> str:
    return sc.HEAD + f"\n\ndef settle(amount):\n{line}\n"


def _pr(root: Path, github: FakeGitHub, line: str, env: str) -> GitRepo:
    repo = GitRepo(root)
    repo.write("shop/pay.py", sc.BASE)
    repo.write(sc.SPEC_PATH, sc.SPEC)
    base = repo.commit("add payments and their spec")
    repo.branch("feature")
    repo.write("shop/pay.py", _head(line))
    repo.write("deploy/.env", env)
    head = repo.commit("add refunds and settling")
    pull_from_git(github, repo, base, head, number=7, title="Add refunds", body=sc.PR_BODY)
    github.issues[12] = FakeIssue(12, sc.ISSUE_TITLE, sc.ISSUE_BODY)
    return repo


def test_a_governed_line_a_value_from_another_file_hides_is_a_gap_not_checked(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    """The change's `.env` assigns the start of a line of its code to a password's name: the value is
    remembered and hidden in that line of the chunk too. The line was not checked against the intent
    as written: a `failure` gap on it and a note."""
    sc.script(model_server)
    repo = _pr(tmp_path / "repo", github, SETTLE, "DB_PASSWORD=spec_learned_ledger.post\n")
    settle_line = _head(SETTLE).splitlines().index(SETTLE) + 1
    outcome = sc.gate(github, repo, sc.config_for(model_server))
    checks = [c.last_user for c in model_server.calls if c.schema == "spec_check"]
    assert checks and all("refund" in text and SETTLE not in text for text in checks)
    gaps = [(g.kind, g.path, g.lines, g.reason) for g in coverage.of(outcome).gaps if g.stage == "spec"]
    assert gaps == [("failure", "shop/pay.py", str(settle_line), HIDDEN)]
    assert not coverage.of(outcome).complete
    notes = sc.spec_stage(outcome).details["notes"]
    assert (
        "not checked: 1 added line(s) shown with text hidden by a value remembered elsewhere in the run "
        f"(shop/pay.py:{settle_line})"
    ) in notes


def test_a_remembered_value_no_governed_line_holds_leaves_no_gap(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    """The same `.env` with a value the code does not hold: the line goes to the models whole."""
    sc.script(model_server)
    repo = _pr(tmp_path / "repo", github, KEPT, "DB_PASSWORD=hunter2-not-in-code\n")
    outcome = sc.gate(github, repo, sc.config_for(model_server))
    checks = [c.last_user for c in model_server.calls if c.schema == "spec_check"]
    assert checks and all(KEPT in text for text in checks)
    assert not [g for g in coverage.of(outcome).gaps if g.stage == "spec"]
    assert not any("hidden by a value" in note for note in sc.spec_stage(outcome).details["notes"])
