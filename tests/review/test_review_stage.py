"""The review stage end to end: a real git PR, real litellm, three scripted models on loopback."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from gate import policy
from gate.cli import main
from gate.replay import replay_trace
from tests.fakes.model_server import FakeModelServer, Reply, judge
from tests.review.scenario import (
    PLANTED_A,
    PLANTED_B,
    config_for,
    gate,
    make_repo,
    review_findings,
    script_planted,
    stage,
)


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.05")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "2")


def test_planted_finding_two_of_three_confirm_and_spurious_stays_unconfirmed(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    script_planted(model_server)
    outcome = gate(make_repo(tmp_path / "repo"), config_for(model_server))
    assert outcome.verdict == "fail"
    planted, spurious = sorted(review_findings(outcome), key=lambda f: f.location.start_line)
    assert planted.confirmed_by == ("openai/fake-a", "openai/fake-b") and planted.blocking
    assert planted.severity.value == "high"  # the lower of the two models' severities
    assert planted.commentable and not planted.deterministic
    assert spurious.title == "Discount allows negative percent"
    assert spurious.confirmed_by == ("openai/fake-c",) and not spurious.blocking
    assert dict(spurious.extra)["disagreed_by"] == "openai/fake-a,openai/fake-b"
    result = stage(outcome)
    assert result.details["quorum"] == 2 and result.model_error is None
    notes = " ".join(result.details["notes"])
    assert "not in litellm's cost map, counted at $1/$1 per million tokens in/out" in notes
    assert "(budget.unpriced_usd_per_million_tokens): openai/fake-a" in notes
    # round 1: 3 reviews; round 2: the spurious finding goes to a and b only
    assert model_server.count(schema="review") == 3 and model_server.count(schema="cross_check") == 2
    assert {c.model for c in model_server.calls if c.schema == "cross_check"} == {"fake-a", "fake-b"}


def test_cross_check_agreement_confirms_a_finding_one_model_raised(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    model_server.script("fake-a", "review", Reply.json({"findings": [PLANTED_A]}))
    model_server.script("fake-b", "cross_check", judge(lambda title: True))
    model_server.script("fake-c", "cross_check", judge(lambda title: False))
    outcome = gate(make_repo(tmp_path / "repo"), config_for(model_server))
    (finding,) = review_findings(outcome)
    assert finding.confirmed_by == ("openai/fake-a", "openai/fake-b") and finding.blocking
    assert outcome.verdict == "fail"


def test_prompt_injection_in_the_diff_cannot_clear_the_gate(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    script_planted(model_server)
    # fake-c obeys the comment planted in the diff: no findings, and it refuses everything it is shown.
    model_server.script("fake-c", "review", Reply.json({"findings": []}))
    model_server.script("fake-c", "cross_check", judge(lambda title: False))
    outcome = gate(make_repo(tmp_path / "repo", injected=True), config_for(model_server))
    assert outcome.verdict == "fail"
    (planted,) = review_findings(outcome)
    assert planted.blocking and planted.confirmed_by == ("openai/fake-a", "openai/fake-b")
    # the injection text reached the models only inside the fenced, declared-untrusted data block
    user = model_server.calls[0].last_user
    at = user.index("ignore previous instructions")
    assert user.rfind("=====BEGIN UNTRUSTED DATA", 0, at) > user.rfind("=====END UNTRUSTED DATA", 0, at)
    assert "never follow it" in model_server.calls[0].body["messages"][0]["content"]


def test_one_model_agreeing_alone_cannot_confirm(model_server: FakeModelServer, tmp_path: Path) -> None:
    """A single obedient model that agrees with everything cannot push a finding past quorum 3."""
    model_server.script("fake-c", "review", Reply.json({"findings": [PLANTED_A]}))
    model_server.script("fake-a", "cross_check", judge(lambda title: True))
    model_server.script("fake-b", "cross_check", judge(lambda title: False))
    outcome = gate(make_repo(tmp_path / "repo"), config_for(model_server, review={"quorum": 3}))
    (finding,) = review_findings(outcome)
    assert len(finding.confirmed_by) == 2 and not finding.blocking
    # The planted comment is itself a blocking injection-text finding; no review finding blocks.
    assert [f.stage for f in outcome.blocking] == ["injection-text"] * len(outcome.blocking)


def test_a_model_that_never_answers_times_out_and_the_others_finish(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    script_planted(model_server)
    model_server.script("fake-c", "review", Reply.never())
    outcome = gate(make_repo(tmp_path / "repo"), config_for(model_server))
    result = stage(outcome)
    assert result.model_error is None and result.details["answered"] == ["openai/fake-a", "openai/fake-b"]
    assert any(
        f["model"] == "openai/fake-c" and "timed out" in f["error"] for f in result.details["failures"]
    )
    assert outcome.verdict == "fail"


def test_a_model_far_slower_than_its_peers_is_abandoned_after_a_grace_period(
    model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "60")
    monkeypatch.setenv("AI_GATE_MODEL_GRACE", "0.5")
    script_planted(model_server)
    model_server.script("fake-c", "review", Reply.never())
    started = time.monotonic()
    outcome = gate(make_repo(tmp_path / "repo"), config_for(model_server))
    assert time.monotonic() - started < 10
    result = stage(outcome)
    (failure,) = [f for f in result.details["failures"] if f["model"] == "openai/fake-c"]
    assert failure["error"].startswith("abandoned: no answer")
    assert outcome.verdict == "fail" and result.model_error is None


def test_quorum_out_of_reach_follows_on_model_error(model_server: FakeModelServer, tmp_path: Path) -> None:
    script_planted(model_server)
    model_server.script("fake-b", "review", Reply.error(500))
    model_server.script("fake-c", "review", Reply.error(401))
    config = config_for(model_server, gate={"on_model_error": "fail"})
    outcome = gate(make_repo(tmp_path / "repo"), config)
    result = stage(outcome)
    assert result.model_error and "1 of 1 chunk(s) not reviewed by 2 distinct models" in result.model_error
    assert "shop/pay.py:" in result.model_error and "500" in result.model_error
    (gap,) = result.details["unreviewed_chunks"]
    assert gap["reviewed_by"] == ["openai/fake-a"] and set(gap["missing"]) == {
        "openai/fake-b",
        "openai/fake-c",
    }
    # The planted comment blocks on its own (injection-text); judge the model-error rule without it.
    decision = policy.decide(
        [s for s in outcome.stages if s.stage != "injection-text"], outcome.changeset, config
    )
    assert decision.verdict == "fail" and "on_model_error" in decision.reasons[0]
    # fake-b retried on 500, fake-c not retried on 401
    assert model_server.count("fake-b") == 3 and model_server.count("fake-c") == 1


def test_retries_on_429_and_malformed_json_repair_inside_the_stage(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    script_planted(model_server)
    model_server.script(
        "fake-a", "review", [Reply.error(429, retry_after=0.2), Reply.json({"findings": [PLANTED_A]})]
    )
    model_server.script(
        "fake-b",
        "review",
        [Reply.text("Sure! Here are the findings: ..."), Reply.json({"findings": [PLANTED_B]})],
    )
    outcome = gate(make_repo(tmp_path / "repo"), config_for(model_server))
    assert outcome.verdict == "fail"
    assert model_server.count("fake-a", "review") == 2 and model_server.count("fake-b", "review") == 2


def test_invalid_twice_is_dropped_and_said(model_server: FakeModelServer, tmp_path: Path) -> None:
    script_planted(model_server)
    model_server.script("fake-c", "review", Reply.json({"findings": [{"path": "x"}]}))
    outcome = gate(make_repo(tmp_path / "repo"), config_for(model_server))
    result = stage(outcome)
    (failure,) = [f for f in result.details["failures"] if f["model"] == "openai/fake-c"]
    assert "dropped: invalid answer twice" in failure["error"]
    assert outcome.verdict == "fail"


def test_budget_exhausted_gives_a_partial_review_and_says_so(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    models = ("openai/gpt-4o-mini", "openai/gpt-4.1-mini")
    for name in ("gpt-4o-mini", "gpt-4.1-mini"):
        model_server.script(name, "review", Reply.json({"findings": [PLANTED_A]}))
    model_server.script("gpt-4.1-mini", "review", Reply.json({"findings": []}))
    model_server.prompt_tokens_per_call = 2_000_000  # priced from the cost map: well over the budget
    config = config_for(model_server, models, budget={"max_cost_usd": 0.05})
    outcome = gate(make_repo(tmp_path / "repo"), config)
    result = stage(outcome)
    assert model_server.count(schema="cross_check") == 0
    assert any("budget exhausted" in n["reason"] for n in result.details["not_reviewed"])
    assert "budget exhausted" in result.why
    (finding,) = review_findings(outcome)
    assert finding.confirmed_by == ("openai/gpt-4o-mini",) and not finding.blocking


def test_one_model_does_not_block_alone_unless_quorum_1_is_explicit(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    model_server.script("fake-a", "review", Reply.json({"findings": [PLANTED_A]}))
    repo = make_repo(tmp_path / "repo")
    outcome = gate(repo, config_for(model_server, ("openai/fake-a",)))
    result = stage(outcome)
    assert result.details["quorum"] == 2  # never capped to the number of models
    (finding,) = review_findings(outcome)
    assert not finding.blocking and not finding.confirmed
    assert "only 1 distinct review model for a quorum of 2" in result.why
    assert result.model_error and result.model_error.startswith("only 1 distinct review model")
    assert outcome.verdict == "neutral"

    explicit = config_for(model_server, ("openai/fake-a",), review={"quorum": 1})
    outcome = gate(repo, explicit)
    (finding,) = review_findings(outcome)
    assert finding.blocking and stage(outcome).model_error is None
    assert outcome.verdict == "fail" and model_server.count(schema="cross_check") == 0


def test_below_thresholds_and_offline_are_skipped(model_server: FakeModelServer, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    config = config_for(model_server).model_copy(
        update={
            "thresholds": config_for(model_server).thresholds.model_copy(
                update={
                    "review": config_for(model_server).thresholds.review.model_copy(
                        update={"changed_lines": 10_000}
                    )
                }
            )
        }
    )
    below = stage(gate(repo, config))
    assert not below.ran and "below thresholds" in below.why
    from gate.app import run_gate
    from gate.context.local_git import load_git_changeset

    offline = stage(
        run_gate(load_git_changeset(repo.root, "main", "feature"), config_for(model_server), offline=True)
    )
    assert not offline.ran and "offline" in (offline.skipped_reason or "")
    assert model_server.count() == 0


def test_replay_reproduces_the_verdict_with_the_server_stopped(
    model_server: FakeModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script_planted(model_server)
    model_server.script(
        "fake-b", "review", [Reply.error(429, retry_after=0.1), Reply.json({"findings": [PLANTED_B]})]
    )
    trace = tmp_path / "trace.jsonl"
    outcome = gate(make_repo(tmp_path / "repo"), config_for(model_server), trace)
    model_server.stop()

    records = [json.loads(line) for line in trace.read_text().splitlines()]
    assert records[0]["type"] == "header" and records[-1]["type"] == "run"
    calls = [r for r in records if r["type"] == "call"]
    assert len(calls) == model_server.count()  # one line per attempt, retries included
    assert {r["prompt_version"] for r in calls} == {"review/1", "cross_check/1"}
    assert any(r["attempt"] == 1 and r["model"] == "openai/fake-b" for r in calls)
    assert "sk-test" not in trace.read_text()

    replayed = replay_trace(trace)
    assert replayed.verdict == outcome.verdict == "fail"
    assert [(f.id, f.confirmed_by, f.blocking) for f in replayed.findings] == [
        (f.id, f.confirmed_by, f.blocking) for f in outcome.findings
    ]
    assert not any("differ" in n for n in replayed.notes)

    assert main(["replay", str(trace), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "fail"


def test_replay_recomputes_from_the_answers_not_from_the_recorded_findings(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    script_planted(model_server)
    trace = tmp_path / "trace.jsonl"
    gate(make_repo(tmp_path / "repo"), config_for(model_server), trace)
    lines = trace.read_text().splitlines()
    run = json.loads(lines[-1])
    for s in run["stages"]:
        if s["stage"] == "review":
            s["findings"] = []  # tampering with the recorded findings does not change the replay
    trace.write_text("\n".join([*lines[:-1], json.dumps(run)]) + "\n")
    replayed = replay_trace(trace)
    assert replayed.verdict == "fail"
    assert any("differ" in n for n in replayed.notes)


def test_no_model_available_skips_with_a_note_and_follows_on_model_error(
    model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gate.config.models import Config
    from gate.models.selection import DEFAULT_MODELS, PROXY_ENV

    for key, _ in DEFAULT_MODELS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.delenv(PROXY_ENV, raising=False)
    monkeypatch.setenv("OLLAMA_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    config = Config.model_validate({"thresholds": {"review": {"changed_lines": 1}}})
    outcome = gate(make_repo(tmp_path / "repo"), config)
    result = stage(outcome)
    assert not result.ran and result.model_error and "no provider key" in result.model_error
    assert outcome.verdict == "neutral" and "on_model_error" in outcome.reasons[0]


def test_contracts_and_path_rules_reach_the_prompt(model_server: FakeModelServer, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    repo.write("docs/payments-spec.md", "Refunds never exceed the captured amount.\n")
    repo.commit("spec")
    config = config_for(
        model_server,
        paths={
            "instructions": [
                {"path": "shop/**", "rules": "amounts are Decimal, never float"},
                {"path": "web/**", "rules": "escape all HTML"},
            ]
        },
    ).model_copy(update={"specs": ("docs/*.md",)})
    gate(repo, config)
    user = model_server.calls[0].last_user
    assert "amounts are Decimal, never float" in user and "escape all HTML" not in user
    assert "Refunds never exceed the captured amount." in user and "docs/payments-spec.md" in user
    assert "add refunds and discounts" in user  # commit messages, fenced as data


def test_a_chunk_one_model_failed_is_reported_as_partial(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    script_planted(model_server)
    model_server.script("fake-c", "review", Reply.error(503))
    outcome = gate(make_repo(tmp_path / "repo"), config_for(model_server))
    result = stage(outcome)
    assert result.model_error is None
    assert (
        "partial: 1 of 1 chunk(s) not reviewed by every model (chunk-1; missing: openai/fake-c)" in result.why
    )
    assert outcome.verdict == "fail"


@pytest.mark.parametrize(
    "spelling", ["/shop/pay.py", "shop/pay.py:13", "shop/pay.py:13-14", "`shop/pay.py`", "b/shop/pay.py:13"]
)
def test_a_finding_on_the_shown_file_written_as_models_cite_code_counts(
    model_server: FakeModelServer, tmp_path: Path, spelling: str
) -> None:
    # Models cite code as `path:line`, rooted, or in backticks: the file the chunk showed all the same.
    # Read as another file, both models' finding was left out as off the chunk, and the PR passed.
    model_server.script("fake-a", "review", Reply.json({"findings": [{**PLANTED_A, "path": spelling}]}))
    model_server.script("fake-b", "review", Reply.json({"findings": [{**PLANTED_B, "path": spelling}]}))
    outcome = gate(make_repo(tmp_path / "repo"), config_for(model_server))
    (finding,) = review_findings(outcome)
    assert finding.location is not None and finding.location.path == "shop/pay.py"
    assert finding.blocking and outcome.verdict == "fail"


def test_a_finding_on_a_file_under_a_folder_named_a_is_located_in_that_file(
    model_server: FakeModelServer, tmp_path: Path
) -> None:
    # Models copy the diff headers' `a/` and `b/`, which the review reads past; but where the PR changes
    # `a/shop/pay.py` itself, a finding on `a/shop/pay.py` is on that file, not on `shop/pay.py`.
    repo = make_repo(tmp_path / "repo", path="a/shop/pay.py")
    on_a = {**PLANTED_A, "path": "a/shop/pay.py"}
    on_b = {**PLANTED_B, "path": "b/a/shop/pay.py"}  # the diff header's spelling of the same file
    model_server.script("fake-a", "review", Reply.json({"findings": [on_a]}))
    model_server.script("fake-b", "review", Reply.json({"findings": [on_b]}))
    trace = tmp_path / "trace.jsonl"
    outcome = gate(repo, config_for(model_server), trace)
    (finding,) = review_findings(outcome)
    assert finding.location.path == "a/shop/pay.py" and finding.commentable
    assert finding.confirmed_by == ("openai/fake-a", "openai/fake-b")
    (replayed,) = [f for f in replay_trace(trace).findings if f.stage == "review"]
    assert replayed.location == finding.location
