"""The explicit list of stages that run after provenance, in order."""

from __future__ import annotations

from gate.pipeline import Stage
from gate.regen.stage import RegenStage


def default_stages() -> list[Stage]:
    """Deterministic analyzers first (every PR), then the model escalations (when thresholds are met)."""
    stages: list[Stage] = [RegenStage()]
    return stages
