"""The deterministic analyzers' declarations, in report order (SPEC 5.6 stage ids), and where each one's
code is: what a run needs to place and name the stages, read without loading any analyzer."""

from __future__ import annotations

from gate.analyzers.interface import AnalyzerMeta

DEPENDENCIES = AnalyzerMeta(
    id="dependencies",
    description="check newly added packages and imports against their registries",
    docs="#dependencies",
)
PHANTOM_SYMBOLS = AnalyzerMeta(
    id="phantom-symbols",
    description="find added Python that uses names the repository does not define",
    docs="#phantom-symbols",
)
WEAKENED_TESTS = AnalyzerMeta(
    id="weakened-tests",
    description="find tests deleted, assertions removed, and skips added next to code changes",
    docs="#weakened-tests",
)
SECRETS = AnalyzerMeta(
    id="secrets",
    description="find credentials in added lines",
    docs="#secrets",
    reads_learning=True,  # answers from the learning's scan of the change
    runs_first=True,  # a leaked token to rotate is not held up by a slower check
)
INJECTION_TEXT = AnalyzerMeta(
    id="injection-text",
    description="find text aimed at AI reviewers, hidden PR comments and invisible Unicode",
    docs="#injection-text",
    reads_learning=True,  # quotes lines through the redaction
    runs_first=True,  # one pass over the added lines, not held up by a slower check
    lines_per_part=40_000,  # its parts run in both processes on a large change
)

# Each analyzer: its declaration, the module that holds its class, and the class's name.
ANALYZERS = (
    (DEPENDENCIES, "gate.analyzers.dependencies", "DependenciesAnalyzer"),
    (PHANTOM_SYMBOLS, "gate.analyzers.symbols", "PhantomSymbolsAnalyzer"),
    (WEAKENED_TESTS, "gate.analyzers.weakened_tests", "WeakenedTestsAnalyzer"),
    (SECRETS, "gate.analyzers.secrets", "SecretsAnalyzer"),
    (INJECTION_TEXT, "gate.analyzers.injection", "InjectionAnalyzer"),
)
