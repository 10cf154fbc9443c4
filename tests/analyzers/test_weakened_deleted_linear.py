"""A pull request that deletes or retires thousands of test files: weakened-tests pairs each with the code
it tested, and tells retired files from kept ones, by lookups, in time linear in their number. CPU time
of the stage at N and 10 N files; growth must be far below quadratic."""

from __future__ import annotations

import time
from dataclasses import replace

from gate.analyzers import WeakenedTestsAnalyzer
from gate.config.models import Config
from gate.context.model import ChangeSet
from gate.diff.model import Diff, DiffLine, FileChange, FileStatus, Hunk, LineKind
from gate.run import RunContext, StageResult

SMALL, LARGE = 100, 1_000


def _file(path: str, status: FileStatus, old_path: str | None = None, line: str = "") -> FileChange:
    if not line:
        return FileChange(path, old_path, status)
    if status is FileStatus.DELETED:
        hunk = Hunk(1, 1, 0, 0, "", (DiffLine(LineKind.REMOVED, 1, None, line),))
    else:
        hunk = Hunk(0, 0, 1, 1, "", (DiffLine(LineKind.ADDED, None, 1, line),))
    return FileChange(path, old_path, status, (hunk,))


def _cpu(diff: Diff) -> tuple[float, StageResult]:
    changeset = ChangeSet(source="diff", diff=diff)
    started = time.process_time()
    result = WeakenedTestsAnalyzer().run(RunContext(changeset=changeset, config=Config()))
    return time.process_time() - started, result


def _deleted(count: int) -> Diff:
    """`count` test files deleted with twice as many code files: the even ones with their subject."""
    assertion = "    assert f() == 1"
    tests = [_file(f"tests/test_m{i}.py", FileStatus.DELETED, line=assertion) for i in range(count)]
    subjects = [_file(f"src/{'m' if i % 2 == 0 else 'n'}{i}.py", FileStatus.DELETED) for i in range(count)]
    others = [_file(f"lib/other{i}.py", FileStatus.DELETED) for i in range(count)]
    return Diff(files=(*tests, *subjects, *others))


def test_deleted_tests_are_paired_with_deleted_code_by_lookup() -> None:
    """Each deleted test is excused by its own subject alone, and found in the deleted code without
    comparing it with every deleted path."""
    times = {}
    for count in (SMALL, LARGE):
        times[count], result = _cpu(_deleted(count))
        gone = sorted(f.location.path for f in result.findings if f.rule == "test-file-deleted")
        assert gone == sorted(f"tests/test_m{i}.py" for i in range(1, count, 2))
    assert max(times[LARGE], 0.02) / max(times[SMALL], 0.02) < 30, times


def _retired(count: int) -> Diff:
    """`count` test files renamed out of the tests, as many renamed into an ignored folder, and as many
    kept test files edited, next to a code change."""
    code = _file("app.py", FileStatus.MODIFIED, line="x = 2")
    renamed = [_file(f"examples/case{i}.py", FileStatus.RENAMED, f"tests/test_c{i}.py") for i in range(count)]
    kept = [_file(f"tests/test_k{i}.py", FileStatus.ADDED, line="    assert f() == 1") for i in range(count)]
    hidden = [_file(f"vendor/case{i}.py", FileStatus.RENAMED, f"tests/test_v{i}.py") for i in range(count)]
    return replace(Diff(files=(code, *renamed, *kept)), ignored_files=tuple(hidden))


def test_retired_test_files_are_told_apart_by_lookup() -> None:
    """Each changed test file is looked up among the retired ones, not compared with each of them."""
    times = {}
    for count in (SMALL, LARGE):
        times[count], result = _cpu(_retired(count))
        assert result.details["test_files"] == [f"tests/test_k{i}.py" for i in range(count)]
        gone = [f for f in result.findings if f.rule == "test-file-deleted"]
        assert len(gone) == 2 * count
        assert sum("paths.ignore" in f.title for f in gone) == count
    assert max(times[LARGE], 0.02) / max(times[SMALL], 0.02) < 30, times
