"""What a reviewer reads after a run, through `ai-gate github` against the fake GitHub and the scripted
models: the coverage block in the check run, the summary comment and the job summary (one line when
everything was covered, a table of what was not), the AI share by tool with each AI commit's evidence,
and findings that link to their lines at the head commit with a status and the models behind it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from tests.fakes.fixtures import model_server
from tests.fakes.github_server import FakeGitHub
from tests.fakes.model_server import FakeModelServer, Reply
from tests.github.conftest import pull_from_git
from tests.github.test_action_e2e import run_gate
from tests.github.test_neutral import model_env
from tests.github.test_unconfirmed import MODELS, scripted_pr
from tests.gitrepo import GitRepo
from tests.review.scenario import BASE, HEAD, PLANTED_A, SPURIOUS_C

__all__ = ["model_server"]


def _posted(github: FakeGitHub, tmp_path: Path) -> dict[str, str]:
    (check,) = github.check_runs.values()
    return {
        "check run": check["output"]["summary"],
        "summary comment": github.issue_comments[7][0]["body"],
        "job summary": (tmp_path / "summary.md").read_text(),
    }


def _report(workspace: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((workspace / ".ai-gate" / "report.json").read_text())
    return report


def test_everything_covered_is_one_line_everywhere_with_links_and_status(
    tmp_path: Path, github: FakeGitHub, model_server: FakeModelServer
) -> None:
    workspace = scripted_pr(tmp_path, github, model_server)
    proc = run_gate(model_env(github, tmp_path, workspace), workspace)
    assert proc.returncode == 1, proc.stderr
    report = _report(workspace)
    coverage = report["coverage"]
    assert coverage["gaps"] == [] and coverage["review"] == "reviewed"
    assert coverage["reviewed"] == [{"path": "shop/pay.py", "models": sorted(MODELS), "earlier": False}]
    head = github.pulls[7].head_sha
    for place, text in _posted(github, tmp_path).items():
        (line,) = [ln for ln in text.splitlines() if ln.startswith("**Coverage")]
        assert line.startswith("**Coverage:** 1 file in the change, 1 reviewed (1 by 3 models); "), place
        assert "| not covered |" not in text, place
        # the confirmed finding links to its lines at the head commit, on the server the event names: the
        # line both models name (one says 12-13, the other 13-14)
        link = f"(https://github.test/{github.repo}/blob/{head}/shop/pay.py#L13)"
        (row,) = [ln for ln in text.splitlines() if ln.startswith("| 🚫 |")]
        assert link in row, (place, row)
        assert "**blocking** (openai/model-a, openai/model-b)" in row, (place, row)
        disputed = text[text.index("### Disputed (1)") :]
        assert SPURIOUS_C["title"] in disputed and f"/blob/{head}/shop/pay.py#L" in disputed, place


def test_what_was_not_covered_is_a_table_with_the_reason(
    tmp_path: Path, github: FakeGitHub, model_server: FakeModelServer
) -> None:
    """Two of three models fail: the chunk is reviewed by one of the two the quorum needs. A lock file
    is left out by paths.ignore, an image is binary, a data line is past what is sent to review."""
    repo = GitRepo(tmp_path / "origin")
    repo.write("shop/pay.py", BASE)
    repo.write(".github/ai-gate.yml", yaml.safe_dump(model_server.review_config(MODELS)))
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("shop/pay.py", HEAD)
    repo.write("poetry.lock", "[[package]]\nname = 'x'\n")
    repo.write("shop/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00binary")
    repo.write("shop/data.py", "BLOB = '" + "ab " * 15_000 + "'\n")
    head = repo.commit("Add refunds, a logo and data")
    pull_from_git(github, repo, base, head, number=7)
    model_server.script("model-a", "review", Reply.json({"findings": []}))
    for name in ("model-b", "model-c"):
        model_server.script(name, "review", [Reply.error(500)] * 10)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    env = model_env(github, tmp_path, workspace)
    proc = run_gate(env, workspace)
    assert proc.returncode in (0, 1), proc.stderr
    coverage = _report(workspace)["coverage"]
    assert coverage["ignored"] == ["poetry.lock"] and coverage["files"] == 4
    kinds = {(g["stage"], g["kind"], g["path"]) for g in coverage["gaps"]}
    assert ("review", "binary", "shop/logo.png") in kinds
    assert ("review", "size", "shop/data.py") in kinds
    failed = [g for g in coverage["gaps"] if g["kind"] == "failure" and g["stage"] == "review"]
    assert failed and all("reviewed by 1 of the 2 models required" in g["reason"] for g in failed)
    assert all("openai/model-b" in g["reason"] and "openai/model-c" in g["reason"] for g in failed)
    for place, text in _posted(github, tmp_path).items():
        assert "**Coverage: not complete**" in text, place
        table = text[text.index("| not covered | stage | why |") :]
        assert "| `shop/logo.png` | review | binary file: not reviewed |" in table, place
        assert re.search(r"\| `shop/data\.py:1` \| review \| line 1 has 45,\d+ characters", table), place
        assert re.search(r"\| `shop/pay\.py:[0-9-]+` \| review \| reviewed by 1 of the 2 models", table), (
            place
        )
        assert "1 left out by `paths.ignore` (`poetry.lock`;" in text, place


def test_links_follow_the_server_the_event_names(
    tmp_path: Path, github: FakeGitHub, model_server: FakeModelServer
) -> None:
    """GitHub Enterprise Server: GITHUB_SERVER_URL names the host; a path with spaces is percent-encoded."""
    repo = GitRepo(tmp_path / "origin")
    repo.write("my app/pay.py", BASE)
    repo.write(".github/ai-gate.yml", yaml.safe_dump(model_server.review_config(MODELS)))
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("my app/pay.py", HEAD)
    head = repo.commit("Add refunds")
    pull_from_git(github, repo, base, head, number=7)
    found = {**PLANTED_A, "path": "my app/pay.py"}
    for name in ("model-a", "model-b", "model-c"):
        model_server.script(name, "review", Reply.json({"findings": [found]}))
    workspace = tmp_path / "ws"
    workspace.mkdir()
    env = {**model_env(github, tmp_path, workspace), "GITHUB_SERVER_URL": "https://ghe.corp.test/"}
    proc = run_gate(env, workspace)
    assert proc.returncode == 1, proc.stderr
    for place, text in _posted(github, tmp_path).items():
        assert f"(https://ghe.corp.test/{github.repo}/blob/{head}/my%20app/pay.py#L13-L14)" in text, place


def test_the_summary_splits_the_ai_share_by_tool_with_each_commit_s_evidence(
    tmp_path: Path, github: FakeGitHub
) -> None:
    repo = GitRepo(tmp_path / "origin")
    repo.write("app.py", "x = 1\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("app.py", "x = 1\ny = 2\nz = 3\n")
    repo.commit("Add y and z @acme/ops #12\n\nCo-authored-by: Claude <noreply@anthropic.com>")
    repo.write("lib.py", "def f():\n    return 1\n")
    repo.commit("Add f\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>")
    repo.write("README.md", "# app\n")
    head = repo.commit("Docs by hand")
    pull_from_git(github, repo, base, head, number=7)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    env = model_env(github, tmp_path, workspace)
    proc = run_gate(env, workspace)
    assert proc.returncode in (0, 1), proc.stderr
    for place, text in _posted(github, tmp_path).items():
        assert "— by tool: claude-code 2 lines, cursor 2 lines" in text, place
        assert "Thresholds: review called (threshold met: " in text, place
        claude = text[text.index("<details><summary><code>") :]
        assert "Add y and z @\u2060acme/ops #\u206012 — claude-code, 2 of 2 lines</summary>" in claude, place
        assert "- trailer: Co-authored-by: Claude &lt;noreply@anthropic.com&gt;" in claude, place
        assert "Docs by hand" not in text, place  # a human commit is not listed as AI
