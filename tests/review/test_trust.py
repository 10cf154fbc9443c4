"""What a verdict promises, through `ai-gate check` on real git histories with scripted loopback models:
a fail means distinct models agreed on one issue, and code nobody reviewed does not pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from gate.cli import main
from tests.fakes.model_server import FakeModelServer, Reply, judge
from tests.gitrepo import GitRepo
from tests.review.scenario import MODELS, make_repo

RACE = {
    "path": "shop/pay.py",
    "start_line": 12,
    "end_line": 14,
    "severity": "high",
    "category": "bug",
    "title": "Possible race condition when updating the cache",
    "body": "two requests can update the cached balance at once and one update is lost",
    "suggestion": None,
}
NULL = {
    **RACE,
    "start_line": 13,
    "end_line": 14,
    "title": "Possible null dereference when reading the cache",
    "body": "the cached order can be None when it is read here",
}


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.05")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "5")


def check(
    repo: GitRepo, server: FakeModelServer, tmp: Path, capsys: pytest.CaptureFixture[str], **extra: Any
) -> tuple[int, dict[str, Any]]:
    """`ai-gate check --format json` on main..feature with `extra` merged into the config."""
    data = server.review_config(MODELS)
    for key, value in extra.items():
        data[key] = {**data.get(key, {}), **value}
    config = tmp / "ai-gate.yml"
    config.write_text(yaml.safe_dump(data))
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--config", str(config)]
    code = main([*args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_two_models_naming_different_problems_on_the_same_lines_do_not_fail_the_pr(
    model_server: FakeModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model_server.script("fake-a", "review", Reply.json({"findings": [RACE]}))
    model_server.script("fake-b", "review", Reply.json({"findings": [NULL]}))
    for name in ("fake-a", "fake-b", "fake-c"):
        model_server.script(name, "cross_check", judge(lambda title: False))
    code, report = check(make_repo(tmp_path / "repo"), model_server, tmp_path, capsys)
    assert (code, report["verdict"]) == (0, "pass")
    review = sorted((f for f in report["findings"] if f["stage"] == "review"), key=lambda f: f["title"])
    assert [f["title"] for f in review] == [NULL["title"], RACE["title"]]
    assert [f["confirmed_by"] for f in review] == [["openai/fake-b"], ["openai/fake-a"]]
    assert not any(f["blocking"] or f["confirmed"] for f in review)
    assert report["stages"]["review"]["details"]["groups"] == 2


def test_the_same_issue_in_other_words_still_fails_the_pr(
    model_server: FakeModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same = {
        **RACE,
        "start_line": 13,
        "title": "Race condition when the cache is updated",
        "body": "concurrent refunds write the balance without a lock",
    }
    model_server.script("fake-a", "review", Reply.json({"findings": [RACE]}))
    model_server.script("fake-b", "review", Reply.json({"findings": [same]}))
    code, report = check(make_repo(tmp_path / "repo"), model_server, tmp_path, capsys)
    assert (code, report["verdict"]) == (1, "fail")
    (finding,) = [f for f in report["findings"] if f["stage"] == "review"]
    assert finding["confirmed_by"] == ["openai/fake-a", "openai/fake-b"] and finding["blocking"]


def padded_repo(root: Path) -> GitRepo:
    """The PR of `make_repo` with a large generated module ahead of it in diff order, so the risky hunk
    lands in a later chunk than the padding."""
    repo = make_repo(root)
    rows = "\n".join(
        f"TABLE_{i:05d} = ({i}, {i * 7 % 1000}, 'row {i} of the generated table')" for i in range(3000)
    )
    repo.write("generated/table.py", rows + "\n")
    repo.commit("regenerate the table")
    return repo


def test_a_chunk_no_model_could_review_fails_under_on_model_error_fail(
    model_server: FakeModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def review(body: dict[str, Any]) -> Reply:
        shown = json.dumps(body.get("messages", []))
        return Reply.error(500) if "def refund" in shown else Reply.json({"findings": []})

    for name in ("fake-a", "fake-b", "fake-c"):
        model_server.script(name, "review", review)
    repo = padded_repo(tmp_path / "repo")
    code, report = check(repo, model_server, tmp_path, capsys, gate={"on_model_error": "fail"})
    stage = report["stages"]["review"]
    assert len(stage["details"]["chunks"]) >= 2  # the padding was reviewed in chunks of its own
    assert (code, report["verdict"]) == (1, "fail")
    assert (
        "shop/pay.py" in stage["model_error"] and "not reviewed by 2 distinct models" in stage["model_error"]
    )
    (gap,) = stage["details"]["unreviewed_chunks"]
    assert "shop/pay.py" in gap["paths"] and gap["reviewed_by"] == []
    assert any("shop/pay.py" in r and "on_model_error" in r for r in report["reasons"])

    # the same run with the default policy is neutral, never a pass
    code, report = check(repo, model_server, tmp_path, capsys)
    assert (code, report["verdict"]) == (0, "neutral")


def test_fingerprints_follow_the_code_not_the_line_numbers(
    model_server: FakeModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def finding(start: int, end: int) -> dict[str, Any]:
        return {**RACE, "start_line": start, "end_line": end, "title": "Arithmetic on money"}

    repo = make_repo(tmp_path / "repo")
    # one title, two places in one file: the float conversion (12-13) and the discount (18)
    model_server.script("fake-a", "review", Reply.json({"findings": [finding(12, 13), finding(18, 18)]}))
    _, first = check(repo, model_server, tmp_path, capsys)
    by_line = {f["start_line"]: f["fingerprint"] for f in first["findings"] if f["stage"] == "review"}
    assert set(by_line) == {12, 18} and by_line[12] != by_line[18]

    # four lines added above both: the same code, four lines lower, keeps its fingerprint
    text = (repo.root / "shop/pay.py").read_text()
    repo.write("shop/pay.py", text.replace("\n\ndef total", "\nRATE = 1\nFEE = 2\nCAP = 3\n\n\ndef total"))
    repo.commit("constants")
    model_server.script("fake-a", "review", Reply.json({"findings": [finding(16, 17), finding(22, 22)]}))
    _, moved = check(repo, model_server, tmp_path, capsys)
    after = {f["start_line"]: f["fingerprint"] for f in moved["findings"] if f["stage"] == "review"}
    assert after == {16: by_line[12], 22: by_line[18]}
