"""SARIF as code scanning reads it, validated against the official SARIF 2.1.0 JSON Schema (OASIS,
vendored in tests/data). Model findings follow the draft profile for AI-generated results
(microsoft/sarif-sdk `docs/ai/generating-sarif.md`): their run says `ai/origin: generated`, names the
models as tool extensions, and each result names the models that raised, confirmed and refused it. The
deterministic analyzers' run carries none of that."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest

from gate.cli import main
from gate.report.sarif import ANALYZERS_CATEGORY, MODELS_CATEGORY, render
from tests.fakes.model_server import FakeModelServer, Reply
from tests.gitrepo import GitRepo
from tests.review.scenario import HEAD, MODELS, config_for, gate, make_repo, script_planted

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)  # the draft the schema declares
# A relative reference (RFC 3986 4.2) made of a path only: unreserved characters, `/` and %-escapes.
PATH_URI = re.compile(r"(?:[A-Za-z0-9\-._~/]|%[0-9A-F]{2})+")
TOKEN = "ghp_" + "Q7wZ2kV9xR4mT8bN1cY6hJ3pL5sD0fG2aE7u"


def valid(sarif: dict[str, Any]) -> dict[str, Any]:
    errors = sorted(VALIDATOR.iter_errors(sarif), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    return sarif


def keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from keys(v)


def by_category(sarif: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    analyzers, models = sarif["runs"]
    assert analyzers["automationDetails"]["id"] == ANALYZERS_CATEGORY
    assert models["automationDetails"]["id"] == MODELS_CATEGORY
    return analyzers, models


def test_the_schema_is_the_official_one_and_it_refuses_what_it_should() -> None:
    assert SCHEMA["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": "2.1.0", "runs": [{"results": []}]}, SCHEMA)  # no tool


def test_the_bundled_example_validates_and_its_model_run_says_it_checked_nothing(tmp_path: Path) -> None:
    out = tmp_path / "example.sarif"
    args = ["check", "--diff", str(ROOT / "examples" / "ai-assisted-series.mbox"), "--offline"]
    args += ["--config", str(ROOT / "examples" / "ai-gate.yml"), "--format", "sarif", "--output", str(out)]
    assert main(args) == 1
    analyzers, models = by_category(valid(json.loads(out.read_text(encoding="utf-8"))))
    assert analyzers["results"] and not any(
        k.startswith(("ai/", "ai-quality-gate/raised")) for k in keys(analyzers)
    )
    assert "extensions" not in analyzers["tool"]
    assert models["properties"]["ai/origin"] == "generated"
    # Offline, no model ran: an empty model run must not read as a clean review. The thresholds call for
    # every model stage, so each one not run is a model error, and the run is no successful one.
    assert models["results"] == [] and models["tool"]["extensions"] == []
    said = {n["message"]["text"]: n["level"] for n in models["invocations"][0]["toolExecutionNotifications"]}
    offline = "the thresholds call for was not run (offline: no model is called)"
    assert said == {f"{stage}: the {stage} stage {offline}": "error" for stage in ("review", "regen", "spec")}
    assert models["invocations"][0]["executionSuccessful"] is False
    skipped = analyzers["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in skipped] == [
        "dependencies: not run: offline: registry lookups need the network",
        "spec-drift: not run: spec documents not available: the change came without its repository; "
        "only the 1 spec document(s) the patch adds whole were read",
    ]


def test_model_findings_carry_their_ai_origin_and_models_and_analyzer_findings_do_not(
    model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    repo = make_repo(tmp_path / "repo")
    repo.write("shop/pay.py", HEAD + f'\nGITHUB_TOKEN = "{TOKEN}"\n')
    repo.commit("configure the token")
    script_planted(model_server)
    outcome = gate(repo, config_for(model_server))
    analyzers, models = by_category(valid(json.loads(render(outcome))))

    assert {r["ruleId"].split("/")[0] for r in analyzers["results"]} == {"secrets"}
    assert not any(k.startswith(("ai/", "ai-quality-gate/")) for k in keys(analyzers["results"]))
    assert "ai/origin" not in analyzers["properties"] and "extensions" not in analyzers["tool"]

    assert models["properties"]["ai/origin"] == "generated"
    assert [e["name"] for e in models["tool"]["extensions"]] == list(MODELS)
    # the review says which models it called as a typed field, and the report lists the same
    (review,) = [r for r in outcome.stages if r.stage == "review"]
    assert sorted(review.models) == list(MODELS) == list(review.details["models"])
    (invocation,) = models["invocations"]
    assert invocation["executionSuccessful"] is True
    # regen was not called for: a note, not a warning
    assert [(n["level"], n["message"]["text"]) for n in invocation["toolExecutionNotifications"]] == [
        ("note", "regen: not run: thresholds not met"),
        ("note", "spec: not run: below the spec thresholds"),
    ]
    results = {r["message"]["text"].split("\n", 1)[0]: r["properties"] for r in models["results"]}
    planted = results["Refund converts money amount to float"]
    assert planted["ai-quality-gate/raisedBy"] == ["openai/fake-a", "openai/fake-b"]
    assert planted["ai-quality-gate/confirmedBy"] == ["openai/fake-a", "openai/fake-b"]
    assert planted["ai-quality-gate/status"] == "blocking" and planted["blocking"] is True
    spurious = results["Discount allows negative percent"]
    assert spurious["ai-quality-gate/raisedBy"] == ["openai/fake-c"]
    assert spurious["ai-quality-gate/refusedBy"] == ["openai/fake-a", "openai/fake-b"]
    assert spurious["ai-quality-gate/status"] == "disputed"
    # every model named on a result is one of the run's extensions
    names = {e["name"] for e in models["tool"]["extensions"]}
    for props in results.values():
        for key in ("raisedBy", "confirmedBy", "refusedBy"):
            assert set(props[f"ai-quality-gate/{key}"]) <= names
    assert TOKEN not in render(outcome)


HOSTILE_NAMES = (
    "dir with space/a b.py",
    "100%#?&=;.py",
    "c:evil.py",
    "naïve/ünïcödé.py",
    "x\n::error::forged.py",
    "back\\slash.py",
)


def test_hostile_file_names_stay_valid_sarif_in_both_runs(
    model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "# app\n")
    repo.commit("Initial")
    repo.branch("feature")
    for name in HOSTILE_NAMES:
        # a bidi control: the injection-text analyzer flags each file, naming it
        repo.write(name, "label = 'admin\u202e'\n")
    repo.commit("Add the files")
    finding = {
        "path": HOSTILE_NAMES[0],
        "start_line": 1,
        "end_line": 1,
        "severity": "medium",
        "category": "bug",
        "title": "Odd label",
        "body": "it hides text",
        "suggestion": None,
    }
    for model in MODELS:
        model_server.script(model.split("/", 1)[1], "review", Reply.json({"findings": [finding]}))
    outcome = gate(repo, config_for(model_server))
    sarif = valid(json.loads(render(outcome)))
    analyzers, models = by_category(sarif)
    assert models["results"], "the models' finding on a hostile name is in the model run"
    seen: set[str] = set()
    for run in (analyzers, models):
        for result in run["results"]:
            for loc in result["locations"]:
                uri = loc["physicalLocation"]["artifactLocation"]["uri"]
                assert PATH_URI.fullmatch(uri), uri
                seen.add(unquote(uri))
    assert set(HOSTILE_NAMES) <= seen
