"""A value remembered as a secret hides text that equals it, and a PR chooses such values (an added
`.env` line `DB_PASSWORD=findings`); a real one can be a word by chance (`POSTGRES_PASSWORD=postgres`),
hidden where it stands as a value, or a name's part (`payments-v2`), hidden wherever it appears.
Hidden, it must never change what the gate decides or how its output reads: the report keeps its own
keys for `publish`, a finding on a file whose name it hides is still placed on that file, and a replay of
the trace gives the run's verdict and findings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from gate.cli import main
from gate.redact import memory
from gate.replay import replay_trace
from gate.report.github_view import read_report
from gate.run import Outcome
from tests.fakes.model_server import FakeModelServer, Reply
from tests.gitrepo import GitRepo
from tests.review.scenario import BASE, HEAD, config_for, gate, review_findings, stage

MODELS = ("openai/fake-a", "openai/fake-b")


@pytest.fixture(autouse=True)
def _forget_the_words(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The memory lasts the process: the words these tests have remembered stay out of the next tests."""
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    before = set(memory._values)
    yield
    with memory._lock:
        memory._values.intersection_update(before)
        memory._pattern = None
        memory._generation += 1


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


def _repo(root: Path, path: str, settings: str) -> GitRepo:
    """The refund change, with `settings` added to the `.env` file (code the change submits: its values
    are remembered whatever their shape)."""
    repo = GitRepo(root)
    repo.write(path, BASE)
    repo.commit("add payments")
    repo.branch("feature")
    repo.write(path, HEAD)
    repo.write(".env", settings + "\n")
    repo.commit("add refunds")
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
    """A review answer that cites the refund file as the prompt's `### ` header spells it."""
    user = [m["content"] for m in body["messages"] if m["role"] == "user"][-1]
    headers = [line[4:].split(" ")[0] for line in user.splitlines() if line.startswith("### ")]
    path = next(p for p in headers if p.endswith("refund.py"))
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
    capsys: pytest.CaptureFixture[str],
    words: tuple[str, ...],
) -> None:
    """`publish` reads the report's findings and verdict, and the replay gives the run's: the words are
    hidden where they are text, never where they are the gate's own keys."""
    names = ("DB_PASSWORD", "API_KEY")
    settings = "\n".join(f"{name}={word}" for name, word in zip(names, words, strict=False))
    repo = _repo(tmp_path / "repo", "shop/pay.py", settings)
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
    read = [(f.path, f.start_line, f.confirmed_by) for f in view.findings if f.path != ".env"]
    assert read == [("shop/pay.py", 13, MODELS)]  # beside the secrets stage's findings on the .env

    model_server.stop()
    replay_code, replayed = _replay(trace, capsys)
    assert replay_code == 1 and replayed["verdict"] == "fail"
    assert replayed["findings"] == report["findings"]


def _placed(outcome: Outcome) -> list[tuple[Any, ...]]:
    return [
        (f.location.path, f.location.start_line, f.title, f.blocking, f.confirmed_by)
        for f in review_findings(outcome)
        if f.location is not None
    ]


@pytest.mark.parametrize("learned", ["control", "added"])
def test_a_remembered_word_in_a_files_path_leaves_its_findings_on_that_file(
    model_server: FakeModelServer, tmp_path: Path, learned: str
) -> None:
    """The prompts name `payments-v2/refund.py` as `[REDACTED]/refund.py` once `payments-v2` is remembered
    (the line `DB_PASSWORD=payments-v2` added to a `.env`: a value of the code, whatever its shape; a plain
    word is hidden only where it stands as a value, not in a file's name); both models cite it so, and the
    findings are placed on the file the spelling stands for: the PR fails as it does when nothing is
    hidden, and the replay of its trace places them as the run did."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("payments-v2/refund.py", BASE)
    repo.write(".env", "APP_ENV=dev\nDB_HOST=localhost\n")
    repo.commit("add payments")
    repo.branch("feature")
    repo.write("payments-v2/refund.py", HEAD)
    if learned == "added":
        repo.write(".env", "APP_ENV=dev\nDB_PASSWORD=payments-v2\nDB_HOST=localhost\n")
    repo.commit("add refunds")
    for model in ("fake-a", "fake-b"):
        model_server.script(model, "review", _cited_as_shown)
    trace = tmp_path / "trace.jsonl"

    outcome = gate(repo, config_for(model_server, MODELS), trace)
    shown = "payments-v2/refund.py" if learned == "control" else "[REDACTED]/refund.py"
    prompts = [c.last_user for c in model_server.calls if c.schema == "review"]
    headers = {line for prompt in prompts for line in prompt.splitlines() if line.startswith("###")}
    assert f"### {shown}" in headers
    assert learned == "control" or "### payments-v2/refund.py" not in headers
    assert outcome.verdict == "fail"
    found = ("Refund converts money amount to float", True, MODELS)
    assert _placed(outcome) == [("payments-v2/refund.py", 13, *found)]
    assert stage(outcome).model_error is None and stage(outcome).details["outside_findings"] == 0

    replayed = replay_trace(trace)
    assert replayed.verdict == "fail"
    assert _placed(replayed) == [(shown, 13, *found)]


def test_a_spelling_shown_for_two_files_is_not_guessed(model_server: FakeModelServer, tmp_path: Path) -> None:
    """`payments-v2/refund.py` and `billing-v2/refund.py` both reach the models as `[REDACTED]/refund.py`: a
    finding on it names no one file, so it is a model error and a gap, never a pass, in the run and in
    its replay."""
    repo = GitRepo(tmp_path / "repo")
    for folder in ("payments-v2", "billing-v2"):
        repo.write(f"{folder}/refund.py", BASE)
    repo.commit("add payments")
    repo.branch("feature")
    for folder in ("payments-v2", "billing-v2"):
        repo.write(f"{folder}/refund.py", HEAD)
    repo.write(".env", "DB_PASSWORD=payments-v2\nAPI_KEY=billing-v2\n")
    repo.commit("add refunds")
    for model in ("fake-a", "fake-b"):
        model_server.script(model, "review", _cited_as_shown)
    trace = tmp_path / "trace.jsonl"

    outcome = gate(repo, config_for(model_server, MODELS), trace)
    assert outcome.verdict == "neutral" and review_findings(outcome) == []
    result = stage(outcome)
    assert result.details["paths_shown_alike"] == ["[REDACTED]/refund.py"]
    assert result.model_error is not None
    assert "[REDACTED]/refund.py:13-14 (openai/fake-a, openai/fake-b)" in result.model_error
    assert "more than one file" in result.model_error
    gaps = [(g.path, g.lines, g.kind) for g in result.coverage.gaps]
    assert gaps == [("[REDACTED]/refund.py", "13-14", "failure")]
    replayed = replay_trace(trace)
    assert replayed.verdict == "neutral" and review_findings(replayed) == []


@pytest.mark.parametrize("raisers", [("fake-a",), ("fake-a", "fake-b")])
def test_findings_two_models_raised_off_their_chunk_are_a_model_error(
    model_server: FakeModelServer, tmp_path: Path, raisers: tuple[str, ...]
) -> None:
    """One model's finding on lines its chunk did not show is left out with a note; the same place
    flagged by two distinct models is code no one judged, so the review is not a pass."""
    repo = _repo(tmp_path / "repo", "shop/pay.py", "add refunds")
    off = {**_finding("shop/pay.py"), "start_line": 900, "end_line": 901}
    for model in ("fake-a", "fake-b"):
        model_server.script(model, "review", Reply.json({"findings": [off] if model in raisers else []}))
    outcome = gate(repo, config_for(model_server, MODELS))
    result = stage(outcome)
    assert result.details["outside_findings"] == len(raisers)
    if len(raisers) == 1:
        assert outcome.verdict == "pass" and result.model_error is None
        assert (
            "1 finding(s) ignored: on code their chunk did not show (shop/pay.py:900-901)"
            in (result.details["notes"])
        )
    else:
        assert outcome.verdict == "neutral"
        assert result.model_error is not None
        assert "shop/pay.py:900-901 (openai/fake-a, openai/fake-b)" in result.model_error
        assert [(g.path, g.lines) for g in result.coverage.gaps] == [("shop/pay.py", "900-901")]
