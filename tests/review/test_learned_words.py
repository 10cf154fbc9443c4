"""A value remembered as a secret hides whatever text equals it, and a PR chooses such values (a commit
message line `DB_PASSWORD=findings`); a real one can be a word by chance (`POSTGRES_PASSWORD=postgres`).
Hidden, it must never change what the gate decides or how its output reads: the report keeps its own
keys for `publish`, a finding on a file whose name it hides is still placed on that file, and a replay of
the trace gives the run's verdict and findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from gate.cli import main
from gate.report.github_view import read_report
from tests.fakes.model_server import FakeModelServer, Reply
from tests.gitrepo import GitRepo
from tests.review.scenario import BASE, HEAD

MODELS = ("openai/fake-a", "openai/fake-b")


def _finding(path: str) -> dict[str, Any]:
    """The planted defect (a float on money, lines 13-14 of the head file), as both models raise it."""
    return {
        "path": path,
        "start_line": 13,
        "end_line": 14,
        "severity": "high",
        "category": "bug",
        "title": "Refund converts money amount to float",
        "body": "float loses cents",
        "suggestion": None,
    }


def _repo(root: Path, path: str, message: str) -> GitRepo:
    repo = GitRepo(root)
    repo.write(path, BASE)
    repo.commit("add payments")
    repo.branch("feature")
    repo.write(path, HEAD)
    repo.commit(message)
    return repo


def _check(
    server: FakeModelServer, repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, Any], str, Path]:
    """`ai-gate check` with a trace: its exit code, its JSON report (parsed, and as printed), the trace."""
    config = tmp_path / "ai-gate.yml"
    config.write_text(yaml.safe_dump(server.review_config(MODELS)))
    trace = tmp_path / "out" / "trace.jsonl"
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--config", str(config)]
    code = main([*args, "--format", "json", "--trace", str(trace)])
    out = capsys.readouterr().out
    return code, json.loads(out), out, trace


def _replay(trace: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["replay", str(trace), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _cited_as_shown(body: dict[str, Any]) -> Reply:
    """A review answer that cites the file as the prompt's `### ` header spells it."""
    user = [m["content"] for m in body["messages"] if m["role"] == "user"][-1]
    path = next(line[4:].split(" ")[0] for line in user.splitlines() if line.startswith("### "))
    return Reply.json({"findings": [_finding(path)]})


def _summary(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (f["stage"], f["path"], f["start_line"], f["end_line"], f["blocking"], f["confirmed_by"])
        for f in report["findings"]
        if f["stage"] == "review"
    ]


@pytest.mark.parametrize(
    "words", [("start_line", "findings"), ("verdict",), ("confirmed_by", "stages")], ids=lambda w: "-".join(w)
)
def test_a_remembered_word_that_is_a_key_of_the_report_leaves_the_report_readable(
    model_server: FakeModelServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    words: tuple[str, ...],
) -> None:
    """`publish` reads the report's findings and verdict, and the replay gives the run's: the words are
    hidden where they are text, never where they are the gate's own keys."""
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    names = ("DB_PASSWORD", "API_KEY")
    settings = "\n".join(f"{name}={word}" for name, word in zip(names, words, strict=False))
    repo = _repo(tmp_path / "repo", "shop/pay.py", f"add refunds\n\nci settings:\n{settings}\n")
    for model in ("fake-a", "fake-b"):
        model_server.script(model, "review", Reply.json({"findings": [_finding("shop/pay.py")]}))

    code, report, printed, trace = _check(model_server, repo, tmp_path, capsys)
    assert code == 1 and report["verdict"] == "fail"
    blocking = [("review", "shop/pay.py", 13, 14, True, list(MODELS))]
    assert _summary(report) == blocking
    assert report["stages"]["review"]["findings"] == 1
    saved = tmp_path / "report.json"
    saved.write_text(printed, encoding="utf-8")
    view, _ = read_report(saved, "from ai-gate check")
    assert view.verdict == "fail"
    assert [(f.path, f.start_line, f.confirmed_by) for f in view.findings] == [("shop/pay.py", 13, MODELS)]

    model_server.stop()
    replay_code, replayed = _replay(trace, capsys)
    assert replay_code == 1 and replayed["verdict"] == "fail"
    assert replayed["findings"] == report["findings"]
