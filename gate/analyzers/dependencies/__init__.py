"""The `dependencies` analyzer: newly added packages and imports, checked against their registries."""

from gate.analyzers.dependencies.stage import DependenciesAnalyzer

__all__ = ["DependenciesAnalyzer"]
