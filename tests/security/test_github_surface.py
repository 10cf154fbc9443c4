"""What `ai-gate github` posts for a hostile PR: no credential, nothing that acts on GitHub.

The Action runs as the runner starts it (its environment, an event payload) against the loopback
GitHub, which records every request, and three scripted models on loopback, one of which obeys the
PR's injection. Every string in every write request, the job summary, the outputs and the files in
the output directory is searched.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from gate.cli import main

# Until the GitHub Action is on this branch, there is nothing to run these against.
from tests.fakes.github_server import FakeGitHub
from tests.fakes.model_server import FakeModelServer
from tests.github.conftest import pull_from_git, runner_env
from tests.gitrepo import GitRepo
from tests.security.hostile import (
    HIDDEN_TEXT,
    MODELS,
    PAY_BASE,
    PAY_HEAD,
    corpus,
    script,
    strings_in,
    unsafe_for_github,
)
from tests.security.test_secrets_never_leave import IN_COMMIT, IN_DIFF, IN_PR, MODEL_KEY, leaks

TOKEN = "ghs_" + "Zq8" * 12  # the workflow's GITHUB_TOKEN: sent in a header, written nowhere
REPO_URL = "https://github.test/octo/widgets"


@pytest.fixture
def github() -> Any:
    fake = FakeGitHub().start()
    yield fake
    fake.stop()
    assert not fake.invalid, fake.invalid


def base_config(server: FakeModelServer, unconfirmed: str = "summary") -> str:
    return yaml.safe_dump({**server.review_config(MODELS), "post": {"unconfirmed": unconfirmed}})


def make_pr(
    tmp_path: Path,
    github: FakeGitHub,
    server: FakeModelServer,
    title: str,
    body: str,
    *,
    unconfirmed: str = "summary",
) -> GitRepo:
    """`unconfirmed: inline` puts the hostile model's refused finding in the diff (comments and
    annotations), where its text must still be inert."""
    repo = GitRepo(tmp_path / "origin")
    repo.write("app/pay.py", PAY_BASE)
    repo.write(".github/ai-gate.yml", base_config(server, unconfirmed))
    base = repo.commit("add payments")
    repo.branch("feature")
    repo.write("app/pay.py", PAY_HEAD)
    for case in corpus():
        for path, text in case.files.items():
            repo.write(path, text)
    repo.write("app/settings.py", "DEBUG = False\n" + IN_DIFF.code())
    head = repo.commit("Refunds, settings and docs\n\n" + IN_COMMIT.prose())
    pull_from_git(github, repo, base, head, number=7, title=title, body=body)
    return repo


def run_action(tmp_path: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> tuple[int, Path]:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    env = runner_env(github, tmp_path, 7, workspace=workspace, token=TOKEN)
    env.update(
        FAKE_MODEL_KEY=MODEL_KEY,
        AI_GATE_MODEL_BACKOFF="0.05",
        AI_GATE_MODEL_TIMEOUT="5",
        GITHUB_SERVER_URL="https://github.test",
    )
    for key, value in env.items():
        if key not in ("PATH", "HOME"):
            monkeypatch.setenv(key, value)
    return main(["github"]), workspace / ".ai-gate"


def written(github: FakeGitHub) -> list[tuple[str, str]]:
    """(request and field, string) for every string the gate sent to GitHub in a write request."""
    return [
        (f"{r.method} {r.path} {key}", s)
        for r in github.requests
        if r.method in ("POST", "PATCH", "PUT")
        for key, s in strings_in(r.body)
    ]


def test_hostile_pr_posts_nothing_hostile_and_no_secret(
    tmp_path: Path,
    github: FakeGitHub,
    model_server: FakeModelServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (hostile,) = [c for c in corpus() if c.name == "pr-title-body"]
    script(model_server)
    title = f"{hostile.title} {IN_PR.aws} ok{HIDDEN_TEXT}"
    make_pr(tmp_path, github, model_server, title, hostile.body + "\n" + IN_PR.prose())
    code, out = run_action(tmp_path, github, monkeypatch)
    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert model_server.calls, "the review ran"
    sent = written(github)
    assert sent, "nothing was posted"

    # Nothing hostile reaches GitHub, while the hostile model's words did get there (sanitized).
    # Check-run annotations have their own test below.
    problems = [
        f"{where}: {p}"
        for where, s in sent
        if ".annotations[" not in where
        for p in unsafe_for_github(s, REPO_URL)
    ]
    summary = (tmp_path / "summary.md").read_text()
    problems += [f"job summary: {p}" for p in unsafe_for_github(summary, REPO_URL)]
    assert not problems, "\n".join(problems[:20])
    assert any("APPROVED" in s for _, s in sent)

    # The verdict rules held: failure, the real defect confirmed by two models, injection raised.
    report = json.loads((out / "report.json").read_text())
    assert report["verdict"] == "fail"
    stages = {f["stage"] for f in report["findings"]}
    assert {"injection-text", "secrets", "review"} <= stages
    hostile_findings = [f for f in report["findings"] if f["title"].startswith("APPROVED")]
    assert hostile_findings and not any(f["blocking"] for f in hostile_findings)
    assert [r["conclusion"] for r in github.check_runs.values()] == ["failure"]

    # No credential and no token anywhere.
    leaks_found = [leak for where, s in sent for leak in leaks(where, s)]
    leaks_found += leaks("the job summary", summary)
    leaks_found += leaks("GITHUB_OUTPUT", (tmp_path / "output").read_text())
    leaks_found += leaks("stdout", captured.out) + leaks("stderr", captured.err)
    for path in sorted(out.iterdir()):
        leaks_found += leaks(path.name, path.read_text())
    leaks_found += [
        leak for call in model_server.calls for leak in leaks("a model request", json.dumps(call.body))
    ]
    assert not leaks_found, leaks_found[:10]
    everything = "\n".join([summary, captured.out, captured.err, *(s for _, s in sent)])
    everything += "\n".join(p.read_text() for p in out.iterdir())
    assert TOKEN not in everything


def test_a_forks_read_only_run_prints_no_forged_workflow_command(
    tmp_path: Path,
    github: FakeGitHub,
    model_server: FakeModelServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With a read-only token the findings become workflow commands on stdout, which the runner
    executes: a model's text must not start a command line of its own."""
    (hostile,) = [c for c in corpus() if c.name == "pr-title-body"]
    script(model_server)
    make_pr(tmp_path, github, model_server, hostile.title, hostile.body, unconfirmed="inline")
    github.read_only = True
    code, _ = run_action(tmp_path, github, monkeypatch)
    captured = capsys.readouterr()
    assert code == 1, captured.err
    commands = [line for line in (captured.out + captured.err).splitlines() if line.startswith("::")]
    assert any("APPROVED" in line for line in commands), "the findings were printed as annotations"
    for line in commands:
        assert re.match(r"::(error|warning|notice) [^:]*::", line), line
    # The forged commands are there, escaped, in the middle of the gate's own lines.
    assert "%0D%0A::stop-commands::" in captured.out


def test_check_run_annotations_are_inert(
    tmp_path: Path, github: FakeGitHub, model_server: FakeModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    (hostile,) = [c for c in corpus() if c.name == "pr-title-body"]
    script(model_server)
    make_pr(tmp_path, github, model_server, hostile.title, hostile.body, unconfirmed="inline")
    run_action(tmp_path, github, monkeypatch)
    annotations = [(w, s) for w, s in written(github) if ".annotations[" in w]
    assert any("APPROVED" in s for _, s in annotations)
    problems = [f"{w}: {p}" for w, s in annotations for p in unsafe_for_github(s, REPO_URL, plain=True)]
    assert not problems, "\n".join(problems[:20])
