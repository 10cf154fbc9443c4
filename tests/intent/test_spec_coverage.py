"""The report's coverage says what the `spec` stage checked the change against and what it did not: the
requirements drawn from the intent sources, those sent with the code they govern and judged by the
quorum, the files judged (by which models), the files no requirement governs, and each chunk the quorum
did not judge as a gap. A real git PR on the loopback GitHub, the real litellm over HTTP to three
scripted models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.context.model import TOO_LARGE
from gate.context.revisions import MAX_FILE_BYTES
from gate.github.limits import Room
from gate.replay import replay_trace
from gate.report import coverage, json_v1, markdown
from gate.report.github_summary import render_summary
from gate.report.github_view import ReportView
from tests.fakes.github_server import FakeGitHub, FakeIssue
from tests.fakes.model_server import FakeModelServer, Reply
from tests.github.conftest import pull_from_git
from tests.gitrepo import GitRepo
from tests.intent import scenario as sc

MODELS = ("openai/fake-a", "openai/fake-b", "openai/fake-c")


@pytest.fixture(autouse=True)
def _fast_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.05")
    monkeypatch.setenv("AI_GATE_MODEL_TIMEOUT", "2")
    monkeypatch.delenv("AI_GATE_CACHE_DIR", raising=False)


def test_the_report_says_which_requirements_and_files_the_spec_stage_judged(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    sc.script(model_server)
    repo = sc.make_pr(tmp_path / "repo", github)
    trace = tmp_path / "trace.jsonl"
    outcome = sc.gate(github, repo, sc.config_for(model_server), trace)
    cov = coverage.of(outcome)
    assert coverage.of(replay_trace(trace)).spec == cov.spec  # the trace keeps it for a replay
    spec = cov.spec
    assert spec is not None and spec.state == "reviewed" and spec.quorum == 2
    assert spec.requirements == spec.sent == spec.judged == ("R1", "R2", "R3")
    assert [(f.path, f.models) for f in spec.files] == [("shop/pay.py", MODELS)]
    assert not [g for g in cov.gaps if g.stage == "spec"]
    # in the JSON report, read back as every summary reads it, and said in the summary
    report = json_v1.to_dict(outcome)
    assert report["coverage"]["spec"]["judged"] == ["R1", "R2", "R3"]
    view = ReportView.parse(report, "report")
    said = "spec check: 3 of 3 requirements judged by the quorum on the code they govern"
    assert said in render_summary(view, room=Room(100_000)) and said in markdown.render(outcome)


def test_a_requirement_fewer_than_quorum_models_judged_is_a_gap_naming_it(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    sc.script(model_server)
    for name in ("fake-b", "fake-c"):
        partial = sc.judgments(name == "fake-b")
        partial["judgments"] = [j for j in partial["judgments"] if j["id"] != "R2"]
        model_server.script(name, "spec_check", Reply.json(partial))
    repo = sc.make_pr(tmp_path / "repo", github)
    outcome = sc.gate(github, repo, sc.config_for(model_server))
    cov = coverage.of(outcome)
    assert cov.spec is not None and cov.spec.sent == ("R1", "R2", "R3") and cov.spec.judged == ("R1", "R3")
    assert [(f.path, f.models) for f in cov.spec.files] == [("shop/pay.py", ("openai/fake-a",))]
    gaps = [g for g in cov.gaps if g.stage == "spec"]
    assert gaps and all(g.path == "shop/pay.py" and g.kind == "failure" for g in gaps)
    assert all("requirement(s) R2 (1 of 2: openai/fake-a)" in g.reason for g in gaps)
    assert not cov.complete


def test_files_no_requirement_governs_are_said_not_sent(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    """Without intent sources nothing is checked against them: every changed file is one no requirement
    governs, which is no gap."""
    repo = sc.make_pr(tmp_path / "repo", github, pr_body="")
    github.pulls[7].title = " "
    outcome = sc.gate(github, repo, sc.config_for(model_server, specs=[]))
    cov = coverage.of(outcome)
    assert cov.spec is not None and cov.spec.state == "reviewed" and cov.spec.requirements == ()
    assert "shop/pay.py" in cov.spec.ungoverned
    assert not [g for g in cov.gaps if g.stage == "spec"]


def test_a_report_written_before_the_spec_coverage_still_reads() -> None:
    data = {"schema_version": 1, "verdict": "pass", "coverage": {"files": 1, "analysed": 1}}
    view = ReportView.parse(data, "old report")
    assert view.coverage is not None and view.coverage.spec is None
    assert "spec check" not in render_summary(view, room=Room(10_000))


def test_a_file_too_large_to_read_is_sent_to_no_model_and_is_a_gap(
    github: FakeGitHub, model_server: FakeModelServer, tmp_path: Path
) -> None:
    """A changed file past the reader's size limit was not read whole when the change's secrets were
    learned: what only its place marks as a secret is not known, so none of its lines goes to a model,
    and the coverage says why."""
    sc.script(model_server)
    padding = "".join(f"# filler line {i:08d} " + "x" * 60 + "\n" for i in range(MAX_FILE_BYTES // 80 + 500))
    repo = GitRepo(tmp_path / "repo")
    repo.write("shop/pay.py", sc.BASE)
    repo.write("shop/ledger.py", "def post(entry):\n    return entry\n" + padding)
    repo.write(sc.SPEC_PATH, sc.SPEC)
    base = repo.commit("add payments, the ledger and their spec")
    repo.branch("feature")
    repo.write("shop/pay.py", sc.HEAD)
    repo.write("shop/ledger.py", "def post(entry):\n    return entry.rounded_in_ledger()\n" + padding)
    head = repo.commit("add refunds, round ledger entries")
    pull_from_git(github, repo, base, head, number=7, title="Add refunds", body=sc.PR_BODY)
    github.issues[12] = FakeIssue(12, sc.ISSUE_TITLE, sc.ISSUE_BODY)

    outcome = sc.gate(github, repo, sc.config_for(model_server))

    sent = [json.dumps(call.body) for call in model_server.calls]
    assert any("spec_check" in body and "refund" in body for body in sent), "nothing was checked"
    assert not any("rounded_in_ledger" in body for body in sent)
    cov = coverage.of(outcome)
    assert cov.spec is not None and [f.path for f in cov.spec.files] == ["shop/pay.py"]
    gaps = [(g.path, g.kind, g.reason) for g in cov.gaps if g.stage == "spec"]
    assert gaps == [
        (
            "shop/ledger.py",
            "failure",
            f"not sent to a model: its text at head was not read ({TOO_LARGE}), "
            "so its secrets are not all known",
        )
    ]
    assert not cov.complete
