"""SARIF 2.1.0 for code scanning (`github/codeql-action/upload-sarif`), from the JSON report.

One rule per (stage, rule) pair; one result per finding that has a file location (code scanning
cannot show a result without one; those findings stay in the other reports).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from gate.report.github_view import FindingView, ReportView
from gate.sanitize import json_inert

if TYPE_CHECKING:
    from gate.pipeline import Outcome

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "AI Quality Gate"
INFORMATION_URI = "https://github.com/ai-quality-gate/ai-quality-gate"
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub code scanning reads `security-severity` (0.0-10.0) to rank results.
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}


def render(outcome: Outcome) -> str:
    from gate.report import json_v1

    return render_report(json_v1.build(outcome))


def render_report(view: ReportView) -> str:
    from gate.redact import redact_tree

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
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for f in view.findings:
        if not f.path:
            continue
        rule_id = _rule_id(f)
        if rule_id not in rules:
            rules[rule_id] = {
                "id": rule_id,
                "name": rule_id.replace("/", "-"),
                "shortDescription": {"text": f"{f.stage}: {f.rule or 'finding'}"},
                "helpUri": f"{INFORMATION_URI}#{f.stage}",
                "properties": {
                    "tags": ["ai-quality-gate", f.stage],
                    "security-severity": _SECURITY_SEVERITY[f.severity],
                },
            }
        region: dict[str, Any] = {}
        if f.start_line is not None:
            region = {"startLine": f.start_line, "endLine": max(f.start_line, f.end or f.start_line)}
        location: dict[str, Any] = {
            "artifactLocation": {"uri": artifact_uri(f.path), "uriBaseId": "%SRCROOT%"}
        }
        if region:
            location["region"] = region
        results.append(
            {
                "ruleId": rule_id,
                "ruleIndex": list(rules).index(rule_id),
                "level": "error" if f.blocking else _LEVEL[f.severity],
                "message": {"text": f.title + (f"\n\n{f.body}" if f.body else "")},
                "locations": [{"physicalLocation": location}],
                "partialFingerprints": {"aiQualityGate/v1": f.key},
                "properties": {
                    "severity": f.severity,
                    "blocking": f.blocking,
                    "confirmed_by": list(f.confirmed_by),
                },
            }
        )
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": list(rules.values()),
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The repository root."}}},
                "results": results,
                "properties": {"verdict": view.verdict, "ai_share": view.provenance.ai_share},
            }
        ],
    }
