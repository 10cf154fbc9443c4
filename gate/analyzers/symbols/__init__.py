"""The `phantom-symbols` analyzer: added Python that uses names the repository does not define."""

from gate.analyzers.symbols.stage import PhantomSymbolsAnalyzer

__all__ = ["PhantomSymbolsAnalyzer"]
