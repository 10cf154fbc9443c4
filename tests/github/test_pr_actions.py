"""Which pull request events the Action gates: every event after which the verdict on the head can differ.

A check run and a commit status sit on the head commit, and branch protection reads them whatever base
the PR targets and whatever labels it carries. So an event that changes what the gate reads without a new
commit (the base branch, and with it the config; a label that marks the PR as AI) gates the head again;
an event that changes nothing the gate reads (a title edit, any other label) ends neutral and posts
nothing, leaving the last verdict in place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git, runner_env
from tests.github.test_action_e2e import run_gate
from tests.gitrepo import GitRepo

# A zero-width space inside a string: a medium finding, blocking under `fail_on: medium` only.
MEDIUM_FINDING = 'ADMIN = "ad\u200bmin"\n'


def report(workspace: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((workspace / ".ai-gate" / "report.json").read_text())
    return data


def conclusions(github: FakeGitHub) -> list[str]:
    return [r["conclusion"] for r in github.check_runs.values()]


def retargeted_pr(tmp_path: Path, github: FakeGitHub) -> tuple[GitRepo, str, str, str]:
    """A PR on `old` (no config: the defaults, fail_on high) with a medium finding; `main` has
    fail_on medium. Registered with the fake as opened against `old`."""
    repo = GitRepo(tmp_path / "origin")
    repo.write("src/app.py", "def total(items):\n    return sum(items)\n")
    old = repo.commit("Initial")
    repo.write(".github/ai-gate.yml", "version: 1\ngate:\n  fail_on: medium\n")
    main = repo.commit("Tighten the gate")
    repo.git("checkout", "-q", "-b", "feature", old)
    repo.write("src/admin.py", MEDIUM_FINDING)
    head = repo.commit("Add admin")
    pull_from_git(github, repo, old, head, number=7)
    return repo, old, main, head


def test_a_pr_retargeted_to_a_stricter_base_is_gated_again(tmp_path: Path, github: FakeGitHub) -> None:
    repo, old, main, head = retargeted_pr(tmp_path, github)
    ws = tmp_path / "ws"
    ws.mkdir()
    opened = run_gate(runner_env(github, tmp_path, 7, workspace=ws, payload=github.payload(7, "opened")), ws)
    assert opened.returncode == 0, opened.stderr
    assert conclusions(github) == ["success"]

    # The author switches the base to main: GitHub sends `edited` with `changes.base`, same head.
    pull_from_git(github, repo, main, head, number=7)
    payload = github.payload(7, "edited")
    payload["changes"] = {"base": {"ref": {"from": "old"}, "sha": {"from": old}}}
    proc = run_gate(runner_env(github, tmp_path, 7, workspace=ws, payload=payload), ws)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    runs = list(github.check_runs.values())
    assert [(r["head_sha"], r["conclusion"]) for r in runs] == [(head, "success"), (head, "failure")]
    assert github.statuses[-1]["state"] == "failure" and github.statuses[-1]["sha"] == head
    assert report(ws)["github"]["base_sha"] == main


def test_an_edit_that_keeps_the_base_gates_nothing(tmp_path: Path, github: FakeGitHub) -> None:
    retargeted_pr(tmp_path, github)
    ws = tmp_path / "ws"
    ws.mkdir()
    payload = github.payload(7, "edited")
    payload["changes"] = {"title": {"from": "Add a feture"}}
    proc = run_gate(runner_env(github, tmp_path, 7, workspace=ws, payload=payload), ws)
    assert proc.returncode == 0, proc.stderr
    assert "neutral: pull request action 'edited' does not change the base branch" in proc.stdout
    assert not github.check_runs and not github.statuses and not github.issue_comments[7]


def labelled_pr(tmp_path: Path, github: FakeGitHub, config: str) -> tuple[GitRepo, str, str]:
    repo = GitRepo(tmp_path / "origin")
    repo.write("src/app.py", "def total(items):\n    return sum(items)\n")
    repo.write(".github/ai-gate.yml", config)
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("src/util.py", "def clamp(x, lo, hi):\n    return max(lo, min(x, hi))\n")
    head = repo.commit("Add clamp")
    pull_from_git(github, repo, base, head, number=7)
    return repo, base, head


def label_event(github: FakeGitHub, action: str, label: str) -> dict[str, Any]:
    payload = github.payload(7, action)
    payload["label"] = {"name": label, "color": "ededed"}
    return payload


# No model is reachable here: a PR the label marks AI needs the review, which cannot run, and
# `on_model_error: fail` makes that a failure; without the label the share is 0 and no review is due.
STRICT_ON_MODELS = "version: 1\ngate:\n  on_model_error: fail\n"


def test_an_ai_label_added_later_gates_the_head_again(tmp_path: Path, github: FakeGitHub) -> None:
    repo, base, head = labelled_pr(tmp_path, github, STRICT_ON_MODELS)
    ws = tmp_path / "ws"
    ws.mkdir()
    opened = run_gate(runner_env(github, tmp_path, 7, workspace=ws, payload=github.payload(7, "opened")), ws)
    assert opened.returncode == 0, opened.stderr
    assert conclusions(github) == ["success"]

    # A maintainer marks the PR AI-authored; the payload's PR carries the label.
    pull_from_git(github, repo, base, head, number=7, labels=("AI-Generated",))
    payload = label_event(github, "labeled", "AI-Generated")
    proc = run_gate(runner_env(github, tmp_path, 7, workspace=ws, payload=payload), ws)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert conclusions(github) == ["success", "failure"]
    assert report(ws)["provenance"]["ai_share"] == 1.0

    # Taking the label off gates the head again too: the verdict follows the PR as it now is.
    pull_from_git(github, repo, base, head, number=7)
    payload = label_event(github, "unlabeled", "ai-generated")
    proc = run_gate(runner_env(github, tmp_path, 7, workspace=ws, payload=payload), ws)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert conclusions(github) == ["success", "failure", "success"]


def test_a_label_from_the_base_configs_ai_labels_gates_the_head(tmp_path: Path, github: FakeGitHub) -> None:
    config = STRICT_ON_MODELS + "provenance:\n  ai_labels: [made-by-agent]\n"
    repo, base, head = labelled_pr(tmp_path, github, config)
    pull_from_git(github, repo, base, head, number=7, labels=("made-by-agent",))
    ws = tmp_path / "ws"
    ws.mkdir()
    payload = label_event(github, "labeled", "made-by-agent")
    proc = run_gate(runner_env(github, tmp_path, 7, workspace=ws, payload=payload), ws)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert conclusions(github) == ["failure"]


def test_a_label_the_gate_does_not_read_gates_nothing(tmp_path: Path, github: FakeGitHub) -> None:
    repo, base, head = labelled_pr(tmp_path, github, STRICT_ON_MODELS)
    pull_from_git(github, repo, base, head, number=7, labels=("documentation",))
    ws = tmp_path / "ws"
    ws.mkdir()
    payload = label_event(github, "labeled", "documentation")
    proc = run_gate(runner_env(github, tmp_path, 7, workspace=ws, payload=payload), ws)
    assert proc.returncode == 0, proc.stderr
    assert "neutral: label 'documentation' does not mark the PR as AI" in proc.stdout
    assert not github.check_runs and not github.statuses and not github.issue_comments[7]
