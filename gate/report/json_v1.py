"""The frozen, versioned JSON report of SPEC 5.6 (`schema_version: 1`), built from the outcome as the
models of `gate.schema.report` define it. Internal types are never dumped."""

from __future__ import annotations

from typing import Any

from gate.provenance.model import ProvenanceResult
from gate.report import coverage
from gate.report.json_text import indented
from gate.run import Outcome, StageResult
from gate.sanitize import json_inert
from gate.schema.finding import ReportFinding
from gate.schema.report import (
    SCHEMA_VERSION,
    CommitProvenance,
    Post,
    Provenance,
    Report,
    Source,
    StageReport,
    Threshold,
    Usage,
)

__all__ = ["ALL_STAGES", "SCHEMA_VERSION", "build", "render", "review_state", "to_dict"]

ALL_STAGES = (
    "provenance",
    "dependencies",
    "phantom-symbols",
    "weakened-tests",
    "secrets",
    "injection-text",
    "review",
    "regen",
    "spec",
)
NOT_AVAILABLE = "not available in this build"


def _stage(r: StageResult, escalation: tuple[bool, str] | None) -> StageReport:
    details = dict(r.details)
    return StageReport(
        ran=r.ran,
        why=r.why,
        skipped_reason=r.skipped_reason,
        findings=len(r.findings),
        model_error=r.model_error or None,
        error=r.error or None,
        details=details or None,
        threshold=None if escalation is None else Threshold(met=escalation[0], why=escalation[1]),
    )


def _stages(outcome: Outcome) -> dict[str, StageReport]:
    esc = outcome.escalations
    stages = {r.stage: _stage(r, esc.get(r.stage)) for r in outcome.stages}
    for stage in ALL_STAGES:
        if stage not in stages:
            why = esc.get(stage, (False, NOT_AVAILABLE))[1]
            stages[stage] = StageReport(ran=False, why=why, skipped_reason="not run", findings=0)
    return stages


def _source(outcome: Outcome) -> Source:
    cs = outcome.changeset
    return Source(
        kind=cs.source,
        base=cs.base_ref or None,
        head=cs.head_ref or None,
        pull_request=cs.pr.number if cs.pr else None,
        head_sha=(cs.pr.head_sha if cs.pr and cs.pr.head_sha else cs.head_ref) or None,
        files=len(cs.diff.files),
        added_lines=cs.diff.added_count,
        removed_lines=cs.diff.removed_count,
        ignored_paths=cs.diff.ignored_paths,
        unignored=cs.diff.unignored_paths,
    )


def _provenance(prov: ProvenanceResult, share_of: str) -> Provenance:
    return Provenance(
        ai_share=round(prov.ai_share, 4),
        ai_lines=prov.ai_lines,
        added_lines=prov.added_lines,
        code_ai_share=round(prov.code_ai_share, 4),
        code_ai_lines=prov.code_ai_lines,
        code_added_lines=prov.code_added_lines,
        code_left_out=dict(prov.code_left_out),
        share_of=share_of,
        threshold_share=round(prov.threshold_share(share_of), 4),
        unknown_origin_lines=prov.unknown_lines or None,
        disregarded_records=prov.disregarded,
        tools=dict(prov.tools),
        basis=prov.basis,
        pr_evidence=tuple(str(e) for e in prov.pr_evidence),
        notes=prov.notes,
        commits=tuple(
            CommitProvenance(
                sha=c.sha,
                subject=c.subject,
                ai=c.ai,
                tool=c.tool,
                evidence=tuple(str(e) for e in c.evidence),
                added_lines=c.added_lines,
                ai_lines=c.ai_lines,
                notes=c.notes or None,
            )
            for c in prov.commits
        ),
    )


def build(outcome: Outcome) -> Report:
    """The report of an outcome, as the schema's models."""
    return Report(
        schema_version=SCHEMA_VERSION,
        verdict=outcome.verdict,  # type: ignore[arg-type]  # the policy decides one of the three
        reasons=outcome.reasons,
        source=_source(outcome),
        provenance=_provenance(outcome.provenance, outcome.config.thresholds.share_of.value),
        stages=_stages(outcome),
        # what was reviewed, by how many models, and what was not (with why): `gate.report.coverage`
        coverage=coverage.of(outcome),
        findings=tuple(ReportFinding.of(f) for f in outcome.findings),
        usage=Usage.of(outcome.usage).model_copy(update={"cost_usd": round(outcome.usage.cost_usd, 6)}),
        notes=outcome.notes,
        post=Post(unconfirmed=outcome.config.post.unconfirmed.value),
        review_state=review_state(outcome),
    )


def to_dict(outcome: Outcome) -> dict[str, Any]:
    return build(outcome).model_dump(mode="json")


def review_state(outcome: Outcome) -> str | None:
    """The encoded state an incremental re-review of this PR starts from (`--previous-report`)."""
    review = next((r for r in outcome.stages if r.stage == "review"), None)
    return review.review_state if review is not None else None


def render(outcome: Outcome) -> str:
    return render_report(build(outcome))


def render_report(report: Report) -> str:
    from gate.redact import redact_tree

    return json_inert(indented(redact_tree(report.model_dump(mode="json"))) + "\n")
