"""A credential value longer than the redactor remembers reaches no model, whole or in pieces.

Values over `gate.redact.memory.MAX_REMEMBERED` characters are hidden where they are found, not searched
for everywhere. A line longer than a prompt row is shown as several rows, redacted whole first: as a
line of its file, since in a `.env` or YAML file the name beside the value is what marks it.
"""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest
import yaml

from gate.redact.memory import MAX_REMEMBERED
from tests.fakes.model_server import FakeModelServer
from tests.gitrepo import GitRepo
from tests.security.measure import run_cli

MODELS = ("openai/fake-a", "openai/fake-b")
PIECE = 24  # a piece of a value this long, found in a prompt, is a leak


def _value(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(length))


@pytest.mark.parametrize(
    ("path", "line"),
    [(".env.production", "SESSION_SECRET={}"), ("deploy/app.yml", "db_password: {}")],
    ids=["env", "yaml"],
)
def test_a_long_credential_value_reaches_no_model_in_pieces(
    path: str, line: str, model_server: FakeModelServer, tmp_path: Path
) -> None:
    value = _value(random.Random(7), MAX_REMEMBERED + 88)
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/main.py", "def main():\n    return 0\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write(path, line.format(value) + "\n")
    repo.commit("Deploy settings")
    config = tmp_path / "ai-gate.yml"
    config.write_text(yaml.safe_dump(model_server.review_config(MODELS)))
    trace = tmp_path / "trace.jsonl"
    env = {"FAKE_MODEL_KEY": "sk-loopback", "AI_GATE_MODEL_BACKOFF": "0.05", "AI_GATE_MODEL_TIMEOUT": "5"}
    run = run_cli(
        "check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--config", str(config),
        "--format", "json", "--trace", str(trace), env=env,
    )  # fmt: skip

    assert run.returncode in (0, 1), run.stderr[-2000:]
    sent = "\n".join(json.dumps(call.body) for call in model_server.calls)
    assert path in sent, "the file never reached a model: nothing proven"
    pieces = [value[i : i + PIECE] for i in range(0, len(value) - PIECE + 1, PIECE)]
    for where, text in (("a model", sent), ("the trace", trace.read_text()), ("the report", run.stdout)):
        shown = [piece for piece in pieces if piece in text]
        assert not shown, f"{len(shown)} of {len(pieces)} pieces of the value in {where}"
