"""Combine commit classification and line attribution into the AI share."""

from __future__ import annotations

from gate.config.models import Provenance
from gate.context.model import ChangeSet
from gate.provenance.model import CommitAttribution, ProvenanceResult


def estimate(changeset: ChangeSet, config: Provenance) -> ProvenanceResult:
    added = changeset.diff.added_count
    commits = tuple(
        CommitAttribution(
            sha=c.sha,
            subject=c.subject,
            ai=False,
            tool=None,
            evidence=(),
            added_lines=c.added_lines,
            ai_lines=0,
        )
        for c in changeset.commits
    )
    return ProvenanceResult(ai_share=0.0, ai_lines=0, added_lines=added, commits=commits)
