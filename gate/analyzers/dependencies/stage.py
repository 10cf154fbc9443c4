"""The `dependencies` stage: look newly needed packages up once each, and report what the registries say."""

from __future__ import annotations

from gate.analyzers import catalog
from gate.analyzers.interface import Analyzer
from gate.run import RunContext, StageResult


class DependenciesAnalyzer(Analyzer):
    meta = catalog.DEPENDENCIES

    def run(self, ctx: RunContext) -> StageResult:
        if ctx.offline:
            return self.meta.skipped("offline: registry lookups need the network")
        # The manifest parsers, the import reader and the registry client load only when they are used.
        from gate.analyzers.dependencies.check import check_dependencies

        return check_dependencies(self.meta, ctx)
