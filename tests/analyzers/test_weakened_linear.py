"""weakened-tests runs in time linear in its input: adversarial lines of 10 KB, 100 KB and 1 MB (just
under the size limit, so they are analysed, not skipped) in a test file the change modifies and in one it
adds, next to a code change. CPU time of the stage, best of three; growth must be far below quadratic."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from gate.analyzers import WeakenedTestsAnalyzer
from gate.analyzers.source import MAX_FILE_BYTES
from gate.config.models import Config
from gate.context.model import ChangeSet
from gate.diff import parse_diff
from gate.run import RunContext

SIZES = (10_000, 100_000, MAX_FILE_BYTES - 10_000)


def _fill(unit: str, n: int, head: str = "", tail: str = "") -> str:
    return head + unit * max(1, (n - len(head) - len(tail)) // len(unit)) + tail


ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "letters": lambda n: "a" * n,
    "escaped-quotes": lambda n: _fill('\\"', n, '"'),
    "many-open-quotes": lambda n: _fill("'\"`", n),
    "assert-chain": lambda n: _fill(" == x", n, "assert x"),
    "expect-parens": lambda n: _fill("(", n, "expect("),
    "runner-chain": lambda n: _fill(".each", n, "it", ".skip"),
    "skipif-condition": lambda n: _fill("(", n, "@pytest.mark.skipif("),
    "pytestmark": lambda n: _fill("pytest.mark.skip, ", n, "pytestmark = ["),
    "digits": lambda n: _fill("1", n, "", "a"),
    "self-assert": lambda n: _fill("a", n, "self.assert"),
    "markers": lambda n: _fill("it.skip(xit(fit(this.skip(", n),
    # Other languages' forms: attributes and annotations, bare minitest calls, assertion classes, and
    # assertion APIs replaced.
    "rust-attributes": lambda n: _fill("#[cfg_attr(#[ignore", n, "#[cfg_attr("),
    "testng-annotations": lambda n: _fill("@Test(", n, "@Test("),
    "xunit-attributes": lambda n: _fill("[Fact(Skip", n, "[Test, "),
    "minitest-calls": lambda n: _fill("assert_a refute_b ", n),
    "assertion-classes": lambda n: _fill("Assert.Assertions.Should", n),
    "go-build-tags": lambda n: _fill(" ignore", n, "//go:build"),
    "assertion-overrides": lambda n: _fill("patch(self.TestCase.fail", n, "self.assertX = "),
    "assignments-then-assert": lambda n: _fill("self.assertX = 0 ", n, "", "assert"),
}


def _changeset(line: str) -> ChangeSet:
    code = "diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"
    modified = (
        "diff --git a/tests/test_a.py b/tests/test_a.py\n--- a/tests/test_a.py\n+++ b/tests/test_a.py\n"
        f"@@ -1,2 +1,2 @@\n def test_a():\n-    {line}\n+    {line[::-1]}\n"
    )
    added = (
        "diff --git a/tests/test_b.py b/tests/test_b.py\nnew file mode 100644\n--- /dev/null\n"
        f"+++ b/tests/test_b.py\n@@ -0,0 +1,2 @@\n+def test_b():\n+    {line}\n"
    )
    return ChangeSet(source="diff", diff=parse_diff(code + modified + added))


def _cpu(line: str) -> float:
    changeset = _changeset(line)
    best = float("inf")
    for _ in range(3):
        ctx = RunContext(changeset=changeset, config=Config())
        started = time.process_time()
        WeakenedTestsAnalyzer().run(ctx)
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.growth
@pytest.mark.parametrize("kind", list(ADVERSARIAL))
def test_runtime_grows_linearly_on_adversarial_lines(kind: str) -> None:
    times = [_cpu(ADVERSARIAL[kind](n)) for n in SIZES]
    floor = 0.02  # below this, process_time is mostly noise
    small, medium, large = (max(t, floor) for t in times)
    # Linear growth is ~10x per step; quadratic would be ~100x.
    assert medium / small < 30, times
    assert large / medium < 30, times


def _go_build_lines(n: int) -> ChangeSet:
    """A Go test file the change modifies, whose hunk adds n `//go:build` lines at its top, where the
    header that holds a constraint is read, above n lines of base code, next to a code change."""
    code = (
        "diff --git a/calc.go b/calc.go\n--- a/calc.go\n+++ b/calc.go\n@@ -1 +1 @@\n-var x = 1\n+var x = 2\n"
    )
    test = (
        "diff --git a/calc_test.go b/calc_test.go\n--- a/calc_test.go\n+++ b/calc_test.go\n"
        f"@@ -1,{n} +1,{2 * n} @@\n"
        + "".join(f"+//go:build t{i}\n" for i in range(n))
        + "".join(f" x{i} := 1\n" for i in range(n))
    )
    return ChangeSet(source="diff", diff=parse_diff(code + test))


def test_many_added_go_build_lines_take_linear_time() -> None:
    """Whether the file was built under a tag before is read once, not once for each `//go:build` line
    the change adds (which made the stage quadratic in them: 4,000 took 5 s)."""
    times = []
    for n in (1_000, 4_000):
        changeset = _go_build_lines(n)
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            WeakenedTestsAnalyzer().run(RunContext(changeset=changeset, config=Config()))
            best = min(best, time.process_time() - started)
        times.append(max(best, 0.02))
    # Linear growth is ~4x; quadratic would be ~16x.
    assert times[1] / times[0] < 8, times


def _package_script(script: str) -> ChangeSet:
    """A package.json whose `test` script the change rewrites to `script`, next to a code change."""
    code = "diff --git a/app.js b/app.js\n--- a/app.js\n+++ b/app.js\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"
    package = (
        "diff --git a/package.json b/package.json\n--- a/package.json\n+++ b/package.json\n"
        f'@@ -1,3 +1,3 @@\n {{"scripts": {{\n-  "test": "jest"\n+  "test": "{script}"\n }}}}\n'
    )
    return ChangeSet(source="diff", diff=parse_diff(code + package))


def test_an_assignment_of_many_quote_pairs_in_a_script_takes_linear_time() -> None:
    """`A=` then quote pairs and no blank: each pair a quoted word or two characters, a value of 18 pairs
    was tried 2^18 ways (4 s; 22 pairs did not end in two minutes)."""
    times = []
    for n in (10, 990):
        changeset = _package_script("A=" + "''" * n + "x")
        started = time.process_time()
        WeakenedTestsAnalyzer().run(RunContext(changeset=changeset, config=Config()))
        times.append(max(time.process_time() - started, 0.02))
    assert times[1] / times[0] < 30, times


def test_a_comment_line_above_a_skip_is_read_in_linear_time() -> None:
    """Whether a line above a JS or Go skip holds code: a blank between the comment's body and a
    character after its close (`/*`, spaces, `*/x`) re-read the body at each place, quadratic in the
    line (about 10 ms a line of 2,000 characters, and a file holds hundreds above its skips)."""
    from gate.analyzers.weakened_tests.guards import has_code

    times = []
    for n in (190, 1_990):
        line = "/*" + " " * n + "*/x"
        started = time.process_time()
        for _ in range(200):
            assert has_code(line)
        times.append(max(time.process_time() - started, 0.002))
    # Linear growth is ~10x; quadratic would be ~100x.
    assert times[1] / times[0] < 40, times
