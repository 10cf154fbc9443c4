"""The `weakened-tests` analyzer: in a change that also edits non-test code, tests deleted, assertions
removed without replacement, skips/xfails/focus added, or expected values edited to match.

Works on the diff alone, so patch input is analysed as fully as a git range.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from gate.analyzers.interface import Analyzer, AnalyzerMeta
from gate.analyzers.source import ChangeView, removed_and_added
from gate.diff.model import DiffLine, FileChange, FileStatus, LineKind
from gate.findings import Confidence, Finding, Location, Severity
from gate.pipeline import RunContext, StageResult

_TEST_DIRS = frozenset({"test", "tests", "testing", "__tests__", "spec", "specs", "e2e", "cypress"})
_TEST_NAME = re.compile(
    r"^(?:test_.+\.py|.+_test\.py|conftest\.py|.+[._](?:test|spec)\.(?:[cm]?[jt]sx?)|.+_test\.go|.+Tests?\.java"
    r"|.+_spec\.rb|.+Tests?\.(?:kt|cs|swift))$"
)
CODE_SUFFIXES = frozenset(
    {
        ".py",
        ".pyi",
        ".js",
        ".jsx",
        ".mjs",
        ".cjs",
        ".ts",
        ".tsx",
        ".mts",
        ".cts",
        ".vue",
        ".svelte",
        ".go",
        ".rs",
        ".java",
        ".kt",
        ".kts",
        ".scala",
        ".rb",
        ".php",
        ".cs",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".m",
        ".mm",
        ".swift",
        ".dart",
        ".ex",
        ".exs",
        ".erl",
        ".hs",
        ".ml",
        ".clj",
        ".lua",
        ".sh",
        ".sql",
    }
)

_ASSERTION = re.compile(
    r"^\s*assert\b|\bself\.assert\w*\s*\(|\bself\.fail\s*\(|\bpytest\.(?:raises|warns|approx)\b"
    r"|\.assert_\w+\s*\(|\bnp\.testing\.assert|\bexpect\s*\(|\bassert(?:\.\w+)?\s*\(|\.should\b"
    r"|\b(?:assert|require)\.\w+\s*\(|\bt\.(?:Error|Errorf|Fatal|Fatalf|Fail)\b|\bassert(?:Equals?|True|False|"
    r"That|Null|NotNull|Throws)\s*\("
)
_SKIP = re.compile(
    r"@pytest\.mark\.(?:skip|skipif|xfail)\b|\bpytest\.(?:skip|xfail|importorskip)\s*\(|@unittest\.(?:skip\w*|expectedFailure)\b"
    r"|\bself\.skipTest\s*\(|\b(?:it|test|describe|context|suite|specify)\.(?:skip|todo)\s*\("
    r"|(?<![\w.$])(?:xit|xtest|xdescribe|xcontext|xspecify)\s*\(|@(?:Disabled|Ignore)\b|\bt\.Skip(?:f|Now)?\s*\("
)
_CONDITIONAL_SKIP = re.compile(r"skipif|skipIf|skipUnless|importorskip")
_FOCUS = re.compile(
    r"\b(?:it|test|describe|context|suite|specify)\.only\s*\(|(?<![\w.$])(?:fit|fdescribe)\s*\("
)
_LITERAL = re.compile(
    r"""[rbfu]?"(?:[^"\\]|\\.)*"|[rbfu]?'(?:[^'\\]|\\.)*'|`[^`]*`|-?\b\d+(?:\.\d+)?(?:e-?\d+)?\b"""
    r"""|\b(?:True|False|None|true|false|null|undefined)\b"""
)


# Literal text every match of the pattern above contains: a line without any of it is not searched
# (most lines of a large change are not assertions, and a miss costs the regex a try at every position).
_ASSERTION_WORDS = (
    "assert",
    "self.fail",
    "pytest.",
    "expect",
    ".should",
    "require.",
    "t.Error",
    "t.Fatal",
    "t.Fail",
)
_SKIP_WORDS = (
    "pytest.",
    "unittest.",
    "skipTest",
    ".skip",
    ".todo",
    "xit",
    "xtest",
    "xdescribe",
    "xcontext",
    "xspecify",
    "@",
    "t.Skip",
)
_FOCUS_WORDS = (".only", "fit", "fdescribe")


def _has_any(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'""")


def _code(text: str) -> str:
    """The line with its string literals emptied: a skip marker quoted in a string is data, not a skip."""
    return _STRING.sub('""', text)


def is_test_file(path: str) -> bool:
    parts = path.split("/")
    return bool(_TEST_NAME.match(parts[-1])) or any(p in _TEST_DIRS for p in parts[:-1])


def is_code(path: str) -> bool:
    return posixpath.splitext(path)[1].lower() in CODE_SUFFIXES


def is_assertion(text: str) -> bool:
    stripped = text.lstrip()
    return (
        not stripped.startswith(("#", "//", "*"))
        and _has_any(text, _ASSERTION_WORDS)
        and bool(_ASSERTION.search(text))
    )


def literals(text: str) -> tuple[str, list[str]]:
    """The line with its literals replaced by a placeholder, and the literals in order."""
    found = [m.group(0) for m in _LITERAL.finditer(text)]
    return " ".join(_LITERAL.sub("\x00", text).split()), found


def _anchors(change: FileChange) -> dict[int, int | None]:
    """Old line number -> the nearest new-side line of its hunk, to point a reviewer at the spot."""
    out: dict[int, int | None] = {}
    for hunk in change.hunks:
        pending: list[int] = []
        last_new: int | None = None
        for line in hunk.lines:
            if line.kind is LineKind.REMOVED and line.old_no is not None:
                pending.append(line.old_no)
                continue
            if line.new_no is not None:
                for old in pending:
                    out[old] = line.new_no
                pending = []
                last_new = line.new_no
        for old in pending:
            out[old] = last_new if last_new is not None else hunk.new_start or None
    return out


class WeakenedTestsAnalyzer(Analyzer):
    meta = AnalyzerMeta(
        id="weakened-tests",
        description="find tests deleted, assertions removed, and skips added next to code changes",
        docs="#weakened-tests",
    )

    def run(self, ctx: RunContext) -> StageResult:
        view = ChangeView(ctx.changeset)
        changes = list(view.changes())
        code = [c.path for c in changes if is_code(c.path) and not is_test_file(c.path)]
        # Fixtures and snapshots under tests/ are data: only test code can lose assertions.
        tests = [c for c in changes if is_test_file(c.path) and is_code(c.path)]
        details: dict[str, object] = {"test_files": [c.path for c in tests], "skipped_files": view.notes}
        if not code:
            details["note"] = "the change edits no non-test code, so test edits are not suspicious"
            return self.meta.result((), details)
        deleted_code = {c.path for c in changes if c.status is FileStatus.DELETED}
        findings: list[Finding] = []
        balances: list[_Balance] = []
        deleted: list[FileChange] = []
        # Assertions the change adds beyond what it removes, anywhere: tests moved from one file to
        # another (or to a new file) are not lost.
        spare = 0
        for change in tests:
            if change.status is FileStatus.DELETED:
                if not _subject_deleted(change.path, deleted_code):
                    deleted.append(change)
                continue
            findings.extend(self._markers(change))
            balance = self._balance(change)
            findings.extend(balance.edits)
            if change.status is FileStatus.ADDED:
                spare += balance.added
            else:
                balances.append(balance)
                spare += max(0, balance.added - len(balance.removed))
        moved: list[str] = []
        for change in deleted:
            asserts = _assertions_in(change)
            if asserts and spare >= asserts:
                spare -= asserts
                moved.append(change.path)
            else:
                findings.append(self._deleted(change, asserts))
        for balance in balances:
            missing = len(balance.removed) - balance.added
            absorbed = min(spare, max(missing, 0))
            spare -= absorbed
            findings.extend(self._removed(balance, missing - absorbed))
        if moved:
            details["moved_tests"] = moved
        return self.meta.result(findings, details)

    def _deleted(self, change: FileChange, asserts: int) -> Finding:
        return self.meta.finding(
            "test-file-deleted",
            Severity.HIGH,
            Confidence.MEDIUM,
            f"Test file {change.path} deleted",
            f"The change deletes {change.path} ({change.removed_count} lines, {asserts} assertions) while "
            "it also edits non-test code, and the code it tested is still there. Deleting tests is a way to "
            "make a change pass; move or replace them if the behaviour is still wanted.",
            Location(change.path),
        )

    def _markers(self, change: FileChange) -> Iterator[Finding]:
        """Skips, xfails and focus the change adds (a marker that only moved is not added)."""
        path = change.path
        added_skips = Counter(
            line.text.strip()
            for line in change.added_lines()
            if _has_any(line.text, _SKIP_WORDS) and _SKIP.search(_code(line.text))
        )
        added_focus = Counter(
            line.text.strip()
            for line in change.added_lines()
            if _has_any(line.text, _FOCUS_WORDS) and _FOCUS.search(_code(line.text))
        )
        for hunk in change.hunks:
            for line in hunk.removed:
                for counter in (added_skips, added_focus):
                    if counter[line.text.strip()]:
                        counter[line.text.strip()] -= 1
        for line in change.added_lines():
            text = line.text.strip()
            if added_focus[text] > 0:
                added_focus[text] -= 1
                yield self._marker(
                    line,
                    path,
                    "test-focused",
                    "focuses the suite on one test (`.only`/`fit`)",
                    "every other test in the file stops running",
                )
            elif added_skips[text] > 0:
                added_skips[text] -= 1
                yield self._marker(
                    line,
                    path,
                    "test-skipped",
                    "skips or expects failure of a test",
                    "the test no longer checks anything",
                )

    def _balance(self, change: FileChange) -> _Balance:
        """Assertions removed and added, with expected-value edits paired off and reported."""
        balance = _Balance(change)
        for removed, added in removed_and_added(change):
            old = [line for line in removed if is_assertion(line.text)]
            unmatched_new = [line for line in added if is_assertion(line.text)]
            for gone in old:
                edited = next((n for n in unmatched_new if _only_literals_differ(gone.text, n.text)), None)
                if edited is not None:
                    unmatched_new.remove(edited)
                    balance.edits.append(self._expected_edit(gone, edited, change.path))
                else:
                    balance.removed.append(gone)
            balance.added += len(unmatched_new)
        return balance

    def _removed(self, balance: _Balance, missing: int) -> Iterator[Finding]:
        if missing <= 0:
            return
        path = balance.change.path
        anchors = _anchors(balance.change)
        for gone in balance.removed[-missing:]:
            yield self.meta.finding(
                "assertion-removed",
                Severity.MEDIUM,
                Confidence.MEDIUM,
                f"Assertion removed from {path}: {_short(gone.text)}",
                f"Old line {gone.old_no} of {path}, “{gone.text.strip()}”, is removed and the change "
                f"adds no assertion in its place ({len(balance.removed)} removed, {balance.added} added in "
                "this file, none to spare elsewhere), while non-test code changes too.",
                Location(path, anchors.get(gone.old_no or -1)),
            )

    def _marker(self, line: DiffLine, path: str, rule: str, what: str, effect: str) -> Finding:
        # A skip under a stated condition (platform, missing optional dependency) is often legitimate.
        conditional = bool(_CONDITIONAL_SKIP.search(line.text))
        return self.meta.finding(
            rule,
            Severity.MEDIUM if conditional else Severity.HIGH,
            Confidence.MEDIUM if conditional else Confidence.HIGH,
            f"Test {'focused' if rule == 'test-focused' else 'skipped'} in {path}: {_short(line.text)}",
            f"Line {line.new_no} of {path} adds “{line.text.strip()}”, which {what}: {effect}. Added next to "
            "a code change, this hides a failure instead of fixing it.",
            Location(path, line.new_no),
        )

    def _expected_edit(self, gone: DiffLine, edited: DiffLine, path: str) -> Finding:
        _, old = literals(gone.text)
        _, new = literals(edited.text)
        changed = [(a, b) for a, b in zip(old, new, strict=False) if a != b]
        what = "; ".join(f"{a} -> {b}" for a, b in changed[:3])
        return self.meta.finding(
            "expected-value-edited",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            f"Expected value edited in {path}: {what}",
            f"Line {edited.new_no} of {path} keeps the assertion but changes what it expects ({what}): "
            f"“{gone.text.strip()}” became “{edited.text.strip()}”. When code changes too, check that the "
            "new value is the intended behaviour and not the test edited to match a bug.",
            Location(path, edited.new_no),
        )


@dataclass
class _Balance:
    change: FileChange
    removed: list[DiffLine] = field(default_factory=list)  # assertions removed with no edited twin
    added: int = 0  # assertions added that are not edits of a removed one
    edits: list[Finding] = field(default_factory=list)


def _assertions_in(change: FileChange) -> int:
    return sum(1 for h in change.hunks for line in h.removed if is_assertion(line.text))


def _only_literals_differ(old: str, new: str) -> bool:
    old_shape, old_values = _literals_of(old)
    new_shape, new_values = _literals_of(new)
    return old_shape == new_shape and old_values != new_values and bool(old_values)


@lru_cache(maxsize=4096)
def _literals_of(text: str) -> tuple[str, tuple[str, ...]]:
    """literals(), remembered: pairing removed with added assertions compares each line with many."""
    shape, values = literals(text)
    return shape, tuple(values)


def _subject_deleted(test_path: str, deleted: set[str]) -> bool:
    """`tests/test_foo.py` or `foo.test.ts` goes with a deleted `foo.py` / `foo.ts`: a removal, not a
    cheat."""
    name = posixpath.basename(test_path)
    stem = re.sub(r"^test_|_test$|[._](?:test|spec)$|Tests?$|_spec$", "", posixpath.splitext(name)[0])
    return any(posixpath.splitext(posixpath.basename(p))[0] == stem for p in deleted if p != test_path)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
