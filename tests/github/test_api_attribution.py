"""The Action reading a PR through the API only (the pull_request_target setup for forks) ties each added
line to the commit that added it, or says it could not: a line of unknown commit never counts human."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git, runner_env
from tests.github.test_action_e2e import run_gate
from tests.gitrepo import GitRepo

# Thresholds out of reach of a change with one human line, for the tests of attribution alone: no model
# stage is called.
NO_ESCALATION = """version: 1
thresholds:
  share_of: all
  review: {ai_share: 1.0, ai_lines: 100000000, changed_lines: 100000000}
  spec: {ai_share: 1.0, ai_lines: 100000000, changed_lines: 100000000}
  regen: {ai_share: 1.0, ai_lines: 100000000}
"""
CLAUDE = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>"
FEATURE = "".join(
    f"def ai_function_{i}(value, other):\n    return compute_result(value + {i}, other * {i}, name='ai{i}')\n"
    for i in range(120)
)


def gate_report(github: FakeGitHub, tmp_path: Path) -> dict[str, Any]:
    """Run the Action with no checkout, as on pull_request_target; its JSON report."""
    workspace = tmp_path / "empty"
    workspace.mkdir()
    proc = run_gate(runner_env(github, tmp_path, 7, workspace=workspace), tmp_path)
    assert proc.returncode == 0, proc.stderr
    report: dict[str, Any] = json.loads((workspace / ".ai-gate" / "report.json").read_text())
    return report


def test_an_ai_commit_of_more_than_300_files_is_read_from_every_page(
    tmp_path: Path, github: FakeGitHub
) -> None:
    """GitHub lists a commit's files 300 a page: the AI commit's code, listed after 300 other files it
    changed, is still tied to it."""
    repo = GitRepo(tmp_path / "origin")
    for i in range(300):
        repo.write(f"aaa/placeholder_{i:03}.txt", "keep\ndrop\n")
    repo.write("README.md", "x\n")
    repo.write(".github/ai-gate.yml", NO_ESCALATION)
    base = repo.commit("Initial")
    repo.branch("feature")
    for i in range(300):  # changed, with no line added: only the code below adds lines
        repo.write(f"aaa/placeholder_{i:03}.txt", "keep\n")
    repo.write("src/feature.py", FEATURE)
    ai = repo.commit("Add feature" + CLAUDE)
    repo.write("README.md", "x\ny\n")
    head = repo.commit("Update README")
    pull_from_git(github, repo, base, head, number=7)

    report = gate_report(github, tmp_path)

    prov = report["provenance"]
    assert (prov["ai_lines"], prov["added_lines"]) == (240, 241)
    assert len(github.requests_to("GET", rf"/commits/{ai}$")) == 2  # 301 files: two pages


def test_lines_of_a_commit_github_did_not_list_count_as_possibly_ai(
    tmp_path: Path, github: FakeGitHub
) -> None:
    """GitHub lists at most 3,000 files of a commit: the AI commit's code past them has no commit the API
    shows. Those lines are of unknown origin, and the thresholds count them AI: no pass at 0%."""
    repo = GitRepo(tmp_path / "origin")
    repo.write("README.md", "x\n")
    repo.write("aaa/placeholder.txt", "keep\ndrop\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("aaa/placeholder.txt", "keep\n")
    repo.write("src/feature.py", FEATURE)
    repo.commit("Add feature" + CLAUDE)
    repo.write("README.md", "x\ny\n")
    head = repo.commit("Update README")
    pull_from_git(github, repo, base, head, number=7)
    github.commit_files_max = 1  # the AI commit's code is past what GitHub lists of it

    report = gate_report(github, tmp_path)

    prov = report["provenance"]
    assert (prov["ai_lines"], prov["added_lines"], prov["unknown_origin_lines"]) == (0, 241, 240)
    assert prov["threshold_share"] == 1.0
    assert any("240 added lines of unknown origin" in n for n in prov["notes"])
    review = report["stages"]["review"]["threshold"]
    assert review["met"] and "(with 240 of unknown origin)" in review["why"]
    assert report["verdict"] == "neutral"  # the review it called has no model here


def commits_after(repo: GitRepo, count: int, *, change_files: bool) -> None:
    """`count` commits by a person, each empty or each adding a line to a file of its own."""
    for i in range(count):
        if change_files:
            repo.write(f"notes/n{i:03}.txt", f"note {i}\n")
        repo.commit(f"wip {i}", allow_empty=not change_files)


def test_empty_commits_past_the_fetch_bound_leave_each_line_with_its_commit(
    tmp_path: Path, github: FakeGitHub
) -> None:
    """A person's commit, an AI commit, then 100 empty commits: the empty ones change no file (their
    tree is their parent's), so no patch of theirs is read, and each line keeps its commit."""
    repo = GitRepo(tmp_path / "origin")
    repo.write("README.md", "x\n")
    repo.write(".github/ai-gate.yml", NO_ESCALATION)
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("README.md", "x\ny\n")
    repo.commit("Update README")
    repo.write("src/feature.py", FEATURE)
    repo.commit("Add feature" + CLAUDE)
    commits_after(repo, 100, change_files=False)
    pull_from_git(github, repo, base, repo.head(), number=7)

    report = gate_report(github, tmp_path)

    prov = report["provenance"]
    assert (prov["ai_lines"], prov["added_lines"]) == (240, 241)
    assert len(github.requests_to("GET", r"/commits/[0-9a-f]{40}$")) == 2  # the two that change files


def test_past_the_fetch_bound_no_commit_stands_for_the_others(tmp_path: Path, github: FakeGitHub) -> None:
    """More commits change files than the gate reads the patches of: the last commit, a person's, does
    not get every line; each line's commit is unknown, and the thresholds count them AI."""
    repo = GitRepo(tmp_path / "origin")
    repo.write("README.md", "x\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("src/feature.py", FEATURE)
    repo.commit("Add feature" + CLAUDE)
    commits_after(repo, 100, change_files=True)
    pull_from_git(github, repo, base, repo.head(), number=7)

    report = gate_report(github, tmp_path)

    prov = report["provenance"]
    assert (prov["ai_lines"], prov["unknown_origin_lines"], prov["added_lines"]) == (0, 340, 340)
    assert any("101 commits change files" in n for n in report["notes"])
    assert report["stages"]["review"]["threshold"]["met"]
    assert report["verdict"] == "neutral"
