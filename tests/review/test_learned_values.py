"""What the run remembers as secrets cannot take code or the gate's instructions away from the review
models: a `NAME=value` line in a commit message is remembered only when its value is shaped as a
credential, the system prompt goes out as written, and an added line that a remembered value still
hides in part is a stated gap, not a reviewed line. Through the real review stage and scripted models."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from gate.report import coverage
from gate.review.coverage import HIDDEN
from gate.review.prompt import REVIEW_PROMPT, load_prompt
from tests.fakes.model_server import FakeModelServer, Reply
from tests.gitrepo import GitRepo
from tests.review.scenario import config_for, gate, review_findings, stage

MODELS = ("openai/fake-a", "openai/fake-b")
BASE = "import os\n\n\ndef cleanup(path):\n    os.remove(path)\n"
SHELL = 'os.system("tar czf /tmp/learned-a.tgz " + name)'
HEAD = BASE + f"\n\ndef archive(name):\n    {SHELL}\n    return name\n"


def _repo(root: Path, message: str, extra: dict[str, str] | None = None, code: str = HEAD) -> GitRepo:
    repo = GitRepo(root)
    repo.write("tools/files.py", BASE)
    repo.commit("base")
    repo.branch("feature")
    repo.write("tools/files.py", code)
    for path, text in (extra or {}).items():
        repo.write(path, text)
    repo.commit(message)
    return repo


def _flag_when_shown(line: str) -> Any:
    """A reviewer that reports the shell command when the added row shows `line` whole."""
    row = re.compile(r"^\+(\d+) \| +" + re.escape(line) + "$", re.M)

    def review(body: dict[str, Any]) -> Reply:
        user = [m["content"] for m in body["messages"] if m["role"] == "user"][-1]
        shown = row.search(user)
        if shown is None:
            return Reply.json({"findings": []})
        no = int(shown.group(1))
        finding = {
            "path": "tools/files.py",
            "start_line": no,
            "end_line": no,
            "severity": "critical",
            "category": "security",
            "title": "Shell command injection via os.system",
            "body": "name is concatenated into a shell command",
            "suggestion": None,
        }
        return Reply.json({"findings": [finding]})

    return review


def _script(server: FakeModelServer, line: str) -> None:
    for name in ("fake-a", "fake-b"):
        server.script(name, "review", _flag_when_shown(line))


def test_a_commit_message_assignment_does_not_hide_the_code_it_names(
    model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The message's `DB_PASSWORD=<the added code>` is hidden in the message, but it is code, not a
    credential: the models see the added line whole and both report it."""
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    _script(model_server, SHELL)
    repo = _repo(tmp_path / "repo", f"Add archive helper\n\nlocal test env: DB_PASSWORD={SHELL}")
    outcome = gate(repo, config_for(model_server, MODELS))
    reviews = [c for c in model_server.calls if c.schema == "review"]
    assert reviews and all(f"| {' ' * 4}{SHELL}" in c.last_user for c in reviews)
    (finding,) = review_findings(outcome)
    assert finding.title == "Shell command injection via os.system" and finding.blocking
    assert outcome.verdict == "fail"


def test_the_system_prompt_reaches_the_models_as_written(
    model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A passphrase the change's own `.env` assigns is remembered (a real one would be), and it is also
    words of the gate's instructions: those are a constant, sent whole."""
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    _script(model_server, SHELL)
    phrase = "several independent code reviewers"
    assert phrase in load_prompt(REVIEW_PROMPT).system
    repo = _repo(
        tmp_path / "repo", "Add archive helper", {"deploy/.env.example": f'DB_PASSWORD="{phrase}"\n'}
    )
    gate(repo, config_for(model_server, MODELS))
    reviews = [c for c in model_server.calls if c.schema == "review"]
    assert reviews
    for call in reviews:
        system = [m["content"] for m in call.body["messages"] if m["role"] == "system"]
        assert system == [load_prompt(REVIEW_PROMPT).system]


def test_an_added_line_a_value_from_another_file_hides_is_a_gap_not_reviewed(
    model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The change's `.env` assigns the start of a line of its code to a password's name: the value is
    remembered (it is the change's own config) and hidden in the code row too. That row was not reviewed
    as written: a gap on its line and a model error, so the verdict is no pass."""
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    shell = "subprocess.call(learned_cmd, shell=True)"
    code = "import subprocess\n" + BASE + f"\n\ndef archive(learned_cmd):\n    {shell}\n"
    _script(model_server, shell)
    env = {"deploy/.env": "DB_PASSWORD=subprocess.call(learned_cmd\n"}
    repo = _repo(tmp_path / "repo", "Add archive helper", env, code=code)
    outcome = gate(repo, config_for(model_server, MODELS))
    assert review_findings(outcome) == []  # the models never saw the call
    cov = coverage.of(outcome)
    hidden = [g for g in cov.gaps if g.reason == HIDDEN]
    assert [(g.stage, g.kind, g.path, g.lines) for g in hidden] == [
        ("review", "failure", "tools/files.py", "10")
    ]
    assert not cov.complete
    review = stage(outcome)
    assert review.model_error is not None and "tools/files.py:10" in review.model_error
    assert outcome.verdict != "pass"
