"""A stage that breaks loses nothing else: the other stages' findings stay, the verdict says so."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from gate.analyzers import SecretsAnalyzer, WeakenedTestsAnalyzer
from gate.config.models import Config
from gate.models.trace import TraceWriter
from gate.pipeline import run
from gate.report.json_v1 import to_dict
from gate.report.markdown import render
from gate.run import RunContext, Services, Stage, StageResult, run_sync
from tests.analyzers.gitrepo import change

TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"


class Broken:
    id = "phantom-symbols"
    description = "a stage with a defect"
    docs = "https://example.invalid/#phantom-symbols"
    reads_learning = False
    reads_provenance = False
    runs_first = False

    def run(self, ctx: RunContext) -> StageResult:
        raise RuntimeError(f"index out of range while reading {TOKEN}\nsecond line")


def _run(tmp_path: Path, files: dict[str, str | bytes | None], stages: list[Stage]) -> dict[str, object]:
    before: dict[str, str | bytes | None] = {
        "app.py": "def f():\n    return 1\n",
        "tests/test_a.py": "def test_a():\n    assert f() == 1\n",
    }
    changeset = change(tmp_path, before, {"app.py": "def f():\n    return 2\n", **files})
    return to_dict(run(RunContext(changeset=changeset, config=Config()), stages))


def test_a_broken_stage_fails_the_verdict_and_keeps_the_rest(tmp_path: Path) -> None:
    report = _run(tmp_path, {"tests/test_a.py": "def test_a():\n    pass\n"}, [Broken(), SecretsAnalyzer()])
    assert report["verdict"] == "fail"  # gate.on_stage_error: fail, the default
    stage = report["stages"]["phantom-symbols"]  # type: ignore[index]
    assert stage["ran"] is False and stage["skipped_reason"] == "stage failed"
    assert stage["error"].startswith("RuntimeError: index out of range while reading ")
    assert TOKEN not in json.dumps(report)  # an exception's text is redacted like everything else
    assert "second line" not in stage["error"]
    assert report["stages"]["secrets"]["ran"] is True  # type: ignore[index]
    assert any("phantom-symbols: RuntimeError" in r for r in report["reasons"])  # type: ignore[union-attr]


def test_a_confirmed_finding_still_fails_when_another_stage_broke(tmp_path: Path) -> None:
    files: dict[str, str | bytes | None] = {
        "tests/test_a.py": (
            "import pytest\n\n@pytest.mark.skip(reason='x')\ndef test_a():\n    assert f() == 1\n"
        )
    }
    report = _run(tmp_path, files, [Broken(), WeakenedTestsAnalyzer()])
    assert report["verdict"] == "fail"
    assert [f["stage"] for f in report["findings"]] == ["weakened-tests"]  # type: ignore[index,union-attr]


def test_the_summary_names_the_broken_stage(tmp_path: Path) -> None:
    changeset = change(tmp_path, {"a.py": "x = 1\n"}, {"a.py": "x = 2\n"})
    outcome = run(RunContext(changeset=changeset, config=Config()), [Broken()])
    summary = render(outcome)
    assert "error: RuntimeError: index out of range" in summary and TOKEN not in summary


def test_the_trace_keeps_the_broken_stage_s_stack_redacted(tmp_path: Path) -> None:
    changeset = change(tmp_path, {"a.py": "x = 1\n"}, {"a.py": "x = 2\n"})
    path = tmp_path / "trace.jsonl"
    with TraceWriter.open(path) as trace:
        run(RunContext(changeset=changeset, config=Config(), services=Services(trace=trace)), [Broken()])
    [record] = [r for r in map(json.loads, path.read_text().splitlines()) if r["type"] == "error"]
    assert record["stage"] == "phantom-symbols"
    assert record["where"][-1].startswith("test_pipeline.py:") and record["where"][-1].endswith(" in run")
    assert any(w.startswith("gate/pipeline.py:") for w in record["where"])  # no machine paths
    assert "Traceback" not in path.read_text() and TOKEN not in path.read_text()


def test_run_sync_works_from_plain_code_and_from_inside_an_event_loop() -> None:
    async def answer(value: int) -> int:
        await asyncio.sleep(0)
        return value

    async def failing() -> int:
        raise ValueError("boom")

    assert run_sync(answer(1)) == 1

    async def host() -> int:  # an async host calling a stage's synchronous run()
        with pytest.raises(ValueError, match="boom"):
            run_sync(failing())
        return run_sync(answer(2))

    assert asyncio.run(host()) == 2


def test_what_is_scanned_while_the_child_works_covers_every_string_the_report_holds_of_the_results() -> None:
    # The report's redaction then answers those strings from that scan: a string left out costs a scan
    # at the end of the run, on its critical path (a large change's thousands of fingerprints and paths).
    from gate.pipeline import _texts
    from gate.redact import strings_in
    from gate.schema.finding import ReportFinding
    from tests.schema.test_report_finding import _shapes

    findings = tuple(_shapes())
    result = StageResult(
        stage="phantom-symbols",
        ran=True,
        why="runs on every PR",
        findings=findings,
        details={"files_checked": ["pkg/organization/workload_identity_providers.py"], "modules": 1},
    )
    held = strings_in(dict(result.details))
    for finding in findings:
        held += strings_in(ReportFinding.of(finding).model_dump(mode="json"))
    # Field names and the values the gate writes itself (stages, rules, severities, models) hold no
    # secret; every other string must have been scanned.
    own = set(ReportFinding.model_fields) | {"files_checked", "modules"}
    own |= {f.stage for f in findings} | {f.rule for f in findings} | {"high", "critical", "low"}
    own |= {
        model for f in findings for model in (*f.confirmed_by, *f.said("raised_by"), *f.said("disagreed_by"))
    }
    assert {s for s in held if s not in own} <= set(_texts([result]))
