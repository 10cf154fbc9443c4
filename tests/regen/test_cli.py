"""The regen check as users meet it: `ai-gate check` on a real repository, models on the loopback server."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from tests.fakes.model_server import UNPRICED_USD_PER_MILLION, FakeModelServer, Reply
from tests.gitrepo import GitRepo
from tests.regen.conftest import make_change
from tests.regen.samples import STRICTER
from tests.security.measure import run_cli

MODELS = ("openai/regen-a", "openai/regen-b")
DIFFERENCE = "With rate == 1 the submitted code returns 0.0 where the re-generation raises ValueError."


def ai_gate(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env={"FAKE_MODEL_KEY": "sk-test", "AI_GATE_MODEL_BACKOFF": "0.01", **(env or {})})


def check(repo: GitRepo, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return ai_gate(
        "check",
        "--repo",
        str(repo.root),
        "--base",
        "main",
        "--head",
        "feature",
        "--format",
        "json",
        *extra,
        env=env,
    )


def write_config(path: Path, server: FakeModelServer, **regen: object) -> Path:
    endpoints = server.endpoints(MODELS)
    config = {
        "models": {"review": list(MODELS), "regen": list(MODELS), "endpoints": endpoints},
        "regen": regen,
        "budget": {"unpriced_usd_per_million_tokens": UNPRICED_USD_PER_MILLION},
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def test_check_reports_a_regen_outlier_and_replays_it(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path
) -> None:
    make_change(repo)
    for model in MODELS:
        name = model.split("/", 1)[1]
        model_server.script(name, "regeneration", Reply(choices=tuple({"code": c} for c in STRICTER)))
        model_server.script(name, "equivalence", Reply.json({"equivalent": False, "difference": DIFFERENCE}))
    trace = tmp_path / "trace.jsonl"
    config = write_config(tmp_path / "gate.yml", model_server)
    advisory = check(repo, "--config", str(config), "--trace", str(trace))
    assert advisory.returncode == 0, advisory.stderr
    report = json.loads(advisory.stdout)
    assert report["stages"]["regen"]["ran"] is True
    (finding,) = [f for f in report["findings"] if f["stage"] == "regen"]
    assert (finding["path"], finding["start_line"], finding["end_line"]) == ("src/prices.py", 14, 18)
    assert DIFFERENCE in finding["body"] and finding["blocking"] is False
    assert report["verdict"] == "pass"

    blocking = check(
        repo, "--config", str(write_config(tmp_path / "blocking.yml", model_server, blocking=True))
    )
    assert blocking.returncode == 1, blocking.stderr
    assert json.loads(blocking.stdout)["verdict"] == "fail"

    replayed = ai_gate("replay", str(trace), "--format", "json")
    assert replayed.returncode == 0, replayed.stderr
    again = json.loads(replayed.stdout)
    assert again["verdict"] == "pass"
    assert [f["id"] for f in again["findings"] if f["stage"] == "regen"] == [finding["id"]]
    # what the check reached travels in the trace: the replay's coverage is the run's
    assert report["coverage"]["hunks"] == report["coverage"]["regenerated"] == 1
    assert again["coverage"] == report["coverage"]


def test_offline_check_skips_regen_and_says_so(repo: GitRepo) -> None:
    make_change(repo)
    proc = check(repo, "--offline")
    assert proc.returncode == 0, proc.stderr
    regen = json.loads(proc.stdout)["stages"]["regen"]
    assert regen["ran"] is False and regen["skipped_reason"] == "offline: no model is called"
