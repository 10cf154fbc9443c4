"""A ~1,000-line PR in a real repository, a 2-commit follow-up, and models scripted by what they are shown.

Every model reports a finding on the first added line of `pkg/mod01.py` whenever that file is in its
prompt (so it is confirmed by all three); only `fake-a` reports one in `pkg/mod03.py` (the cross-check
agrees with it). The follow-up changes a line of `pkg/mod03.py`, inserts two lines at the top of
`pkg/mod01.py` (moving its finding down by two) and adds `pkg/new.py`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from tests.fakes.model_server import FakeModelServer, Reply, judge
from tests.gitrepo import GitRepo

MODELS = ("openai/fake-a", "openai/fake-b", "openai/fake-c")
FILES = 20
ADDED_PER_FILE = 50
BASE_LINES = 20
CONFIRMED_TITLE = "Unvalidated input reaches the parser"
SINGLE_TITLE = "Counter can overflow"

_SECTION = re.compile(r"^### (\S+)", re.MULTILINE)
_ADDED = re.compile(r"^\+(\d+) \|", re.MULTILINE)


def _base(i: int) -> str:
    return "".join(f"BASE_{i}_{j} = {j}\n" for j in range(BASE_LINES))


def _added(i: int, changed: bool = False) -> str:
    out = []
    for j in range(ADDED_PER_FILE // 2):
        body = f"x * {j} + {i}" if not (changed and j == 10) else f"x * {j} - {i}"
        out.append(f"def f_{i}_{j}(x):\n    return {body}\n")
    return "".join(out)


def make_repo(root: Path, config: dict[str, Any] | None = None) -> GitRepo:
    """Branches: `main`, `pr` (the PR, 3 commits) and `pr2` (`pr` plus a 2-commit follow-up)."""
    repo = GitRepo(root)
    for i in range(FILES):
        repo.write(f"pkg/mod{i:02}.py", _base(i))
    if config is not None:
        repo.write(".github/ai-gate.yml", yaml.safe_dump(config))
    repo.commit("base")
    repo.branch("pr")
    for part in range(3):
        for i in range(part, FILES, 3):
            repo.write(f"pkg/mod{i:02}.py", _base(i) + _added(i))
        repo.commit(f"add functions, part {part + 1}")
    repo.branch("pr2")
    repo.write("pkg/mod03.py", _base(3) + _added(3, changed=True))
    repo.commit("fix the sign in f_3_10")
    repo.write("pkg/mod01.py", "# module one\n# generated\n" + _base(1) + _added(1))
    repo.write("pkg/new.py", "def helper(x):\n    return x\n")
    repo.commit("add a header and a helper")
    repo.checkout("pr")
    return repo


def config(server: FakeModelServer) -> dict[str, Any]:
    return server.review_config(MODELS)


def shown_paths(body: dict[str, Any]) -> set[str]:
    users = [str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "user"]
    return set(_SECTION.findall("\n".join(users)))


def _review(model: str) -> Any:
    def answer(body: dict[str, Any]) -> Reply:
        text = "\n".join(str(m.get("content", "")) for m in body["messages"] if m["role"] == "user")
        findings = []
        for match in _SECTION.finditer(text):
            path = match.group(1)
            rest = text[match.end() :]
            end = _SECTION.search(rest)
            first = _ADDED.search(rest[: end.start()] if end else rest)
            if first is None:
                continue
            line = int(first.group(1))
            title = None
            if path == "pkg/mod01.py" and line > BASE_LINES:
                title, category = CONFIRMED_TITLE, "security"
            elif path == "pkg/mod03.py" and model == "fake-a":
                title, category = SINGLE_TITLE, "bug"
            if title:
                findings.append(
                    {
                        "path": path,
                        "start_line": line,
                        "end_line": line + 1,
                        "severity": "high",
                        "category": category,
                        "title": title,
                        "body": "explained",
                        "suggestion": None,
                    }
                )
        return Reply.json({"findings": findings})

    return answer


def script(server: FakeModelServer) -> None:
    for model in MODELS:
        name = model.split("/", 1)[1]
        server.script(name, "review", _review(name))
        server.script(name, "cross_check", judge(lambda title: True))


def prepare(server: FakeModelServer, tmp_path: Path, monkeypatch: Any) -> tuple[GitRepo, Path]:
    """The scenario ready to gate: the models scripted, the repository built, its config written."""
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    script(server)
    repo = make_repo(tmp_path / "repo")
    cfg = tmp_path / "ai-gate.yml"
    cfg.write_text(yaml.safe_dump(config(server)))
    return repo, cfg
