"""The JSON report has one definition (`gate.schema`): `ai-gate report schema` prints its JSON Schema, real
reports (the bundled example, a model run with an incremental re-review, an Action run) validate against
it, a report with a field missing or of the wrong type does not, and the readers parse what the writer
wrote back to the same values."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any, get_args

import jsonschema
import pytest

from gate.cli import main
from gate.errors import InputError
from gate.findings import Confidence, Severity
from gate.schema.finding import ConfidenceName, ReportFinding, SeverityName
from gate.schema.report import Report
from tests.cli.test_cli import ai_gate
from tests.fakes.github_server import FakeGitHub
from tests.fakes.model_server import FakeModelServer
from tests.github.conftest import runner_env
from tests.github.test_action_e2e import make_pr, run_gate
from tests.review import incremental_scenario as sc

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ["check", "--diff", str(ROOT / "examples" / "ai-assisted-series.mbox"), "--offline"]
EXAMPLE_CONFIG = ["--config", str(ROOT / "examples" / "ai-gate.yml")]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    proc = ai_gate("report", "schema")
    assert proc.returncode == 0, proc.stderr
    printed: dict[str, Any] = json.loads(proc.stdout)
    jsonschema.Draft202012Validator.check_schema(printed)
    assert printed["properties"]["schema_version"]["const"] == 1
    return printed


def valid(report: dict[str, Any], schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(schema).validate(report)
    # the reader is the same model: it reads the report back to the very same values
    assert Report.parse(report, "report").model_dump(mode="json") == report


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    main([*argv, "--format", "json"])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def test_the_bundled_example_validates(schema: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    report = _json(capsys, *EXAMPLE, *EXAMPLE_CONFIG)
    assert report["findings"] and "github" not in report
    valid(report, schema)


def test_a_model_run_and_its_incremental_re_review_validate(
    schema: dict[str, Any],
    model_server: FakeModelServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, cfg = sc.prepare(model_server, tmp_path, monkeypatch)
    argv = ["check", "--repo", str(repo.root), "--base", "main", "--config", str(cfg)]
    first = _json(capsys, *argv, "--head", "pr")
    assert first["usage"]["model_calls"] > 0 and first["review_state"]
    valid(first, schema)
    (tmp_path / "first.json").write_text(json.dumps(first))
    trace = tmp_path / "t.jsonl"
    second = _json(capsys, *argv, "--head", "pr2", "--previous-report", str(tmp_path / "first.json"),
                   "--trace", str(trace))  # fmt: skip
    assert second["stages"]["review"]["details"]["incremental"]["carried"]
    valid(second, schema)
    valid(_json(capsys, "replay", str(trace)), schema)


def test_an_action_run_validates_with_its_github_section(
    schema: dict[str, Any], tmp_path: Path, github: FakeGitHub
) -> None:
    repo, _base, head = make_pr(tmp_path, github)
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(workspace)], check=True)
    proc = run_gate(runner_env(github, tmp_path, 7, workspace=workspace), workspace)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((workspace / ".ai-gate" / "report.json").read_text())
    assert report["github"]["head_sha"] == head and report["github"]["posted"]
    valid(report, schema)


def _broken(report: dict[str, Any], path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    """The report with the field at `path` set to `value`, or removed when `value` is `...`."""
    out = copy.deepcopy(report)
    parent: Any = out
    for key in path[:-1]:
        parent = parent[key]
    if value is ...:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return out


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("verdict",), ...),
        (("findings", 0, "severity"), ...),
        (("findings", 0, "fingerprint"), ...),
        (("stages", "secrets", "ran"), ...),
        (("provenance", "code_ai_share"), ...),
        (("usage", "cost_usd"), ...),
        (("review_state",), ...),
        (("verdict",), "maybe"),
        (("schema_version",), 2),
        (("findings", 0, "start_line"), "26"),
        (("findings", 0, "severity"), "dire"),
        (("findings", 0, "blocking"), "yes"),
        (("stages", "review", "threshold"), {"met": "no", "why": "x"}),
        (("provenance", "commits", 0, "ai"), 1.5),
        (("usage", "model_calls"), "none"),
    ],
)
def test_a_report_with_a_field_missing_or_of_the_wrong_type_does_not_validate(
    schema: dict[str, Any], capsys: pytest.CaptureFixture[str], path: tuple[str | int, ...], value: object
) -> None:
    report = _json(capsys, *EXAMPLE, *EXAMPLE_CONFIG)
    jsonschema.Draft202012Validator(schema).validate(report)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(_broken(report, path, value))


def test_free_text_is_bounded_when_read_back_not_when_written(capsys: pytest.CaptureFixture[str]) -> None:
    long_title = "x" * 20_000
    finding = ReportFinding(id="f1", stage="secrets", severity="high", title=long_title)
    assert finding.title == long_title  # the gate's own report is never refused for its size
    report = _json(capsys, *EXAMPLE, *EXAMPLE_CONFIG)
    with pytest.raises(InputError, match=r"findings\.0\.title: Value error, longer than 10,000 characters"):
        Report.parse(_broken(report, ("findings", 0, "title"), long_title), "report.json")


def test_a_trace_whose_finding_is_not_one_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = tmp_path / "t.jsonl"
    main([*EXAMPLE, *EXAMPLE_CONFIG, "--trace", str(trace), "--format", "json"])
    capsys.readouterr()
    records = [json.loads(line) for line in trace.read_text().splitlines()]
    stage = next(s for r in records if r["type"] == "run" for s in r["stages"] if s["findings"])
    stage["findings"][0]["severity"] = "dire"
    trace.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert main(["replay", str(trace)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ai-gate: bad trace:") and "malformed run record" in err
    assert len(err.strip().splitlines()) == 1


def test_the_schema_names_every_severity_and_confidence() -> None:
    assert set(get_args(SeverityName)) == {s.value for s in Severity}
    assert set(get_args(ConfidenceName)) == {c.value for c in Confidence}
