"""A private key in a changed file never leaves the gate, wherever a prompt cuts the file: review
prompts with a hunk's context rows, re-generation windows, a key replaced in place, the trace and the
report. The review and the re-generation run through the CLI against scripted models on a loopback
server that records every request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from gate.cli import main
from tests.fakes.model_server import UNPRICED_USD_PER_MILLION, FakeModelServer, Reply
from tests.gitrepo import GitRepo
from tests.security.test_key_blocks import key_lines

MODELS = ("openai/fake-a", "openai/fake-b")
AI_TRAILER = "\n\nCo-authored-by: Claude <noreply@anthropic.com>\n"


def keys_module(key: list[str], total: str) -> str:
    """A module with a key near its top and a function far below it."""
    fillers = "".join(f"\n\ndef helper_{i}(x):\n    return x + {i}\n" for i in range(8))
    block = "\n".join(["-----BEGIN RSA PRIVATE KEY-----", *key, "-----END RSA PRIVATE KEY-----"])
    function = f"def total(items):\n    return {total}\n"
    return f'"""Test keys."""\n\nTEST_KEY = """{block}\n"""\n{fillers}\n\n{function}'


def fixtures_module(key: list[str]) -> str:
    block = "\n".join(["-----BEGIN PRIVATE KEY-----", *key, "-----END PRIVATE KEY-----"])
    return f'"""Fixtures."""\n\nKEY = """{block}\n"""\n'


def test_no_key_body_line_reaches_a_model_the_trace_or_the_report(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")
    old, new, far, fixture = key_lines(12), key_lines(12), key_lines(25), key_lines(20)
    repo.write("tests/keys.py", keys_module(old, "sum(items)"))
    repo.write("app/billing.py", keys_module(far, "sum(items)"))
    repo.write("tests/fixtures.py", fixtures_module(fixture))
    repo.commit("base")
    repo.branch("feature")
    # A key rotated in place; a function changed far below a key; a function added under a key, whose
    # context rows are the key's last lines.
    repo.write("tests/keys.py", keys_module(new, "sum(items)"))
    repo.write("app/billing.py", keys_module(far, "round(sum(i.price * i.quantity for i in items), 2)"))
    repo.write(
        "tests/fixtures.py", fixtures_module(fixture) + "\n\ndef load_key():\n    return KEY.strip()\n"
    )
    repo.commit("Rotate the test key, round totals" + AI_TRAILER)
    config = tmp_path / "ai-gate.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "thresholds": {
                    "review": {"changed_lines": 1},
                    "regen": {"ai_share": 0.0, "ai_lines": 0},
                },
                "models": {
                    "review": list(MODELS),
                    "regen": list(MODELS),
                    "endpoints": model_server.endpoints(MODELS),
                },
                "budget": {"unpriced_usd_per_million_tokens": UNPRICED_USD_PER_MILLION},
            }
        )
    )
    for model in MODELS:  # every re-generation differs: the findings quote the submitted code
        name = model.split("/", 1)[1]
        model_server.script(name, "regeneration", Reply.json({"code": "def total(items):\n    return 0\n"}))
        model_server.script(
            name, "equivalence", Reply.json({"equivalent": False, "difference": "It differs."})
        )
    out = tmp_path / "out"
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--config", str(config)]
    main(
        [*args, "--format", "json", "--output", str(out / "report.json"), "--trace", str(out / "trace.jsonl")]
    )

    assert model_server.calls, "no model was called: nothing was proven"
    sent = [json.dumps(call.body) for call in model_server.calls]
    # The prompts did show the code around the keys.
    assert any("def load_key" in body for body in sent) and any("helper_7" in body for body in sent)
    written = {path.name: path.read_text() for path in sorted(out.iterdir())}
    # The re-generation of the rotated key reported it: the finding quotes the submitted code.
    findings = json.loads(written["report.json"])["findings"]
    assert [f["path"] for f in findings if f["stage"] == "regen"] == ["tests/keys.py"]
    places = {**{f"model request {i}": body for i, body in enumerate(sent)}, **written}
    leaked = [
        f"{line[:10]}… in {where}"
        for line in (*old, *new, *far, *fixture)
        for where, text in places.items()
        if line in text or json.dumps(line)[1:-1] in text
    ]
    assert leaked == []
