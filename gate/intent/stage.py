"""The `spec` stage: check the change against the intent it claims.

Runs when the spec thresholds are met (the same kind as review's), not offline, and the change has
intent sources (linked issues, a PR description, governing specs). Requirements are extracted once
(`extract`); every review model then judges, per chunk of the change, the statements that govern the
chunk's files (`spec_check`); contradictions become findings confirmed by the review's quorum and
cross-check (`judge`). A chunk fewer than `quorum` models judged is coverage missing (`model_error`).
What a linked issue asks and no model saw the change address is listed as an advisory compliance
table (`details["compliance"]`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gate.run import RunContext, StageResult

if TYPE_CHECKING:
    from gate.models.interface import ModelClient


class SpecStage:
    id = "spec"
    description = "checks the change against the requirements of its linked issues, description and specs"
    docs = "#spec"
    reads_learning = True  # prompts are redacted with every secret the change carries
    reads_provenance = True  # the thresholds read the AI share
    runs_first = False

    def __init__(self, client: ModelClient | None = None) -> None:
        self._client = client

    def run(self, ctx: RunContext) -> StageResult:
        wanted, why = ctx.escalations.get(self.id, (False, "spec thresholds not evaluated"))
        if not wanted:
            return StageResult.skipped(self.id, why, "below the spec thresholds")
        if ctx.offline:
            return StageResult.offline(self.id, why)
        # The check's machinery (intent sources, prompts, the model layer) loads only when it runs.
        from gate.intent.check import run_spec_check

        return run_spec_check(ctx, self._client, why)
