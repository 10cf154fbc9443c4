"""Deterministic AI-risk analyzers: one module per analyzer, each a Stage declared in `catalog.py`.

A process loads an analyzer's code when it first runs it (or names its class): a run that calls a model
has its deterministic stages done in a second process (`gate.worker`), and the process that imports
litellm and calls the models never needs them.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib import import_module
from typing import TYPE_CHECKING, Any

from gate.analyzers.catalog import ANALYZERS
from gate.analyzers.interface import Analyzer, AnalyzerMeta
from gate.run import RunContext, StageResult

if TYPE_CHECKING:
    from gate.analyzers.dependencies import DependenciesAnalyzer
    from gate.analyzers.injection import InjectionAnalyzer
    from gate.analyzers.secrets import SecretsAnalyzer
    from gate.analyzers.symbols import PhantomSymbolsAnalyzer
    from gate.analyzers.weakened_tests import WeakenedTestsAnalyzer


class DeferredAnalyzer:
    """An analyzer as a stage: its declaration, and its code loaded when it runs."""

    def __init__(self, meta: AnalyzerMeta, module: str, name: str) -> None:
        self.meta = meta
        self.id = meta.id
        self.description = meta.description
        self.docs = meta.docs
        self.reads_learning = meta.reads_learning
        self.reads_provenance = meta.reads_provenance
        self.runs_first = meta.runs_first
        self.lines_per_part = meta.lines_per_part
        self._module, self._name = module, name

    def analyzer(self) -> Analyzer:
        analyzer: Analyzer = getattr(import_module(self._module), self._name)()
        return analyzer

    def prepare(self, ctx: RunContext) -> None:
        self.analyzer().prepare(ctx)

    def run(self, ctx: RunContext) -> StageResult:
        return self.analyzer().run(ctx)

    def run_part(self, ctx: RunContext, index: int, count: int) -> StageResult:
        return self.analyzer().run_part(ctx, index, count)

    def merge(self, parts: Sequence[StageResult]) -> StageResult:
        return self.analyzer().merge(parts)


def deterministic_analyzers() -> list[DeferredAnalyzer]:
    """Every analyzer, in report order (SPEC 5.6 stage ids)."""
    return [DeferredAnalyzer(meta, module, name) for meta, module, name in ANALYZERS]


def forget_caches() -> None:
    """Empty what the analyzers this process ran remember of a run's text (one never loaded holds none)."""
    weakened_tests = sys.modules.get("gate.analyzers.weakened_tests.stage")
    if weakened_tests is not None:
        weakened_tests.forget_caches()


_CLASSES = {name: module for _, module, name in ANALYZERS}


def __getattr__(name: str) -> Any:
    """An analyzer's class by its name (`from gate.analyzers import SecretsAnalyzer`), its module loaded
    then."""
    if name in _CLASSES:
        return getattr(import_module(_CLASSES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Analyzer",
    "AnalyzerMeta",
    "DeferredAnalyzer",
    "DependenciesAnalyzer",
    "InjectionAnalyzer",
    "PhantomSymbolsAnalyzer",
    "SecretsAnalyzer",
    "WeakenedTestsAnalyzer",
    "deterministic_analyzers",
    "forget_caches",
]
