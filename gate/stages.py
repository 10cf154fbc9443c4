"""The explicit list of stages that run after provenance, in order."""

from __future__ import annotations

from gate.analyzers import deterministic_analyzers
from gate.intent.stage import SpecStage
from gate.pipeline import Stage
from gate.regen.stage import RegenStage
from gate.review.stage import ReviewStage
from gate.specs.drift import SpecDriftAnalyzer


def default_stages() -> list[Stage]:
    """Deterministic analyzers first (every PR), then the model escalations (when thresholds are met)."""
    stages: list[Stage] = [*deterministic_analyzers()]
    # Deterministic too: reads the specs and the provenance stage's line attribution.
    stages.append(SpecDriftAnalyzer())
    stages.append(ReviewStage())
    stages.append(SpecStage())
    stages.append(RegenStage())
    return stages
