"""SARIF 2.1.0 for code scanning (`github/codeql-action/upload-sarif`), from the JSON report.

Two runs, each its own code-scanning category (`automationDetails.id`): the deterministic analyzers, and
the model stages (review with its cross-check, re-generation). The model run follows the draft profile
for AI-generated results (microsoft/sarif-sdk `docs/ai/generating-sarif.md`): `ai/origin: generated` in
the run's properties, the models as `tool.extensions` beside the gate as driver, and on each result the
models that raised, confirmed and refused it under the gate's own property prefix. The analyzers' run
carries none of it: their results do not come from a model. What a run did not check (a stage skipped,
a model error) is a notification of its invocation, so an empty run never reads as a clean one.

One rule per (stage, rule) pair; one result per finding that has a file location (code scanning
cannot show a result without one; those findings stay in the other reports).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from gate.redact import cut_redacted, redact_tree
from gate.report.github_view import FindingView, ReportView
from gate.run import MODEL_STAGES
from gate.sanitize import json_inert

if TYPE_CHECKING:
    from gate.run import Outcome

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "AI Quality Gate"
INFORMATION_URI = "https://github.com/ai-quality-gate/ai-quality-gate"
# Code scanning keeps one analysis per category and rejects two runs of one tool in one category; the
# trailing `/` says the id names the category only (SARIF 3.17.4).
ANALYZERS_CATEGORY = "ai-quality-gate/analyzers/"
MODELS_CATEGORY = "ai-quality-gate/models/"
# The profile's run property: AI is the engine that detected these results.
AI_ORIGIN = ("ai/origin", "generated")
# The profile keeps `ai/` for its own keys; anything else a producer adds goes under its own name.
PREFIX = "ai-quality-gate/"
MAX_NOTIFICATION_CHARS = 1_000
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub code scanning reads `security-severity` (0.0-10.0) to rank results.
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}


def render(outcome: Outcome) -> str:
    from gate.report import json_v1

    return render_report(json_v1.build(outcome))


def render_report(view: ReportView) -> str:
    return json_inert(json.dumps(redact_tree(to_sarif(view)), indent=2, ensure_ascii=False)) + "\n"


def artifact_uri(path: str) -> str:
    """A repository path as a relative URI reference (RFC 3986): every byte outside the unreserved set
    and `/` percent-encoded as UTF-8, so spaces, newlines, `%`, `#`, `?` and non-ASCII letters in a file
    name stay part of the path instead of breaking or re-reading the URI."""
    return quote(path, safe="/", encoding="utf-8", errors="surrogateescape")


def _rule_id(f: FindingView) -> str:
    return f"{f.stage}/{f.rule or 'finding'}"


def to_sarif(view: ReportView) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        tool_version = version("ai-quality-gate")
    except PackageNotFoundError:
        tool_version = "0.0.0"
    gate = {"verdict": view.verdict, "ai_share": view.provenance.ai_share}
    analyzers = _run(
        view,
        [f for f in view.findings if f.stage not in MODEL_STAGES],
        [s for s in view.stages if s not in MODEL_STAGES and s != "provenance"],
        ANALYZERS_CATEGORY,
        tool_version,
        gate,
        unread=_unread(view),
    )
    model_findings = [f for f in view.findings if f.stage in MODEL_STAGES]
    models = _run(
        view,
        model_findings,
        [s for s in MODEL_STAGES if s in view.stages],
        MODELS_CATEGORY,
        tool_version,
        {AI_ORIGIN[0]: AI_ORIGIN[1], **gate},
        extensions=[{"name": m} for m in model_names(view, model_findings)],
    )
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [analyzers, models]}


def model_names(view: ReportView, findings: list[FindingView]) -> list[str]:
    """Every model the model stages called or that stands behind a finding, sorted."""
    names: set[str] = set()
    for stage in MODEL_STAGES:
        entry = view.stages.get(stage)
        names.update(entry.models if entry is not None else ())
    for f in findings:
        names.update(f.raised_by, f.confirmed_by, f.refused_by)
    return sorted(names)


def _run(
    view: ReportView,
    findings: list[FindingView],
    stages: list[str],
    category: str,
    tool_version: str,
    properties: dict[str, Any],
    extensions: list[dict[str, Any]] | None = None,
    unread: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for f in findings:
        if not f.path:
            continue
        rule_id = _rule_id(f)
        if rule_id not in rules:
            index[rule_id] = len(rules)
            rules[rule_id] = _rule(f, rule_id)
        results.append(_result(f, rule_id, index[rule_id]))
    tool: dict[str, Any] = {
        "driver": {
            "name": TOOL_NAME,
            "version": tool_version,
            "informationUri": INFORMATION_URI,
            "rules": list(rules.values()),
        }
    }
    if extensions is not None:
        tool["extensions"] = extensions
    notifications = [*_unchecked(view, stages), *(unread or [])]
    invocation: dict[str, Any] = {
        "executionSuccessful": not any(n["level"] == "error" for n in notifications)
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "tool": tool,
        "automationDetails": {"id": category},
        "invocations": [invocation],
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The repository root."}}},
        "results": results,
        "properties": properties,
    }


def _rule(f: FindingView, rule_id: str) -> dict[str, Any]:
    return {
        "id": rule_id,
        "name": rule_id.replace("/", "-"),
        "shortDescription": {"text": f"{f.stage}: {f.rule or 'finding'}"},
        "helpUri": f"{INFORMATION_URI}#{f.stage}",
        "properties": {
            "tags": ["ai-quality-gate", f.stage],
            "security-severity": _SECURITY_SEVERITY[f.severity],
        },
    }


def _result(f: FindingView, rule_id: str, rule_index: int) -> dict[str, Any]:
    region: dict[str, Any] = {}
    if f.start_line is not None:
        region = {"startLine": f.start_line, "endLine": max(f.start_line, f.end or f.start_line)}
    location: dict[str, Any] = {
        "artifactLocation": {"uri": artifact_uri(f.path or ""), "uriBaseId": "%SRCROOT%"}
    }
    if region:
        location["region"] = region
    properties: dict[str, Any] = {"severity": f.severity, "blocking": f.blocking}
    if f.stage in MODEL_STAGES:
        properties.update(model_properties(f))
    return {
        "ruleId": rule_id,
        "ruleIndex": rule_index,
        "level": "error" if f.blocking else _LEVEL[f.severity],
        "message": {"text": f.title + (f"\n\n{f.body}" if f.body else "")},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {"aiQualityGate/v1": f.key},
        "properties": properties,
    }


def model_properties(f: FindingView) -> dict[str, Any]:
    """Which models stand behind a model finding, by the names of the run's tool extensions. A
    re-generation finding is raised by the models whose samples back it."""
    return {
        f"{PREFIX}raisedBy": list(f.raised_by or f.confirmed_by),
        f"{PREFIX}confirmedBy": list(f.confirmed_by),
        f"{PREFIX}refusedBy": list(f.refused_by),
        f"{PREFIX}status": status(f),
    }


def status(f: FindingView) -> str:
    if f.blocking:
        return "blocking"
    if f.disputed:
        return "disputed"
    return "confirmed" if f.confirmed else "advisory"


def _unchecked(view: ReportView, stages: list[str]) -> list[dict[str, Any]]:
    """A notification for each stage of the run that did not check all it should have: an error, a model
    error, or a skip (a note when its thresholds did not call for it)."""
    out: list[dict[str, Any]] = []
    for stage in stages:
        entry = view.stages.get(stage)
        if entry is None:
            continue
        problem = entry.error or entry.model_error
        if problem:
            out.append(_notification(stage, "error", str(problem)))
        elif not entry.ran:
            called = entry.threshold is None or entry.threshold.met
            why = entry.skipped_reason or entry.why or "not run"
            out.append(_notification(stage, "warning" if called else "note", f"not run: {why}"))
    return out


def _unread(view: ReportView) -> list[dict[str, Any]]:
    """An error for each part of the change the verdict says was not read or not checked (a file past
    the size limit, one that may be text git calls binary, names a registry did not answer for): the
    run did not check all of the change, and code scanning must not show it as a complete run."""
    return [
        _notification("analyzers", "error", reason)
        for reason in view.reasons
        if reason.startswith(("not read: ", "not checked: "))
    ]


def _notification(stage: str, level: str, text: str) -> dict[str, Any]:
    text = cut_redacted(f"{stage}: {text}", MAX_NOTIFICATION_CHARS)
    return {"level": level, "message": {"text": text}, "properties": {f"{PREFIX}stage": stage}}
