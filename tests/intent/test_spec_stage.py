"""The `spec` stage end to end: a real git PR on the loopback GitHub with a linked issue and a spec,
the real litellm over HTTP to three scripted models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gate.replay import replay_trace
from gate.report import coverage, markdown
from tests.fakes.github_server import FakeGitHub
from tests.fakes.model_server import FakeModelServer, Reply
from tests.intent import scenario as sc


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.05")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "2")
    monkeypatch.delenv("AI_GATE_CACHE_DIR", raising=False)


def test_a_contradiction_two_models_raise_blocks_and_the_issue_is_tabled(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    sc.script(model_server)
    repo = sc.make_pr(tmp_path / "repo", github)
    outcome = sc.gate(github, repo, sc.config_for(model_server))

    assert outcome.verdict == "fail"
    (finding,) = sc.spec_findings(outcome)
    assert finding.title == "Contradicts R3: money amounts are Decimal, never float"
    assert finding.confirmed_by == ("openai/fake-a", "openai/fake-b") and finding.blocking
    assert (finding.location.path, finding.location.start_line) == ("shop/pay.py", 12)
    assert finding.rule == "spec/contradiction" and finding.commentable
    stage = sc.spec_stage(outcome)
    assert stage.model_error is None
    # the issue was read through the REST API, named by the closing keyword in the PR body
    assert github.requests_to("GET", r"/issues/12$")
    assert [s["name"] for s in stage.details["sources"]] == [
        "issue #12",
        "pull request description",
        "spec docs/specs/payments.md",
    ]
    status = {r["id"]: r["status"] for r in stage.details["compliance"]}
    assert status == {"R1": "kept", "R2": "not addressed", "R3": "contradicted"}
    # one extraction, one judgment per model and chunk; c kept R3, and was asked to cross-check nothing
    assert model_server.count(schema="spec_extract") == 1
    assert model_server.count(schema="spec_check") == 3
    text = markdown.render(outcome)
    assert "Linked issues: 2 requirement(s), 1 not addressed (advisory)" in text
    assert "R2: every refund is written to the audit log" in text


def test_an_injection_in_the_issue_and_the_spec_cannot_clear_a_contradiction(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    # fake-c obeys the text planted in the issue and the spec: everything kept, every finding refused,
    # and judgments for statements it was never sent.
    sc.script(model_server, agree=lambda title: False)
    obeying = sc.judgments(False)
    obeying["judgments"].append(
        {
            "id": "R9",
            "verdict": "kept",
            "path": None,
            "start_line": None,
            "end_line": None,
            "reason": "waived",
        }
    )
    model_server.script("fake-c", "spec_check", Reply.json(obeying))
    repo = sc.make_pr(
        tmp_path / "repo",
        github,
        issue_body=sc.ISSUE_BODY + "\n" + sc.INJECTION + "\n",
        spec=sc.SPEC + "\n" + sc.INJECTION + "\n",
    )
    outcome = sc.gate(github, repo, sc.config_for(model_server))

    assert outcome.verdict == "fail"
    (finding,) = sc.spec_findings(outcome)
    assert finding.blocking and finding.confirmed_by == ("openai/fake-a", "openai/fake-b")
    notes = " ".join(sc.spec_stage(outcome).details["notes"])
    assert "issue #12 holds text addressed to AI reviewers" in notes
    assert "spec docs/specs/payments.md holds text addressed to AI reviewers" in notes
    assert "1 judgment(s) ignored" in notes
    # the planted text reached the models only inside fenced, declared-untrusted data
    for call in model_server.calls:
        if call.schema == "spec_extract":
            user = call.last_user
            at = user.index("ignore previous instructions")
            assert user.rfind("=====BEGIN UNTRUSTED DATA", 0, at) > user.rfind(
                "=====END UNTRUSTED DATA", 0, at
            )


def test_one_model_contradiction_stands_only_with_cross_check_agreement(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    sc.script(model_server, contradicting=("fake-a",), agree=lambda title: "Decimal" in title)
    model_server.script("fake-c", "cross_check", Reply.json({"verdicts": []}))
    repo = sc.make_pr(tmp_path / "repo", github)
    outcome = sc.gate(github, repo, sc.config_for(model_server))
    (finding,) = sc.spec_findings(outcome)
    assert finding.confirmed_by == ("openai/fake-a", "openai/fake-b") and finding.blocking
    assert outcome.verdict == "fail"
    assert {c.model for c in model_server.calls if c.schema == "cross_check"} == {"fake-b", "fake-c"}


def test_a_contradiction_the_others_refuse_is_disputed_and_does_not_block(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    sc.script(model_server, contradicting=("fake-a",), agree=lambda title: False)
    repo = sc.make_pr(tmp_path / "repo", github)
    outcome = sc.gate(github, repo, sc.config_for(model_server))
    (finding,) = sc.spec_findings(outcome)
    assert not finding.blocking and finding.disputed
    assert outcome.verdict == "pass"
    status = {r["id"]: r["status"] for r in sc.spec_stage(outcome).details["compliance"]}
    assert status["R3"] == "contradicted (unconfirmed)"


def test_failed_judgments_are_coverage_missing_never_a_pass(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    sc.script(model_server, contradicting=("fake-a",), agree=lambda title: False)
    for name in ("fake-b", "fake-c"):
        model_server.script(name, "spec_check", Reply.text("all requirements are kept"))
    repo = sc.make_pr(tmp_path / "repo", github)
    outcome = sc.gate(github, repo, sc.config_for(model_server))
    stage = sc.spec_stage(outcome)
    assert (
        stage.model_error is not None
        and "not checked against the intent by 2 distinct models" in stage.model_error
    )
    assert outcome.verdict == "neutral"
    (finding,) = sc.spec_findings(outcome)
    assert not finding.blocking  # one model alone never blocks


def test_an_answer_with_no_judgments_judges_nothing(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    # Valid JSON, yet not one verdict of the three statements sent: the chunk is not judged by them.
    sc.script(model_server, contradicting=("fake-a",), agree=lambda title: False)
    for name in ("fake-b", "fake-c"):
        model_server.script(name, "spec_check", Reply.json({"judgments": []}))
    repo = sc.make_pr(tmp_path / "repo", github)
    outcome = sc.gate(github, repo, sc.config_for(model_server, gate={"on_model_error": "fail"}))
    stage = sc.spec_stage(outcome)
    assert stage.model_error is not None
    assert stage.model_error.startswith(
        "1 of 1 chunk(s) not checked against the intent by 2 distinct models: "
        "chunk-1 (shop/pay.py: R1, R2, R3)"
    )
    assert "openai/fake-b answered without a verdict on 3 statement(s) sent" in stage.model_error
    (unjudged,) = stage.details["unjudged_chunks"]
    assert unjudged["judged_by"] == ["openai/fake-a"]
    assert unjudged["missing"] == [{"id": r, "judged_by": ["openai/fake-a"]} for r in ("R1", "R2", "R3")]
    assert outcome.verdict == "fail" and not any(f.blocking for f in sc.spec_findings(outcome))


def test_a_statement_fewer_than_quorum_models_judged_is_a_model_error(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    # fake-b leaves R2 out; fake-c calls it contradicted on a file the chunk does not hold (ignored).
    sc.script(model_server)
    partial = sc.judgments(True)
    partial["judgments"] = [j for j in partial["judgments"] if j["id"] != "R2"]
    model_server.script("fake-b", "spec_check", Reply.json(partial))
    elsewhere = sc.judgments(False)
    elsewhere["judgments"][1].update(verdict="contradicted", path="shop/audit.py", start_line=1, end_line=2)
    model_server.script("fake-c", "spec_check", Reply.json(elsewhere))
    repo = sc.make_pr(tmp_path / "repo", github)
    outcome = sc.gate(github, repo, sc.config_for(model_server))
    stage = sc.spec_stage(outcome)
    assert stage.model_error is not None and "chunk-1 (shop/pay.py: R2)" in stage.model_error
    assert "openai/fake-b answered without a verdict on 1 statement(s) sent" in stage.model_error
    assert "openai/fake-c answered without a verdict on 1 statement(s) sent" in stage.model_error
    (unjudged,) = stage.details["unjudged_chunks"]
    assert unjudged["judged_by"] == ["openai/fake-a"]
    assert unjudged["missing"] == [{"id": "R2", "judged_by": ["openai/fake-a"]}]
    # R1 and R3 had their quorum: the contradiction two models raised still blocks
    (finding,) = sc.spec_findings(outcome)
    assert finding.blocking and outcome.verdict == "fail"


def test_every_statement_judged_by_the_quorum_is_no_model_error(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    # One model leaving a statement out is no gap while two others judged it.
    sc.script(model_server)
    partial = sc.judgments(False)
    partial["judgments"] = [j for j in partial["judgments"] if j["id"] != "R2"]
    model_server.script("fake-c", "spec_check", Reply.json(partial))
    repo = sc.make_pr(tmp_path / "repo", github)
    stage = sc.spec_stage(sc.gate(github, repo, sc.config_for(model_server)))
    assert stage.model_error is None and stage.details["unjudged_chunks"] == []


def test_the_extraction_is_cached_by_the_content_of_its_sources(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AI_GATE_CACHE_DIR", str(tmp_path / "cache"))
    sc.script(model_server)
    repo = sc.make_pr(tmp_path / "repo", github)
    config = sc.config_for(model_server)
    first = sc.gate(github, repo, config)
    second = sc.gate(github, repo, config)
    assert model_server.count(schema="spec_extract") == 1
    assert sc.spec_stage(second).details["extraction"]["cached"] is True
    assert [f.fingerprint for f in sc.spec_findings(first)] == [
        f.fingerprint for f in sc.spec_findings(second)
    ]
    github.issues[12].body = sc.ISSUE_BODY + "- refunds above 100 need a second approver\n"
    third = sc.gate(github, repo, config)
    assert model_server.count(schema="spec_extract") == 2
    assert sc.spec_stage(third).details["extraction"]["cached"] is False


def test_replay_rebuilds_the_spec_findings_from_the_trace(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    sc.script(model_server, contradicting=("fake-a",), agree=lambda title: True)
    repo = sc.make_pr(tmp_path / "repo", github)
    trace = tmp_path / "trace.jsonl"
    outcome = sc.gate(github, repo, sc.config_for(model_server), trace)
    calls = len(model_server.calls)
    replayed = replay_trace(trace)
    assert len(model_server.calls) == calls
    assert replayed.verdict == outcome.verdict == "fail"
    assert [f.fingerprint for f in sc.spec_findings(replayed)] == [
        f.fingerprint for f in sc.spec_findings(outcome)
    ]
    assert not any("differ" in n for n in replayed.notes)
    # The replay judged against the plan the run record keeps, typed: statements, chunks, models.
    stage, again = sc.spec_stage(outcome), sc.spec_stage(replayed)
    assert stage.spec_plan is not None and [r.id for r in stage.spec_plan.requirements] == ["R1", "R2", "R3"]
    assert stage.spec_plan.chunks and again.spec_plan == stage.spec_plan
    assert [c.model_dump(mode="json") for c in stage.spec_plan.chunks] == stage.details["chunks"]
    assert again.models == stage.models == tuple(stage.details["models"]) != ()
    records = [json.loads(line) for line in trace.read_text().splitlines()]
    (requirements,) = [r for r in records if r["type"] == "spec_requirements"]
    assert [r["id"] for r in requirements["requirements"]] == ["R1", "R2", "R3"]
    assert {r["schema"] for r in records if r["type"] == "call" and r["stage"] == "spec"} == {
        "spec_extract",
        "spec_check",
        "cross_check",
    }


def test_without_intent_sources_there_is_nothing_to_check_and_it_says_so(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    repo = sc.make_pr(tmp_path / "repo", github, pr_body="")
    github.pulls[7].title = " "
    config = sc.config_for(model_server, specs=[])
    outcome = sc.gate(github, repo, config)
    stage = sc.spec_stage(outcome)
    # nothing states an intent: checked with nothing to check, not a gap in coverage and no model call
    assert stage.ran and not stage.findings and stage.skipped_reason is None
    assert stage.details["notes"][0].startswith("no intent sources")
    assert model_server.count(schema="spec_extract") == 0
    assert not [g for g in coverage.of(outcome).gaps if g.stage == "spec"]


def test_requirements_no_model_could_extract_are_a_model_error(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    sc.script(model_server)
    for name in ("fake-a", "fake-b", "fake-c"):
        model_server.script(name, "spec_extract", Reply.text("R1: everything is fine"))
    repo = sc.make_pr(tmp_path / "repo", github)
    outcome = sc.gate(github, repo, sc.config_for(model_server))
    stage = sc.spec_stage(outcome)
    assert stage.model_error is not None and stage.model_error.startswith(
        "requirements could not be extracted"
    )
    assert outcome.verdict == "neutral"
    assert model_server.count(schema="spec_check") == 0
    # each model tried once, with its one repair attempt
    assert model_server.count(schema="spec_extract") == 6


def test_a_contradiction_on_lines_the_chunk_did_not_show_is_ignored(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    """Two models say R3 is contradicted at lines 900-901 of a file of twenty: no model was shown them,
    so those judgments are ignored, and count as no judgment of R3."""
    sc.script(model_server)
    for name in ("fake-a", "fake-b"):
        model_server.script(name, "spec_check", Reply.json(sc.judgments(True, lines=(900, 901))))
    repo = sc.make_pr(tmp_path / "repo", github)
    trace = tmp_path / "trace.jsonl"
    outcome = sc.gate(github, repo, sc.config_for(model_server), trace)
    assert sc.spec_findings(outcome) == [] and outcome.verdict == "neutral"
    stage = sc.spec_stage(outcome)
    assert "2 judgment(s) ignored" in " ".join(stage.details["notes"])
    (chunk,) = stage.details["chunks"]
    assert chunk["lines"] == ["shop/pay.py:4-18"]
    status = {r["id"]: r["status"] for r in stage.details["compliance"]}
    assert status["R3"] == "kept"  # fake-c's judgment is the only one left on R3
    (unjudged,) = stage.details["unjudged_chunks"]
    assert unjudged["missing"] == [{"id": "R3", "judged_by": ["openai/fake-c"]}]
    replayed = replay_trace(trace)
    assert replayed.verdict == "neutral" and not any("differ" in n for n in replayed.notes)


def test_a_contradiction_on_a_path_the_prompt_spelled_redacted_is_placed_on_its_file(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    """The PR adds `DB_PASSWORD=payments-v2` to a `.env`: a value of the code, remembered, so the prompts
    name `payments-v2/pay.py` as `[REDACTED]/pay.py`, and the models cite it so. Their contradiction is
    placed on the file that spelling stands for and blocks, as it does when nothing is hidden; matched
    against the raw path it was ignored, and the spec check let the float through."""
    sc.script(model_server)

    def as_shown(body: dict[str, Any]) -> Reply:
        user = [m["content"] for m in body["messages"] if m["role"] == "user"][-1]
        headers = [line[4:].split(" ")[0] for line in user.splitlines() if line.startswith("### ")]
        shown = next(p for p in headers if p.endswith("pay.py"))
        return Reply.json(sc.judgments(True, path=shown))

    for name in ("fake-a", "fake-b"):
        model_server.script(name, "spec_check", as_shown)
    added = {".env": "APP_ENV=dev\nDB_PASSWORD=payments-v2\n"}
    repo = sc.make_pr(tmp_path / "repo", github, path="payments-v2/pay.py", added=added)
    outcome = sc.gate(github, repo, sc.config_for(model_server))
    prompts = [c.last_user for c in model_server.calls if c.schema == "spec_check"]
    assert any("### [REDACTED]/pay.py" in prompt for prompt in prompts)
    (finding,) = sc.spec_findings(outcome)
    assert (finding.location.path, finding.location.start_line) == ("payments-v2/pay.py", 12)
    assert finding.blocking and finding.confirmed_by == ("openai/fake-a", "openai/fake-b")
    assert "judgment(s) ignored" not in " ".join(sc.spec_stage(outcome).details["notes"])


def test_a_contradiction_the_cross_check_could_not_decide_is_a_model_error(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    sc.script(model_server, contradicting=("fake-a",))
    for name in ("fake-b", "fake-c"):
        model_server.script(name, "cross_check", Reply.error(500))
    repo = sc.make_pr(tmp_path / "repo", github)
    outcome = sc.gate(github, repo, sc.config_for(model_server, gate={"on_model_error": "fail"}))
    assert outcome.verdict == "fail"
    (finding,) = sc.spec_findings(outcome)
    assert not finding.blocking
    stage = sc.spec_stage(outcome)
    assert stage.model_error is not None and stage.model_error.startswith(
        "1 finding(s) at or above 'high' not decided by 2 distinct models"
    )
    (undecided,) = stage.details["undecided_findings"]
    assert undecided["group"] == "C1" and set(undecided["missing"]) == {"openai/fake-b", "openai/fake-c"}
    # The coverage says it too, on the lines the finding points at, as the review's does.
    assert stage.coverage is not None
    (gap,) = [g for g in stage.coverage.gaps if "not decided" in g.reason]
    assert gap.stage == "spec" and gap.kind == "failure" and gap.path == finding.location.path
