"""`spec-drift`: code a spec governs changed mostly by AI without the spec, and a spec without its code,
on real repositories through the whole gate (offline: no model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.app import run_gate
from gate.cli import main
from gate.config.models import Config
from gate.context.local_git import load_git_changeset
from gate.run import Outcome
from tests.gitrepo import GitRepo

CLAUDE = "\n\nCo-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>"
SPEC = '---\ngoverns: ["src/payments/**"]\n---\n# Payments\n\n1. Amounts are Decimal, never float.\n'
CONFIG = Config(specs=("docs/specs/*.md",))


def base_repo(root: Path) -> GitRepo:
    repo = GitRepo(root)
    repo.write("docs/specs/payments.md", SPEC)
    repo.write(
        "src/payments/refund.py", "from decimal import Decimal\n\n\ndef refund(a):\n    return Decimal(a)\n"
    )
    repo.write("src/web/page.py", "def page():\n    return ''\n")
    repo.commit("base")
    repo.branch("feature")
    return repo


REFUND_AI = (
    "from decimal import Decimal\n\n\ndef refund(a):\n    return Decimal(a)\n\n\n"
    "def partial_refund(a, share):\n    value = float(a) * share\n    return round(value, 2)\n"
)


def run(repo: GitRepo, config: Config = CONFIG) -> Outcome:
    return run_gate(load_git_changeset(repo.root, "main", "feature"), config, offline=True)


def drift_findings(outcome: Outcome) -> list:
    return [f for f in outcome.findings if f.stage == "spec-drift"]


def test_ai_code_changed_without_its_spec_is_an_advisory_finding_naming_the_spec(tmp_path: Path) -> None:
    repo = base_repo(tmp_path / "repo")
    repo.write("src/payments/refund.py", REFUND_AI)
    repo.commit("Add partial refunds" + CLAUDE)
    outcome = run(repo)
    [finding] = drift_findings(outcome)
    assert finding.rule == "spec-drift" and finding.advisory and not finding.blocking
    assert "docs/specs/payments.md" in finding.title and "docs/specs/payments.md" in finding.body
    assert finding.location is not None and finding.location.path == "src/payments/refund.py"
    assert (finding.location.start_line, finding.location.end_line) == (6, 10)
    assert finding.commentable  # on the changed lines
    # It blocks nothing: the run is neutral only because the review its AI share calls for is not run
    # offline.
    assert outcome.verdict == "neutral" and not any(f.blocking for f in outcome.findings)
    assert sorted(r.stage for r in outcome.stages if r.model_error) == ["regen", "review", "spec"]


def test_no_drift_when_the_spec_is_touched_or_the_code_is_human_or_ungoverned(tmp_path: Path) -> None:
    repo = base_repo(tmp_path / "touched")
    repo.write("src/payments/refund.py", REFUND_AI)
    repo.write("docs/specs/payments.md", SPEC + "2. Partial refunds round to cents.\n")
    repo.commit("Add partial refunds" + CLAUDE)
    assert drift_findings(run(repo)) == []

    repo = base_repo(tmp_path / "human")
    repo.write("src/payments/refund.py", REFUND_AI)
    repo.commit("Add partial refunds by hand")
    assert drift_findings(run(repo)) == []

    repo = base_repo(tmp_path / "elsewhere")
    repo.write("src/web/page.py", "def page():\n    return '<p>'\n")
    repo.commit("Page markup" + CLAUDE)
    assert drift_findings(run(repo)) == []


def test_mostly_means_more_than_half_of_the_governed_added_lines(tmp_path: Path) -> None:
    repo = base_repo(tmp_path / "repo")
    human = "".join(f"H{i} = {i}\n" for i in range(6))
    repo.write("src/payments/human.py", human)
    repo.commit("constants by hand")
    repo.write("src/payments/ai.py", "".join(f"A{i} = {i}\n" for i in range(6)))
    repo.commit("more constants" + CLAUDE)
    outcome = run(repo)
    assert drift_findings(outcome) == []  # 6 of 12: not mostly
    row = next(s for s in outcome.stages if s.stage == "spec-drift").details["specs"][0]
    assert (row["added_lines"], row["ai_lines"]) == (12, 6)
    repo.write("src/payments/ai.py", "".join(f"A{i} = {i}\n" for i in range(7)))
    repo.commit("one more" + CLAUDE)
    assert [f.rule for f in drift_findings(run(repo))] == ["spec-drift"]


def test_a_spec_changed_without_its_code_is_noted(tmp_path: Path) -> None:
    repo = base_repo(tmp_path / "repo")
    repo.write("docs/specs/payments.md", SPEC + "2. Refunds are logged.\n")
    repo.commit("Say refunds are logged")
    [finding] = drift_findings(run(repo))
    assert finding.rule == "spec-without-code" and finding.advisory and not finding.blocking
    assert finding.location is not None and finding.location.path == "docs/specs/payments.md"
    assert finding.location.start_line == 7


def test_config_map_governs_and_specs_without_governs(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("docs/contract.txt", "1. Pages escape HTML.\n")
    repo.write("src/web/page.py", "def page():\n    return ''\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("src/web/page.py", "def page(x):\n    return f'<p>{x}</p>'\n")
    repo.commit("Render" + CLAUDE)
    assert drift_findings(run(repo, Config(specs=("docs/contract.txt",)))) == []
    skipped = next(
        s for s in run(repo, Config(specs=("docs/contract.txt",))).stages if s.stage == "spec-drift"
    )
    # no spec says what it governs: nothing to keep in step, said in a note (not a gap in coverage)
    assert skipped.ran and not skipped.findings and "governs" in skipped.details["notes"][0]
    mapped = Config.model_validate({"specs": [{"path": "docs/contract.txt", "governs": ["src/web/**"]}]})
    [finding] = drift_findings(run(repo, mapped))
    assert "docs/contract.txt" in finding.title


def test_nothing_to_check_without_specs_and_skipped_and_said_without_the_repository(tmp_path: Path) -> None:
    repo = base_repo(tmp_path / "repo")
    repo.write("src/payments/refund.py", REFUND_AI)
    repo.commit("Add partial refunds" + CLAUDE)
    result = next(s for s in run(repo, Config()).stages if s.stage == "spec-drift")
    # no specs: nothing to keep in step, so no gap in coverage either
    assert result.ran and not result.findings and result.details["notes"] == ["no specs configured"]
    patch = tmp_path / "change.mbox"
    patch.write_bytes(repo.format_patch("main..feature"))
    report = tmp_path / "report.json"
    config = tmp_path / "ai-gate.yml"
    config.write_text('specs: ["docs/specs/*.md"]\n')
    code = main(
        [
            "check",
            "--diff",
            str(patch),
            "--offline",
            "--config",
            str(config),
            "--format",
            "json",
            "--output",
            str(report),
        ]
    )
    assert code in (0, 1)
    stage = json.loads(report.read_text())["stages"]["spec-drift"]
    assert not stage["ran"] and "without its repository" in stage["skipped_reason"]


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_drift_is_in_the_report_and_summary(tmp_path: Path, fmt: str) -> None:
    repo = base_repo(tmp_path / "repo")
    repo.write("src/payments/refund.py", REFUND_AI)
    repo.commit("Add partial refunds" + CLAUDE)
    config = tmp_path / "ai-gate.yml"
    config.write_text('specs: ["docs/specs/*.md"]\n')
    out = tmp_path / f"report.{fmt}"
    code = main(
        [
            "check",
            "--repo",
            str(repo.root),
            "--base",
            "main",
            "--head",
            "feature",
            "--offline",
            "--config",
            str(config),
            "--format",
            fmt,
            "--output",
            str(out),
        ]
    )
    assert code == 0
    text = out.read_text()
    if fmt == "json":
        report = json.loads(text)
        [finding] = [f for f in report["findings"] if f["stage"] == "spec-drift"]
        assert finding["path"] == "src/payments/refund.py" and not finding["blocking"]
        assert report["stages"]["spec-drift"]["ran"]
    else:
        assert "docs/specs/payments.md" in text


def pick(report: dict) -> list:
    return [
        (f["rule"], f["path"], f["start_line"], f["fingerprint"])
        for f in report["findings"]
        if f["stage"] == "spec-drift"
    ]


def test_replay_keeps_the_drift_finding_and_the_map_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = base_repo(tmp_path / "repo")
    repo.write("src/payments/refund.py", REFUND_AI)
    repo.commit("Add partial refunds" + CLAUDE)
    config = tmp_path / "ai-gate.yml"
    config.write_text('specs:\n  - {path: "docs/specs/payments.md", governs: ["src/payments/**"]}\n')
    trace = tmp_path / "trace.jsonl"
    out = tmp_path / "report.json"
    argv = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature", "--offline"]
    assert (
        main(
            [*argv, "--config", str(config), "--format", "json", "--output", str(out), "--trace", str(trace)]
        )
        == 0
    )
    replayed = tmp_path / "replayed.json"
    assert main(["replay", str(trace), "--format", "json", "--output", str(replayed)]) == 0
    first, again = json.loads(out.read_text()), json.loads(replayed.read_text())
    assert pick(first) == pick(again) and len(pick(first)) == 1
    assert again["verdict"] == first["verdict"] == "neutral"  # the review is not run offline


def test_deleting_the_spec_is_not_a_quiet_way_past_the_check(tmp_path: Path) -> None:
    repo = base_repo(tmp_path / "repo")
    repo.write("src/payments/refund.py", REFUND_AI)
    repo.remove("docs/specs/payments.md")
    repo.commit("Add partial refunds, drop the old spec" + CLAUDE)
    [finding] = drift_findings(run(repo))
    assert finding.rule == "spec-removed" and finding.advisory and not finding.blocking
    assert "docs/specs/payments.md" in finding.title and "src/payments/refund.py" in finding.body
    repo = base_repo(tmp_path / "renamed")
    repo.git("mv", "docs/specs/payments.md", "docs/specs/money.md")
    repo.commit("Rename the spec")
    assert [f.rule for f in drift_findings(run(repo))] == ["spec-without-code"]
