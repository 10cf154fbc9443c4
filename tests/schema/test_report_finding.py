"""A report's finding is constructed from a `Finding` without validation: it must be the very value that
validating the same fields gives, for every shape a finding takes (no location, a location without lines,
model findings with their voters, hostile text)."""

from __future__ import annotations

import pytest

from gate.findings import Confidence, Finding, Location, Severity
from gate.schema.base import UNTRUSTED
from gate.schema.finding import ReportFinding

HOSTILE = "\x00\r\n\u202e\ufffd ##[error] @team #12 " + "é" * 300


def _shapes() -> list[Finding]:
    base = Finding(
        stage="phantom-symbols",
        rule="missing-module",
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        title="Module 'pkg.gone' does not exist",
        body="Line 3 imports it.",
        location=Location("pkg/__init__.py", 3),
    )
    return [
        base,
        base.with_(location=None, category="", suggestion="remove it"),
        base.with_(location=Location("a b/ü.py"), blocking=True, commentable=True, inline=True),
        base.with_(location=Location("x.py", 4, 9), lines_key="0123456789abcdef", confirmed=True),
        base.with_(
            stage="review",
            deterministic=False,
            confirmed_by=("openai/a",),
            extra=(("raised_by", "openai/a,openai/b"), ("disagreed_by", "openai/c")),
            severity=Severity.CRITICAL,
            confidence=Confidence.LOW,
        ),
        base.with_(title=HOSTILE, body=HOSTILE * 50, suggestion=HOSTILE, location=Location(HOSTILE, 1)),
    ]


@pytest.mark.parametrize("finding", _shapes(), ids=lambda f: f"{f.stage}-{f.location}"[:40])
def test_the_constructed_finding_is_the_validated_one(finding: Finding) -> None:
    built = ReportFinding.of(finding)
    fields = {name: getattr(built, name) for name in ReportFinding.model_fields}
    validated = ReportFinding(**fields)
    assert built == validated
    assert built.model_dump(mode="json") == validated.model_dump(mode="json")
    assert built.model_dump_json() == validated.model_dump_json()
    assert (built.id, built.fingerprint) == (finding.id, finding.fingerprint)
    assert (built.disputed, built.raised_by, built.refused_by) == (
        finding.disputed,
        finding.said("raised_by"),
        finding.said("disagreed_by"),
    )


def test_read_back_the_bounds_still_apply() -> None:
    """Constructing skips the bounds only when writing: a report read back is validated as before."""
    built = ReportFinding.of(_shapes()[0].with_(title="t" * 10_001))
    with pytest.raises(ValueError, match="longer than 10,000"):
        ReportFinding.model_validate(built.model_dump(mode="json"), context=UNTRUSTED)
