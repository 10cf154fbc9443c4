"""The JSON report does not move under a restructuring: the bundled example (what `make run` runs) and a
run through every model stage (review, cross-check, regen) are compared byte for byte with golden files.

Only what differs from run to run is normalised, each by name: the measured durations (`wall_seconds`,
`lookup_seconds`) and the loopback server's address. Regenerate the goldens with
`AI_GATE_UPDATE_GOLDEN=1 pytest tests/test_report_stable.py` and review the diff: a change there is a
change of the report users read.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml

from gate.cli import main
from tests.fakes.fixtures import model_server
from tests.fakes.model_server import UNPRICED_USD_PER_MILLION, FakeModelServer, Reply, judge
from tests.gitrepo import GitRepo
from tests.regen.conftest import make_change
from tests.regen.samples import STRICTER

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "report"
REVIEWERS = ("openai/fake-a", "openai/fake-b", "openai/fake-c")
REGENERATORS = ("openai/regen-a", "openai/regen-b")
__all__ = ["model_server"]
DIFFERENCE = "With rate == 1 the submitted code returns 0.0 where the re-generation raises ValueError."

# The discount helper the AI commit adds (src/prices.py:14-18), said in different words by two models.
FOUND_A = {
    "path": "src/prices.py",
    "start_line": 15,
    "end_line": 16,
    "severity": "high",
    "category": "bug",
    "title": "Discount rate bound check rejects a full discount",
    "body": "rate == 1 is allowed but rounds to 0.0; callers expect an error",
    "suggestion": None,
}
FOUND_B = {
    **FOUND_A,
    "start_line": 14,
    "severity": "critical",
    "title": "Full discount rate bound mishandled",
    "body": "the bound on rate is off by one",
}
SPURIOUS_C = {
    "path": "src/prices.py",
    "start_line": 29,
    "end_line": 29,
    "severity": "high",
    "category": "security",
    "title": "Tax rate can be negative",
    "body": "an attacker can pass a negative amount",
    "suggestion": None,
}

# Durations are measured, not decided: the value of each key that holds one is replaced, wherever it sits.
_DURATION = re.compile(r'("(?:wall_seconds|lookup_seconds)": )-?[0-9][0-9.e+-]*')
# The loopback model server listens on a port chosen at start.
_LOOPBACK = re.compile(r"http://127\.0\.0\.1:[0-9]+")


def _compare(name: str, report_text: str) -> None:
    """The report's own bytes, with only the durations and the loopback port replaced."""
    json.loads(report_text)  # it is JSON before anything else
    got = _LOOPBACK.sub("http://127.0.0.1:PORT", _DURATION.sub(r"\g<1>0.0", report_text))
    golden = GOLDEN / name
    if os.environ.get("AI_GATE_UPDATE_GOLDEN") == "1":
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8"), f"the JSON report differs from {golden}"


def test_the_bundled_example_report_is_stable(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["check", "--diff", str(ROOT / "examples" / "ai-assisted-series.mbox"), "--offline"]
    code = main([*args, "--config", str(ROOT / "examples" / "ai-gate.yml"), "--format", "json"])
    assert code == 1
    _compare("example.json", capsys.readouterr().out)


def test_a_run_through_every_model_stage_is_stable(
    model_server: FakeModelServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")
    repo = GitRepo(tmp_path / "repo")
    make_change(repo)
    model_server.script("fake-a", "review", Reply.json({"findings": [FOUND_A]}))
    model_server.script("fake-b", "review", Reply.json({"findings": [FOUND_B]}))
    model_server.script("fake-c", "review", Reply.json({"findings": [SPURIOUS_C]}))
    for name in ("fake-a", "fake-b", "fake-c"):
        model_server.script(name, "cross_check", judge(lambda title: "discount" in title.lower()))
    for model in REGENERATORS:
        name = model.split("/", 1)[1]
        model_server.script(name, "regeneration", Reply(choices=tuple({"code": c} for c in STRICTER)))
        model_server.script(name, "equivalence", Reply.json({"equivalent": False, "difference": DIFFERENCE}))
    config = {
        "thresholds": {"review": {"changed_lines": 1}},
        "models": {
            "review": list(REVIEWERS),
            "regen": list(REGENERATORS),
            "endpoints": model_server.endpoints((*REVIEWERS, *REGENERATORS)),
        },
        "budget": {"unpriced_usd_per_million_tokens": UNPRICED_USD_PER_MILLION},
    }
    path = tmp_path / "ai-gate.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--config", str(path)]
    code = main([*args, "--format", "json"])
    report = capsys.readouterr().out
    assert code == 1, report
    _compare("model-run.json", report)
