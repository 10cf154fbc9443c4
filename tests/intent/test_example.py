"""The bundled example's spec (`docs/specs/rate-limits.md` in `examples/ratelimit.bundle`) and the PR
that contradicts it, through `ai-gate check` and `ai-gate replay` with three scripted models."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from gate.cli import main
from tests.fakes.model_server import FakeModelServer, Reply
from tests.intent.scenario import MODELS

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "examples" / "ratelimit.bundle"
STATEMENTS = [
    "at most `limit` requests are allowed in any rolling window, with no burst allowance above `limit`",
    "a request over the limit is refused, never queued or delayed",
    "retry_after() never answers less than the time until the next request would be allowed",
]


def _check(burst_line: int) -> Any:
    def answer(body: dict[str, Any]) -> Reply:
        text = "\n".join(str(m.get("content", "")) for m in body["messages"] if m["role"] == "user")
        ids = sorted(set(re.findall(r'"id": "(R\d+)"', text)))
        judged = []
        for rid in ids:
            if rid == "R1" and "self.limit + BURST" in text:
                judged.append(
                    {
                        "id": rid,
                        "verdict": "contradicted",
                        "path": "redis_window.py",
                        "start_line": burst_line,
                        "end_line": burst_line,
                        "reason": "requests are allowed up to limit + BURST",
                    }
                )
            else:
                judged.append(
                    {
                        "id": rid,
                        "verdict": "not_addressed",
                        "path": None,
                        "start_line": None,
                        "end_line": None,
                        "reason": "not touched",
                    }
                )
        return Reply.json({"judgments": judged})

    return answer


def test_the_example_pr_that_contradicts_the_spec_fails_and_replays(
    model_server: FakeModelServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.delenv("AI_GATE_CACHE_DIR", raising=False)
    clone = tmp_path / "ratelimit"
    subprocess.run(["git", "clone", "-q", str(BUNDLE), str(clone)], check=True)
    head = "origin/pr/burst-allowance"
    shown = subprocess.run(
        ["git", "-C", str(clone), "show", f"{head}:redis_window.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    burst_line = next(n for n, line in enumerate(shown.splitlines(), 1) if "self.limit + BURST" in line)
    requirements = [{"source": "S1", "statement": s} for s in STATEMENTS]
    model_server.script("fake-a", "spec_extract", Reply.json({"requirements": requirements}))
    for name in ("fake-a", "fake-b", "fake-c"):
        model_server.script(name, "spec_check", _check(burst_line))
    config = yaml.safe_load((ROOT / "examples" / "ai-gate.yml").read_text())
    config["models"] = {"review": list(MODELS), "endpoints": model_server.endpoints(MODELS)}
    config["budget"] = {"unpriced_usd_per_million_tokens": 1.0}
    config_file = tmp_path / "ai-gate.yml"
    config_file.write_text(yaml.safe_dump(config))
    trace = tmp_path / "trace.jsonl"
    args = [
        "check",
        "--repo",
        str(clone),
        "--base",
        "origin/main",
        "--head",
        head,
        "--config",
        str(config_file),
    ]

    assert main([*args, "--format", "json", "--trace", str(trace)]) == 1
    live = json.loads(capsys.readouterr().out)
    (finding,) = [f for f in live["findings"] if f["stage"] == "spec"]
    assert finding["title"].startswith("Contradicts R1: at most `limit` requests")
    assert finding["path"] == "redis_window.py" and finding["start_line"] == burst_line
    assert finding["blocking"] and finding["confirmed_by"] == list(MODELS)
    spec = live["stages"]["spec"]["details"]
    assert [s["name"] for s in spec["sources"]] == ["spec docs/specs/rate-limits.md"]
    assert any("#21" in n and "not read" in n for n in spec["notes"])  # a local run names the issue

    model_server.stop()
    assert main(["replay", str(trace), "--format", "json"]) == 1
    replayed = json.loads(capsys.readouterr().out)
    assert replayed["findings"] == live["findings"]
