"""A changed file whose whole text git could not give is not sent to a model.

Some secrets are secrets only by their place in the file: a YAML value on the line below its
`password:` key, a private key's body below its `BEGIN` line. The run learns them from each changed file
as it was and is, before any prompt; a file git cannot give at head or base (over the reader's size
limit, a blob a partial clone lacks) is not read, and a hunk that starts at such a value sends it with
nothing to mark it. A pull request can pad a file past the limit to get there. The model stages leave
such a file's lines out of their prompts, and their coverage says why.
"""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import yaml

from gate.context.model import TOO_LARGE
from gate.context.revisions import MAX_FILE_BYTES
from tests.fakes.model_server import UNPRICED_USD_PER_MILLION, FakeModelServer, Reply
from tests.gitrepo import GitRepo
from tests.security.measure import run_cli

MODELS = ("openai/fake-a", "openai/fake-b")
# Comment lines enough to take a YAML file past the reader's size limit, far below the hunk.
PADDING = "".join(f"# filler line {i:08d} " + "x" * 60 + "\n" for i in range(MAX_FILE_BYTES // 80 + 500))
ENV = {"FAKE_MODEL_KEY": "sk-fake", "AI_GATE_MODEL_BACKOFF": "0.05", "AI_GATE_MODEL_TIMEOUT": "5"}


def _value() -> str:
    rng = random.Random("unread")
    alnum = string.ascii_letters + string.digits
    return "".join(rng.choice(alnum) for _ in range(12)) + "7-" + "".join(rng.choice(alnum) for _ in range(8))


def _withheld(revision: str) -> str:
    return (
        f"not sent to a model: its text at {revision} was not read ({TOO_LARGE}), "
        "so its secrets are not all known"
    )


def test_a_file_too_large_to_read_sends_no_line_to_a_model(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path
) -> None:
    """The hunk starts at the value, whose `password:` key is the row above it: only the whole file marks
    it, and the whole file is past the size limit. The file is left out of the review, which says so;
    the other changed file is reviewed."""
    value = _value()
    config_text = "db:\n  password:\n    {value}\n  port: 1\n  pool: 2\n  user: {user}\n"
    repo.write("deploy/values.yaml", config_text.format(value=value, user="u") + PADDING)
    repo.write("app/core.py", "def price(x):\n    return x * 2\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("deploy/values.yaml", config_text.format(value=value, user="v") + PADDING)
    repo.write("app/core.py", "def price(x):\n    return x * 3\n")
    repo.commit("Configure the database")
    for name in ("fake-a", "fake-b"):
        model_server.script(name, "review", Reply.json({"findings": []}))
    config = tmp_path / "ai-gate.yml"
    config.write_text(yaml.safe_dump(model_server.review_config(MODELS)))
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--config", str(config)]

    run = run_cli(*args, "--format", "json", env=ENV)

    assert run.returncode in (0, 1), run.stderr[-2000:]
    sent = "\n".join(json.dumps(call.body) for call in model_server.calls)
    assert "x * 3" in sent, "the review sent nothing: nothing was proven"
    assert value not in sent
    assert "user: v" not in sent  # none of the file's lines
    report = json.loads(run.stdout)
    review = report["stages"]["review"]
    assert report["verdict"] != "pass"
    gaps = [g for g in report["coverage"]["gaps"] if g["stage"] == "review"]
    assert [(g["path"], g["reason"]) for g in gaps] == [("deploy/values.yaml", _withheld("head"))]
    assert {"path": "deploy/values.yaml", "reason": gaps[0]["reason"]} in review["details"]["skipped_files"]
    assert review["model_error"] == (
        "not reviewed: 1 file(s) sent to no model (deploy/values.yaml): their text at head or base was not "
        "read, so the secrets they hold are not all known"
    )


def test_an_ai_hunk_of_a_file_too_large_to_read_is_not_re_generated(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path
) -> None:
    """The re-generation shows a region and the file around it: of a file past the size limit, neither
    goes to a model, and the coverage names the hunk left out; a small file's AI hunk is re-generated."""
    value = _value()
    body = "def {name}(items):\n    first = {a}\n    second = first * {b}\n    return round(second, {c})\n"
    big = 'KEY_PART = """\n' + value + '\n"""\n' + body + "\n\n" + PADDING
    repo.write("app/big.py", big.format(name="total", a="sum(items)", b=2, c=2))
    repo.write("app/core.py", body.format(name="price", a="len(items)", b=2, c=2))
    repo.commit("base")
    repo.branch("feature")
    repo.write("app/big.py", big.format(name="total", a="max(items)", b=3, c=4))
    repo.write("app/core.py", body.format(name="price", a="min(items)", b=5, c=6))
    repo.commit("Round totals\n\nCo-authored-by: Claude <noreply@anthropic.com>\n")
    for name in ("fake-a", "fake-b"):
        model_server.script(name, "regeneration", Reply.json({"code": "def price(items):\n    return 0\n"}))
        model_server.script(name, "equivalence", Reply.json({"equivalent": True, "difference": ""}))
    config = tmp_path / "ai-gate.yml"
    settings = {
        "thresholds": {"regen": {"ai_share": 0.0, "ai_lines": 0}},
        "models": {"regen": list(MODELS), "endpoints": model_server.endpoints(MODELS)},
        "budget": {"unpriced_usd_per_million_tokens": UNPRICED_USD_PER_MILLION},
    }
    config.write_text(yaml.safe_dump(settings))
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--config", str(config)]

    run = run_cli(*args, "--format", "json", env=ENV)

    assert run.returncode in (0, 1), run.stderr[-2000:]
    sent = "\n".join(json.dumps(call.body) for call in model_server.calls)
    assert "min(items)" in sent, "nothing was re-generated: nothing was proven"
    assert value not in sent and "max(items)" not in sent
    report = json.loads(run.stdout)
    gaps = [(g["path"], g["reason"]) for g in report["coverage"]["gaps"] if g["stage"] == "regen"]
    assert gaps == [("app/big.py", f"not re-generated: {_withheld('head')}")]
    assert report["stages"]["regen"]["model_error"] == (
        "not re-generated: the AI hunks of 1 file(s) sent to no model (app/big.py): their text at head or "
        "base was not read, so the secrets they hold are not all known"
    )
