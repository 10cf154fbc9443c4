"""Git output read as data: commit messages and file names holding any character (record and unit
separators, newlines, tabs, quotes, spaces, non-ASCII) go through the command line whole, and the
report spells them as git stores them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.cli import main
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import github, pull_from_git, runner_env  # noqa: F401
from tests.github.test_action_e2e import run_gate
from tests.gitrepo import GitRepo

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"
NAMES = (
    "a b/c d.py",
    "tab\there.py",
    'q"uote.py',
    "back\\slash.py",
    "trail .py",
    "d/-- b/x.py",
    "+++ b.py",
    "diff --git a b.py",
    "new\nline b/c.py",
    "\u00e9t\u00e9 \u2603.py",
    "0123456789abcdef0123456789abcdef01234567",
    "sep\x1e\x1f.py",
)
MESSAGES = (
    "Subject with \x1e record separator\n\nbody \x1f unit separator\x1e\n\n" + CLAUDE,
    "\x1f\x1f\x1f\n\n\x1e",
    'Tabs\tand "quotes" and ünïcödé\n\n%H %x00 {}\n\n' + CLAUDE,
)


def _check(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = main(
        [
            "check",
            "--repo",
            str(repo.root),
            "--base",
            "main",
            "--head",
            "feature",
            "--offline",
            "--format",
            "json",
        ]
    )
    return code, json.loads(capsys.readouterr().out)


def test_messages_with_separators_are_read_whole(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("README.md", "# app\n")
    repo.commit("Initial")
    repo.branch("feature")
    for i, message in enumerate(MESSAGES):
        repo.write(f"m{i}.py", f"x_{i} = {i}\n")
        repo.commit(message)
    code, report = _check(repo, capsys)
    assert code in (0, 1)
    commits = report["provenance"]["commits"]
    assert [c["subject"] for c in commits] == [m.split("\n", 1)[0] for m in MESSAGES]
    assert [c["tool"] for c in commits] == ["claude-code", None, "claude-code"]
    assert [c["added_lines"] for c in commits] == [1, 1, 1]


def test_file_names_with_any_character_are_spelled_as_stored(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("README.md", "# app\n")
    repo.write("old name.py", "kept = 1\n")
    repo.commit("Initial")
    repo.branch("feature")
    for name in NAMES:
        # a zero-width space: the injection-text analyzer names the file it is in
        repo.write(name, "value = 1\u200b\n")
    repo.commit("Add files\n\n" + CLAUDE)
    repo.git("mv", "old name.py", 'new "name".py')
    repo.write('new "name".py', "kept = 1\nmore = 2\n")
    repo.commit("Rename by hand")
    code, report = _check(repo, capsys)
    assert code in (0, 1)
    injection = {f["path"] for f in report["findings"] if f["stage"] == "injection-text"}
    assert injection == set(NAMES)
    prov = report["provenance"]
    assert (prov["ai_lines"], prov["added_lines"]) == (len(NAMES), len(NAMES) + 1)
    assert report["source"]["files"] == len(NAMES) + 1


def test_a_message_of_a_megabyte_is_read(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("README.md", "# app\n")
    repo.commit("Initial")
    repo.branch("feature")
    repo.write("a.py", "a = 1\n")
    message = "Big\n\nCo-authored-by: x" + " " * 500_000 + "y" + " " * 500_000 + "z\n\n" + CLAUDE
    message_file = Path(repo.root) / ".." / "message.txt"
    message_file.write_text(message)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-F", str(message_file))
    code, report = _check(repo, capsys)
    assert code in (0, 1)
    (commit,) = report["provenance"]["commits"]
    assert commit["tool"] == "claude-code"
    assert all(len(e) <= 320 for e in commit["evidence"])


def test_the_api_reader_names_files_from_fields_not_patch_text(
    tmp_path: Path,
    github: FakeGitHub,  # noqa: F811
) -> None:
    repo = GitRepo(tmp_path / "origin")
    repo.write("README.md", "# app\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    for name in NAMES:
        repo.write(name, "value = 1\u200b\n")
    repo.commit(MESSAGES[0])
    repo.write("more.py", "more = 2\n")
    head = repo.commit(MESSAGES[1])
    pull_from_git(github, repo, base, head, number=5)
    (tmp_path / "empty").mkdir()
    env = runner_env(github, tmp_path, 5, workspace=tmp_path / "empty")
    proc = run_gate(env, tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads((tmp_path / "empty" / ".ai-gate" / "report.json").read_text())
    injection = {f["path"] for f in report["findings"] if f["stage"] == "injection-text"}
    assert injection == set(NAMES)
    commits = report["provenance"]["commits"]
    assert [c["tool"] for c in commits] == ["claude-code", None]
    assert report["provenance"]["ai_lines"] == len(NAMES)


def test_a_format_patch_series_with_such_names_is_read_from_its_text(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("README.md", "# app\n")
    repo.write("old name.py", "kept = 1\n")
    repo.commit("Initial")
    repo.branch("feature")
    for name in NAMES:
        repo.write(name, "value = 1\u200b\n")
    repo.commit(MESSAGES[0])
    repo.git("mv", "old name.py", "a b/new name.py")
    repo.commit("Rename by hand")
    patch = tmp_path / "series.mbox"
    patch.write_bytes(repo.format_patch("main..feature"))
    code = main(["check", "--diff", str(patch), "--offline", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    injection = {f["path"] for f in report["findings"] if f["stage"] == "injection-text"}
    assert injection == set(NAMES)
    assert [c["tool"] for c in report["provenance"]["commits"]] == ["claude-code", None]
    assert report["source"]["files"] == len(NAMES) + 1
