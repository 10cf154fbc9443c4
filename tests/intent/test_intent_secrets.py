"""Secrets in the intent sources: a linked issue's pasted config, and a value where a bound cuts the
PR's description or the sources together. The issue is read as the PR's words are (config syntax, and
learned when it is read), and every source is redacted before it is cut: no model is sent any part of
the value, and nothing the gate posts or writes holds it, a model's restatement of it included."""

from __future__ import annotations

import json
import random
import string
import subprocess
from pathlib import Path

import pytest
import yaml

from gate.intent.sources import CUT, MAX_INTENT_CHARS, MAX_ISSUE_CHARS, MAX_PR_CHARS
from gate.redact import REDACTED
from tests.fakes.github_server import FakeGitHub, FakeIssue
from tests.fakes.model_server import FakeModelServer, Reply
from tests.github.conftest import pull_from_git, runner_env
from tests.github.test_action_e2e import run_gate
from tests.gitrepo import GitRepo
from tests.intent import scenario as sc
from tests.review.scenario import BASE, HEAD

# The shortest piece of a value searched for: shorter runs of random characters turn up by chance.
PIECE = 6


def _value(seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(16))


def pieces_in(value: str, text: str) -> list[str]:
    """The starts of `value`, from `PIECE` characters up, that `text` holds: what a cut leaves of it."""
    return [value[:n] for n in range(PIECE, len(value) + 1) if value[:n] in text]


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.05")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "2")
    monkeypatch.delenv("AI_GATE_CACHE_DIR", raising=False)


def test_a_password_pasted_in_a_linked_issue_reaches_no_model_and_no_post(
    tmp_path: Path, github: FakeGitHub, model_server: FakeModelServer
) -> None:
    password = _value(1)
    issue_body = sc.ISSUE_BODY + (
        "\nRepro with our staging compose file:\n\n```yaml\nservices:\n  db:\n    environment:\n"
        f"      POSTGRES_PASSWORD: {password}\n```\n"
    )
    sc.script(model_server)
    # A model that restates the issue's setup as a requirement, as a real one may.
    restated = {"source": "S1", "statement": f"staging runs with POSTGRES_PASSWORD {password}"}
    model_server.script("fake-a", "spec_extract", Reply.json({"requirements": [*sc.REQUIREMENTS, restated]}))
    config = sc.config_for(model_server).model_dump(mode="json", exclude_defaults=True)
    repo = GitRepo(tmp_path / "origin")
    repo.write("shop/pay.py", BASE)
    repo.write(sc.SPEC_PATH, sc.SPEC)
    repo.write(".github/ai-gate.yml", yaml.safe_dump(config))
    base = repo.commit("add payments, their spec and the gate's config")
    repo.branch("feature")
    repo.write("shop/pay.py", HEAD)
    head = repo.commit("add refunds and discounts")
    pull_from_git(github, repo, base, head, number=7, title="Add refunds", body="Adds refunds. Closes #12")
    github.issues[12] = FakeIssue(12, sc.ISSUE_TITLE, issue_body)
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(workspace)], check=True)
    env = runner_env(github, tmp_path, 7, workspace=workspace)
    env["FAKE_MODEL_KEY"] = "sk-test"

    proc = run_gate(env, workspace)

    assert proc.returncode == 1, proc.stderr[-2000:]
    extract = next(c for c in model_server.calls if c.schema == "spec_extract")
    sent = extract.body["messages"][-1]["content"]
    assert "Customers ask for refunds" in sent and f"POSTGRES_PASSWORD: {REDACTED}" in sent
    outputs = {
        "model requests": "\n".join(json.dumps(c.body) for c in model_server.calls),
        "GitHub writes": "\n".join(
            json.dumps(r.body) for r in github.requests if r.method in ("POST", "PATCH", "PUT")
        ),
        "job summary": (tmp_path / "summary.md").read_text(),
        "stdout/stderr": proc.stdout + proc.stderr,
        **{p.name: p.read_text() for p in sorted((workspace / ".ai-gate").iterdir()) if p.is_file()},
    }
    assert "staging runs with POSTGRES_PASSWORD" in outputs["report.json"]  # the restatement is reported
    shown = {door: pieces_in(password, text)[-1:] for door, text in outputs.items()}
    assert not any(shown.values()), shown


def test_a_password_where_the_description_is_cut_reaches_no_model_in_part(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    password = _value(2)
    # The description's 6,000-character bound falls on the password's last character.
    head = "Title: Add refunds\n\n"
    lead = "Adds refunds.\n\nFixes #12\n\nStaging settings used for the manual test:\n"
    line = f"password: {password}"
    pad = MAX_PR_CHARS - len(head) - len(lead) - len(line) + 1
    body = lead + "x" * (pad - 1) + "\n" + line + "\n\nThanks!"
    assert (head + body)[:MAX_PR_CHARS].endswith(line[:-1])
    sc.script(model_server)
    repo = sc.make_pr(tmp_path / "repo", github, pr_body=body)

    outcome = sc.gate(github, repo, sc.config_for(model_server))

    assert "pull request description cut to 6,000 characters" in sc.spec_stage(outcome).details["notes"]
    extract = next(c for c in model_server.calls if c.schema == "spec_extract")
    sent = extract.body["messages"][-1]["content"]
    assert f"password: {REDACTED}" in sent and "Thanks!" not in sent
    sent_all = "\n".join(json.dumps(c.body) for c in model_server.calls)
    assert not pieces_in(password, sent_all)


def test_a_password_where_the_sources_limit_cuts_reaches_no_model_in_part(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    password = _value(3)
    issues = range(12, 20)  # seven issues cut to their bound, then the one the sources' limit cuts
    filler = "Customers ask for refunds; this line repeats the request.\n" * 120
    first = [f"Title: Issue {n}\n\n{filler}"[:MAX_ISSUE_CHARS] + CUT for n in issues[:-1]]
    left = MAX_INTENT_CHARS - sum(len(text) for text in first)
    # The last issue's text is within its own bound; the sources' limit falls inside the password.
    title = f"Issue {issues[-1]}"
    before = f"Title: {title}\n\nStaging settings:\n"
    line = f"password: {password}"
    last = "z" * (left - len(before) - len(line) + 3 - 1) + "\n" + line + "\n\nThanks!"
    assert len(f"Title: {title}\n\n{last}") <= MAX_ISSUE_CHARS
    sc.script(model_server)
    repo = sc.make_pr(
        tmp_path / "repo", github, pr_body="Adds refunds. " + ", ".join(f"fixes #{n}" for n in issues)
    )
    for n in issues[:-1]:
        github.issues[n] = FakeIssue(n, f"Issue {n}", filler)
    github.issues[issues[-1]] = FakeIssue(issues[-1], title, "Staging settings:\n" + last)

    outcome = sc.gate(github, repo, sc.config_for(model_server))

    notes = sc.spec_stage(outcome).details["notes"]
    assert any(n.startswith(f"issue #{issues[-1]} cut to") for n in notes), notes
    extract = next(c for c in model_server.calls if c.schema == "spec_extract")
    sent = extract.body["messages"][-1]["content"]
    assert sent.count("[REDAC") == sent.count(REDACTED)
    assert not pieces_in(password, "\n".join(json.dumps(c.body) for c in model_server.calls))
