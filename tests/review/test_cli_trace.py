"""Through the command line: `ai-gate check --trace` with scripted models, then `ai-gate replay`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from gate.cli import main
from tests.fakes.model_server import FakeModelServer
from tests.review.scenario import MODELS, make_repo, script_planted


def test_check_writes_a_trace_that_replays_to_the_same_report(
    model_server: FakeModelServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    script_planted(model_server)
    repo = make_repo(tmp_path / "repo")
    config = tmp_path / "ai-gate.yml"
    config.write_text(yaml.safe_dump(model_server.review_config(MODELS)))
    trace = tmp_path / "out" / "trace.jsonl"
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--config", str(config)]
    assert main([*args, "--format", "json", "--trace", str(trace)]) == 1
    live = json.loads(capsys.readouterr().out)
    model_server.stop()

    assert main(["replay", str(trace), "--format", "json"]) == 1
    replayed = json.loads(capsys.readouterr().out)
    assert replayed["verdict"] == live["verdict"] == "fail"
    assert replayed["findings"] == live["findings"]
    review = [f for f in live["findings"] if f["stage"] == "review"]
    assert [(f["blocking"], f["confirmed_by"]) for f in review] == [
        (True, ["openai/fake-a", "openai/fake-b"]),
        (False, ["openai/fake-c"]),
    ]
    assert live["stages"]["review"]["ran"] is True
    assert live["usage"]["model_calls"] == 5 and live["usage"]["prompt_tokens"] > 0
    # what the review reached travels in the trace: the replay's coverage is the run's
    assert [f["models"] for f in live["coverage"]["reviewed"]] == [list(MODELS)]
    assert replayed["coverage"] == live["coverage"]


def test_a_recorded_review_that_does_not_say_what_it_covered_replays_with_a_gap(
    model_server: FakeModelServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Fail closed: a trace whose review record lacks its coverage (an edited or older trace) does not
    replay as a fully reviewed change, whatever its report details say."""
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    script_planted(model_server)
    repo = make_repo(tmp_path / "repo")
    config = tmp_path / "ai-gate.yml"
    config.write_text(yaml.safe_dump(model_server.review_config(MODELS)))
    trace = tmp_path / "trace.jsonl"
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--config", str(config)]
    assert main([*args, "--format", "json", "--trace", str(trace)]) == 1
    assert json.loads(capsys.readouterr().out)["coverage"]["gaps"] == []
    records = [json.loads(line) for line in trace.read_text().splitlines()]
    for record in records:
        for stage in record.get("stages", ()) if record["type"] == "run" else ():
            if stage["stage"] == "review":
                del stage["coverage"]
    trace.write_text("".join(json.dumps(r) + "\n" for r in records))

    assert main(["replay", str(trace), "--format", "json"]) == 1
    coverage = json.loads(capsys.readouterr().out)["coverage"]
    assert coverage["review"] == "reviewed" and coverage["reviewed"] == []
    assert coverage["gaps"] == [
        {
            "stage": "review",
            "kind": "failure",
            "reason": "what the stage covered was not recorded",
            "path": None,
            "lines": None,
        }
    ]


def test_check_a_patch_file_reviews_hunks_without_a_repository(
    model_server: FakeModelServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    script_planted(model_server)
    repo = make_repo(tmp_path / "repo")
    patch = tmp_path / "pr.patch"
    patch.write_bytes(repo.format_patch("main..feature"))
    config = tmp_path / "ai-gate.yml"
    config.write_text(yaml.safe_dump(model_server.review_config(MODELS)))
    trace = tmp_path / "trace.jsonl"
    code = main(
        ["check", "--diff", str(patch), "--config", str(config), "--format", "json", "--trace", str(trace)]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["verdict"] == "fail"
    review = report["stages"]["review"]
    assert review["ran"] and review["details"]["quorum"] == 2
    blocking = [f for f in report["findings"] if f["blocking"]]
    assert [f["confirmed_by"] for f in blocking] == [["openai/fake-a", "openai/fake-b"]]
    assert main(["replay", str(trace), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["findings"] == report["findings"]
