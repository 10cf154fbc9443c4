"""A change that renames a file sends none of the base's secrets on: the hunk's context and removed lines
are the base's, read with the name that says how (a `.env` file's syntax), not with the new one.

The base holds `deploy/.env.production`; the change renames it to `deploy/env-production.txt`, a name
nothing reads as configuration, and edits one line beside its passwords. The review's hunk shows those
lines as context rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.fakes.model_server import FakeModelServer
from tests.gitrepo import GitRepo
from tests.security.measure import run_cli

MODELS = ("openai/fake-a", "openai/fake-b")
PASSWORD = "BasePw7fQ2xLm9Rt4"
WEBHOOK = "BaseApi3Kd8sQz1Wp"
ENV_FILE = (
    "APP_ENV=production\nDB_HOST=db.internal\n"
    f"DB_PASSWORD={PASSWORD}\nSTRIPE_WEBHOOK_AUTH={WEBHOOK}\nLOG_LEVEL={{level}}\n"
)


def _renaming_pr(root: Path, renamed: bool) -> GitRepo:
    repo = GitRepo(root)
    repo.write("deploy/.env.production", ENV_FILE.format(level="info"))
    repo.write("app/main.py", "def main():\n    return 0\n")
    repo.commit("base")
    repo.branch("feature")
    path = "deploy/.env.production"
    if renamed:
        repo.git("mv", path, "deploy/env-production.txt")
        path = "deploy/env-production.txt"
    repo.write(path, ENV_FILE.format(level="debug"))
    repo.commit("Log more in production")
    return repo


@pytest.mark.parametrize("one_process", [False, True], ids=["stage process", "one process"])
@pytest.mark.parametrize("renamed", [True, False], ids=["renamed", "edited in place"])
def test_a_renamed_config_file_sends_no_base_secret_to_a_model(
    renamed: bool, one_process: bool, model_server: FakeModelServer, tmp_path: Path
) -> None:
    repo = _renaming_pr(tmp_path / "repo", renamed)
    config = tmp_path / "ai-gate.yml"
    config.write_text(yaml.safe_dump(model_server.review_config(MODELS)))
    trace = tmp_path / "trace.jsonl"
    env = {"FAKE_MODEL_KEY": "sk-loopback", "AI_GATE_MODEL_BACKOFF": "0.05", "AI_GATE_MODEL_TIMEOUT": "5"}
    if one_process:
        env["AI_GATE_ONE_PROCESS"] = "1"
    run = run_cli(
        "check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--config", str(config),
        "--format", "json", "--trace", str(trace), env=env,
    )  # fmt: skip

    assert run.returncode in (0, 1), run.stderr[-2000:]
    sent = [json.dumps(call.body) for call in model_server.calls]
    assert any("LOG_LEVEL=debug" in body for body in sent), "the hunk never reached a model: nothing proven"
    for value in (PASSWORD, WEBHOOK):
        assert not any(value in body for body in sent), f"{value[:6]}… went to a model"
        assert value not in trace.read_text() and value not in run.stdout and value not in run.stderr
