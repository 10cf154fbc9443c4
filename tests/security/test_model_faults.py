"""Every model call site under every fault: the run completes, report and trace are written, and the
exit code follows SPEC section 2 (0 pass or neutral, 1 fail or neutral with --strict).

The call sites are the review round (`review`) and the cross-check round (`cross_check`). Each fault
hits every model at that site, for good: 5xx, a timeout, a rate limit, 403, 404 and 422.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from gate.cli import main
from tests.fakes.model_server import FakeModelServer, Reply, judge
from tests.gitrepo import GitRepo
from tests.security.hostile import MODELS, PAY_BASE, PAY_HEAD, PLANTED

FAULTS = {
    "500": Reply.error(500),
    "503": Reply.error(503),
    "timeout": Reply(content={"findings": []}, delay=3.0),
    "429": Reply.error(429, retry_after=0.05),
    "403": Reply.error(403),
    "404": Reply.error(404),
    "422": Reply.error(422),
}


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "0.5")


def setup(tmp_path: Path, server: FakeModelServer, on_model_error: str) -> list[str]:
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/pay.py", PAY_BASE)
    repo.commit("add payments")
    repo.branch("feature")
    repo.write("app/pay.py", PAY_HEAD)
    repo.commit("add refunds")
    config = tmp_path / "ai-gate.yml"
    config.write_text(
        yaml.safe_dump({**server.review_config(MODELS), "gate": {"on_model_error": on_model_error}})
    )
    return ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--config", str(config)]


def run_cli(
    args: list[str], out: Path, *extra: str
) -> tuple[int, dict[str, object], list[dict[str, object]]]:
    report, trace = out / "report.json", out / "trace.jsonl"
    code = main([*args, "--format", "json", "--output", str(report), "--trace", str(trace), *extra])
    assert report.is_file() and trace.is_file(), "report and trace are always written"
    records = [json.loads(line) for line in trace.read_text().splitlines()]
    return code, json.loads(report.read_text()), records


def expected_exit(verdict: object, strict: bool = False) -> int:
    return {"pass": 0, "fail": 1, "neutral": 1 if strict else 0}[str(verdict)]


@pytest.mark.parametrize("fault", FAULTS)
def test_every_model_failing_at_review(fault: str, model_server: FakeModelServer, tmp_path: Path) -> None:
    for name in ("honest-a", "honest-b", "obedient-c"):
        model_server.script(name, "review", FAULTS[fault])
    args = setup(tmp_path, model_server, "neutral")
    code, report, trace = run_cli(args, tmp_path / "out")
    review = report["stages"]["review"]  # type: ignore[index]
    assert review["ran"] is True or review["skipped_reason"], review
    assert report["verdict"] == "neutral", report["reasons"]
    assert any("review" in r and "on_model_error" in r for r in report["reasons"]), report["reasons"]  # type: ignore[union-attr]
    assert code == expected_exit(report["verdict"]) == 0
    calls = [r for r in trace if r.get("type") == "call"]
    assert len(calls) >= 3 and all(c["error"] for c in calls if c["schema"] == "review"), calls[:1]
    assert any(r.get("type") == "run" for r in trace)
    # --strict turns the neutral verdict into exit 1; on_model_error=fail makes it a fail.
    assert run_cli(args, tmp_path / "strict", "--strict")[0] == 1
    fail_args = setup(tmp_path / "f", model_server, "fail")
    code, report, _ = run_cli(fail_args, tmp_path / "fail")
    assert report["verdict"] == "fail" and code == 1


@pytest.mark.parametrize("fault", FAULTS)
def test_every_model_failing_at_cross_check(
    fault: str, model_server: FakeModelServer, tmp_path: Path
) -> None:
    # One model raises the real defect; the others must decide it in the cross-check, and cannot. An
    # unconfirmed finding never blocks, but one nobody could refuse is not a pass: it was never decided.
    model_server.script("honest-a", "review", Reply.json({"findings": [PLANTED]}))
    for name in ("honest-a", "honest-b", "obedient-c"):
        model_server.script(name, "cross_check", FAULTS[fault])
    args = setup(tmp_path, model_server, "neutral")
    code, report, trace = run_cli(args, tmp_path / "out")
    review = [f for f in report["findings"] if f["stage"] == "review"]  # type: ignore[union-attr,index]
    assert review and not review[0]["blocking"], "an unconfirmed finding never blocks"
    error = report["stages"]["review"]["model_error"]  # type: ignore[index]
    assert "1 finding(s) at or above 'high' not decided by 2 distinct models" in error, error
    assert report["verdict"] == "neutral", report["reasons"]
    assert code == expected_exit(report["verdict"]) == 0
    checks = [r for r in trace if r.get("type") == "call" and r["schema"] == "cross_check"]
    assert checks and all(c["error"] for c in checks)
    fail_args = setup(tmp_path / "f", model_server, "fail")
    code, report, _ = run_cli(fail_args, tmp_path / "fail")
    assert report["verdict"] == "fail" and code == 1


def test_one_model_down_the_others_still_confirm(model_server: FakeModelServer, tmp_path: Path) -> None:
    model_server.script("honest-a", "review", Reply.json({"findings": [PLANTED]}))
    model_server.script("honest-b", "review", Reply.json({"findings": [PLANTED]}))
    model_server.script("obedient-c", "*", Reply.error(503))
    model_server.script("honest-a", "cross_check", judge(lambda title: True))
    args = setup(tmp_path, model_server, "neutral")
    code, report, _ = run_cli(args, tmp_path / "out")
    assert report["verdict"] == "fail" and code == 1
