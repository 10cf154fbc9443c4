"""Test functions renamed where the runner does not collect them (`gate/analyzers/weakened_tests/
disabled.py`): each paired with its own old name, and read in time linear in their number."""

from __future__ import annotations

import time

from gate.analyzers.weakened_tests.disabled import renamed_tests
from gate.diff.model import DiffLine, FileChange, FileStatus, Hunk, LineKind


def _renamed(removed: list[str], added: list[str], head: str | None) -> list[tuple[str, str]]:
    lines = tuple(
        [DiffLine(LineKind.REMOVED, i + 1, None, t) for i, t in enumerate(removed)]
        + [DiffLine(LineKind.ADDED, None, i + 1, t) for i, t in enumerate(added)]
    )
    change = FileChange(
        "tests/test_calc.py", None, FileStatus.MODIFIED, (Hunk(1, len(removed), 1, len(added), "", lines),)
    )
    return [(r.old, r.new) for r in renamed_tests(change, head)]


def test_each_test_method_renamed_away_is_reported_with_its_own_name() -> None:
    """Methods of a class share one signature (`(self):`): each renamed one is paired with its own old
    name, and a comment on the new `def` line, or the new name in a comment, hides none."""
    removed = ["    def test_a(self):", "    def test_b(self):"]
    added = ["    def check_a(self):  # was test_a", "    def check_b(self):"]
    head = "class T:\n" + "\n".join(added) + "\n# check_a and check_b are flaky\n"
    assert _renamed(removed, added, head) == [("test_a", "check_a"), ("test_b", "check_b")]
    assert _renamed(removed, added, None) == [("test_a", "check_a"), ("test_b", "check_b")]


def test_renames_are_counted_once_per_file() -> None:
    """Thousands of renames in one file: each new name's uses are looked up, not searched for again."""
    times = {}
    for count in (600, 6_000):
        removed = [f"def test_{i}():" for i in range(count)]
        added = [f"def check_{i}():" for i in range(count)]
        head = "\n".join(added)
        started = time.process_time()
        assert len(_renamed(removed, added, head)) == count
        times[count] = time.process_time() - started
    assert max(times[6_000], 0.02) / max(times[600], 0.02) < 30, times
