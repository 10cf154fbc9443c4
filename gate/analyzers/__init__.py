"""Deterministic AI-risk analyzers: one module per analyzer, each a Stage declared in `interface.py`."""

from gate.analyzers.dependencies import DependenciesAnalyzer
from gate.analyzers.injection import InjectionAnalyzer
from gate.analyzers.interface import Analyzer, AnalyzerMeta
from gate.analyzers.secrets import SecretsAnalyzer
from gate.analyzers.symbols import PhantomSymbolsAnalyzer
from gate.analyzers.weakened_tests import WeakenedTestsAnalyzer


def deterministic_analyzers() -> list[Analyzer]:
    """Every analyzer, in report order (SPEC 5.6 stage ids)."""
    return [
        DependenciesAnalyzer(),
        PhantomSymbolsAnalyzer(),
        WeakenedTestsAnalyzer(),
        SecretsAnalyzer(),
        InjectionAnalyzer(),
    ]


__all__ = [
    "Analyzer",
    "AnalyzerMeta",
    "DependenciesAnalyzer",
    "InjectionAnalyzer",
    "PhantomSymbolsAnalyzer",
    "SecretsAnalyzer",
    "WeakenedTestsAnalyzer",
    "deterministic_analyzers",
]
