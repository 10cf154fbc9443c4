"""The provenance stage: always runs first; its result feeds the thresholds and the regen selection."""

from __future__ import annotations

from gate.provenance.estimate import estimate
from gate.run import RunContext, StageResult


class ProvenanceStage:
    id = "provenance"
    description = "estimate the AI-authored share of the added lines, with evidence"
    docs = "#provenance"
    reads_learning = False
    reads_provenance = False  # it makes it
    runs_first = False  # it runs before every stage of the list, on its own

    def run(self, ctx: RunContext) -> StageResult:
        result = estimate(ctx.changeset, ctx.config.provenance)
        ctx.provenance = result
        return StageResult(
            stage=self.id,
            ran=True,
            why="always runs",
            details={
                "basis": list(result.basis),
                "ai_commits": sum(1 for c in result.commits if c.ai),
                "commits": len(result.commits),
                "tools": dict(result.tools),
                "notes": list(result.notes),
            },
        )
