"""The `review` stage: several models review the change and cross-check each other (SPEC 4, 5.3).

Runs only when the review thresholds are met and not offline. Findings carry `confirmed_by` (the
distinct models that raised or agreed with them); the policy confirms those with at least `quorum`
of them, and only confirmed findings can block. The effective quorum is the result's `quorum`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gate.run import RunContext, StageResult

if TYPE_CHECKING:
    from gate.models.interface import ModelClient


class ReviewStage:
    id = "review"
    description = "several models review the change, then cross-check each other's findings"
    docs = "#review"
    reads_learning = True  # prompts are redacted with every secret the change carries
    reads_provenance = True  # the thresholds read the AI share
    runs_first = False

    def __init__(self, client: ModelClient | None = None) -> None:
        # A client may be given (tests, replay); else the run's shared client is used.
        self._client = client

    def run(self, ctx: RunContext) -> StageResult:
        wanted, why = ctx.escalations.get(self.id, (False, "review thresholds not evaluated"))
        if not wanted:
            return StageResult.skipped(self.id, why, "below the review thresholds")
        if ctx.offline:
            return StageResult.offline(self.id, why)
        # The review's machinery (units, prompts, the model layer) loads only when a review runs.
        from gate.review.check import run_review

        return run_review(ctx, self._client, why)
