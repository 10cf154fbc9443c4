"""A token pasted twice in one file is two findings: each has its own id and fingerprint in the report and
the SARIF file, and its own inline comment. They shared both (the fingerprint is made of the text of the
finding's lines, not their numbers), so the second copy got no comment and code scanning one alert.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from gate.findings import Confidence, Finding, Location, Severity, line_keys, with_line_keys
from tests.fakes.github_server import FakeGitHub
from tests.github.conftest import pull_from_git, runner_env
from tests.github.test_action_e2e import run_gate
from tests.gitrepo import GitRepo

SECRET = 'GITHUB_TOKEN = "ghp_R8x2Lk9Qm4Tz7Wv1Yb6Nc3Hd5Jf0Gs8Pa2Ue"\n'


def test_each_copy_of_a_token_has_its_own_finding_and_comment(tmp_path: Path, github: FakeGitHub) -> None:
    repo = GitRepo(tmp_path / "origin")
    repo.write("src/app.py", "def total(items):\n    return sum(items)\n")
    base = repo.commit("Initial")
    repo.branch("feature")
    repo.write("src/settings.py", 'REGION = "eu"\n' + SECRET + "X = 1\n" * 20 + SECRET)
    head = repo.commit("Add settings")
    pull_from_git(github, repo, base, head, number=7)
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(workspace)], check=True)
    proc = run_gate(runner_env(github, tmp_path, 7, workspace=workspace), workspace)
    assert proc.returncode == 1, proc.stderr
    report = json.loads((workspace / ".ai-gate" / "report.json").read_text())
    tokens = [f for f in report["findings"] if f["stage"] == "secrets"]
    assert [f["start_line"] for f in tokens] == [2, 23]
    assert len({f["id"] for f in tokens}) == len({f["fingerprint"] for f in tokens}) == 2
    assert sorted(c["line"] for c in github.review_comments[7]) == [2, 23]
    sarif = json.loads((workspace / ".ai-gate" / "report.sarif").read_text())
    prints = [json.dumps(r["partialFingerprints"]) for r in sarif["runs"][0]["results"]]
    assert len(prints) == len(set(prints)) == 2


def test_the_first_copy_keeps_the_texts_key_and_a_moved_finding_keeps_its_fingerprint() -> None:
    lines = {"a.py": ["x = 1", "TOKEN", "y = 2", "TOKEN", "TOKEN"]}

    def read(path: str, start: int, end: int) -> list[str]:
        return lines[path][start - 1 : end]

    def at(line: int, rule: str = "token") -> Finding:
        return Finding("secrets", rule, Severity.HIGH, Confidence.HIGH, "t", "b", Location("a.py", line))

    def keyed(*found: Finding) -> dict[int, str]:
        out = with_line_keys(found, line_keys(found, read))
        return {f.location.start_line: f.lines_key for f in out if f.location and f.location.start_line}

    keys = keyed(at(5), at(2), at(4))
    assert keys[4] == keys[2] + "~2" and keys[5] == keys[2] + "~3"
    lines["a.py"].insert(0, "import os")  # every copy moves down a line, in the same order
    assert keyed(at(3), at(5)) == {3: keys[2], 5: keys[4]}
    # A finding of another rule on a copy of the text is no copy of these: it changes no key of theirs.
    other = with_line_keys([at(3, "other")], line_keys([at(3, "other")], read))[0]
    assert keyed(at(3, "other"), at(5)) == {3: other.lines_key, 5: keys[2]}
