"""The `weakened-tests` analyzer: tests deleted, assertions removed or emptied, skips and focus added,
tests cut short, expected values edited, in a change that also edits non-test code.

`paths` tells test code from other files, `lines` reads one line of any language, `python` reads a
Python test module's syntax tree, `disabled` finds Python tests turned off without a skip, `subjects`
tells whether a deleted test went with the code it tested, and `stage` puts them together into findings.
"""

from gate.analyzers.weakened_tests.lines import is_assertion, is_tautology
from gate.analyzers.weakened_tests.paths import CODE_SUFFIXES, is_code, is_test_file
from gate.analyzers.weakened_tests.stage import WeakenedTestsAnalyzer, literals

__all__ = [
    "CODE_SUFFIXES",
    "WeakenedTestsAnalyzer",
    "is_assertion",
    "is_code",
    "is_tautology",
    "is_test_file",
    "literals",
]
