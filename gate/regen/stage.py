"""The regen stage: re-generate the AI-authored hunks and report unstable regions and outliers.

It runs when the thresholds call for it (`ctx.escalations["regen"]`) and the run is not offline. Models
(`models.regen`, else the review models, else found as SPEC 5.4 says) are called through the run's
model layer (`gate.models`: retries, budget, trace). With no model to call, the stage is skipped with
a model error, as any model stage that cannot run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gate.run import RunContext, StageResult

if TYPE_CHECKING:
    from gate.models.interface import ModelClient


class RegenStage:
    id = "regen"
    description = "re-generate AI-authored hunks; flag unstable regions and outliers"
    docs = "#regen"
    reads_learning = True  # prompts are redacted with every secret the change carries
    reads_provenance = True  # the thresholds read the AI share
    runs_first = False

    def __init__(self, client: ModelClient | None = None) -> None:
        # A client may be given (tests, replay); else the run's shared client is used.
        self._client = client

    def run(self, ctx: RunContext) -> StageResult:
        wanted, why = ctx.escalations.get(self.id, (False, "thresholds not evaluated"))
        if not wanted:
            return StageResult.skipped(self.id, why, "thresholds not met")
        if ctx.offline:
            return StageResult.offline(self.id, why)
        # The re-generation's machinery (lexers, similarity, the model layer) loads only when it runs.
        from gate.regen.check import run_regen

        return run_regen(ctx, self._client, why)
