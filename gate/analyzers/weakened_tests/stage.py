"""The `weakened-tests` stage: in a change that also edits non-test code, tests deleted (or renamed where
their runner does not collect them), assertions removed or replaced by ones that cannot fail, or their
failures caught and dropped, assertion APIs given a body that checks nothing, skips/xfails/focus added,
test functions renamed out of the runner's sight, tests cut short by an early `return`, expected values
edited to match, or tests deselected or allowed to fail by the runner's settings and the commands that
run them.

Works on the diff alone, so patch input is analysed as fully as a git range; Python test files are also
read whole from the head revision (when it is known) for what only the syntax tree shows, and Rust code
files at base and head for the test items inside them. A test file it cannot read is a finding of its
own, and test code in a language whose assertions it does not know is named in its details: never a
silent pass.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from gate.analyzers import catalog
from gate.analyzers.interface import Analyzer
from gate.analyzers.limits import Unreadable
from gate.analyzers.skipped import skipped_files
from gate.analyzers.source import ChangeView, as_read, parse_python, removed_and_added
from gate.analyzers.weakened_tests.disabled import (
    inverted_assertions,
    renamed_tests,
    swallowed_assertions,
    swallowed_expectations,
)
from gate.analyzers.weakened_tests.go_build import NEWEST_RELEASE, header, never_builds
from gate.analyzers.weakened_tests.go_build import compare as compare_constraints
from gate.analyzers.weakened_tests.guards import LOOK_BACK, guarded_skip, has_code
from gate.analyzers.weakened_tests.inline import inline_tests
from gate.analyzers.weakened_tests.lines import (
    FOCUS,
    GO_BUILD_IGNORED,
    GO_BUILD_TAGGED,
    LINE_CACHE_ENTRIES,
    SKIP,
    Marker,
    forget_lines,
    is_assertion,
    is_real_assertion,
    is_tautology,
    line_marker,
    overrides_assertion,
)
from gate.analyzers.weakened_tests.parameters import Emptied, emptied_parameters
from gate.analyzers.weakened_tests.paths import (
    assertions_known,
    is_code,
    is_collected,
    is_collected_where_it_lies,
    is_python,
    is_test_file,
    language,
)
from gate.analyzers.weakened_tests.python import PythonFacts, ShortCircuit
from gate.analyzers.weakened_tests.settings import ancestors, holds_test_settings, runs_tests, weakenings
from gate.analyzers.weakened_tests.subjects import DeletedCode
from gate.analyzers.weakened_tests.tree_facts import forget as forget_tree_facts
from gate.analyzers.weakened_tests.tree_facts import read_facts, take_facts
from gate.config.models import Paths
from gate.context.ignore import default_ignored
from gate.diff.model import DiffLine, FileChange, FileStatus, LineKind
from gate.findings import Confidence, Finding, Location, Severity
from gate.redact import cut_redacted
from gate.run import RunContext, StageResult

_LITERAL = re.compile(
    # An unterminated string runs to the end of the line (the closing quote is optional), so every try
    # at a quote matches and moves on: linear on any line.
    r"""[rbfu]?"(?:[^"\\]|\\.)*"?|[rbfu]?'(?:[^'\\]|\\.)*'?|`[^`]*`?|-?\b\d+(?:\.\d+)?(?:e-?\d+)?\b"""
    r"""|\b(?:True|False|None|true|false|null|undefined)\b"""
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


@dataclass
class _TestFile:
    """One changed test file as the stage reads it: its Python facts when the whole head parsed, and the
    whether an assertion that can fail is left in it at head (1 or 0; None when the head is not known)."""

    change: FileChange
    python: PythonFacts | None = None
    assertions_left: int | None = None
    head: str | None = None  # its whole text at head, when read


class WeakenedTestsAnalyzer(Analyzer):
    meta = catalog.WEAKENED_TESTS

    def run(self, ctx: RunContext) -> StageResult:
        view = ChangeView(ctx.changeset)
        diff = ctx.changeset.diff
        # Tests the default ignores leave out where their runner still collects them (`tests/vendor/`)
        # still run: they are read as any other test. A user's own paths.ignore is honoured.
        collected = _collected_although_ignored(view, ctx.config.paths)
        changes = [*view.changes(_reads), *collected]
        # Rust's unit tests live in the code files they test: their lines are read as a test file's.
        inline = inline_tests(view)
        code = [
            c.path
            for c in diff.files
            if is_code(c.path)
            and not is_test_file(c.path)
            and not c.is_binary
            and inline.changes_code.get(c.path, True)
        ]
        # A test file renamed where no runner collects it is gone, as if deleted; read from the whole
        # diff, since nothing in the file needs reading to tell. Renamed into a path the gate ignores
        # and its runner does not collect (`dist/`), or the user's paths.ignore names, its edits would
        # go unread too.
        # Each change by its identity (one object a file in the change): sets, not lists, since comparing
        # each change with every retired one took time quadratic in their number; and not the changes
        # themselves, whose hash reads every line of every hunk.
        collected_set = {id(c) for c in collected}
        hidden = [c for c in diff.ignored_files if _renamed_from_tests(c) and id(c) not in collected_set]
        retired = [c for c in diff.files if _leaves_the_tests(c)] + hidden
        retired_set, hidden_set = {id(c) for c in retired}, {id(c) for c in hidden}
        # Fixtures and snapshots under tests/ are data: only test code can lose assertions. Of any size:
        # the line rules read the diff's lines one by one, and a megabyte of padding added beside a
        # removed assertion must not hide it; only the whole head is left unread past the size limit.
        readable = {c.path for c in changes}
        tests = [c for c in (*diff.files, *collected) if _is_test_code(c) and id(c) not in retired_set]
        tests.extend(inline.assertions_left)
        assertions_left = {id(c): left for c, left in inline.assertions_left.items()}
        details: dict[str, object] = {"test_files": [c.path for c in tests], "skipped_files": view.notes}
        # Test code in a language whose assertions are not known is said to be unread, not passed.
        unread = {c.path: _UNKNOWN_LANGUAGE for c in tests if not assertions_known(c.path)} | inline.unread
        if unread:
            details["tests_not_read"] = unread
        if collected:
            details["read_although_ignored"] = [c.path for c in collected]
        if not code:
            details["note"] = "the change edits no non-test code, so test edits are not suspicious"
            return self.meta.result((), details, skipped_files=skipped_files(view))
        findings: list[Finding] = []
        deleted_code = DeletedCode(
            (c.path for c in changes if c.status is FileStatus.DELETED), view.head_paths
        )
        balances: list[_Balance] = []
        gone: list[FileChange] = []  # test files deleted or retired while the code they tested stays
        # Assertions the change adds beyond what it removes, anywhere: tests moved from one file to
        # another (or to a new file) are not lost. Assertions that cannot fail make up for nothing.
        spare = 0
        for change in retired:
            if not self._subject_deleted(view, change, deleted_code):
                gone.append(change)
        for change in tests:
            if change.status is FileStatus.DELETED:
                if not self._subject_deleted(view, change, deleted_code):
                    gone.append(change)
                continue
            if id(change) in assertions_left:
                test_file = _TestFile(change, assertions_left=assertions_left[id(change)])
            elif change.path in readable:
                test_file = self._read(view, change, findings)
            else:
                # Over the size limit: its added lines are read below, its head is not.
                test_file = _TestFile(change)
                findings.append(self._not_analysed(change.path, "over the size limit"))
            findings.extend(self._markers(view, test_file))
            findings.extend(self._overrides(change))
            if test_file.head is not None and is_python(change.path):
                findings.extend(self._emptied(change.path, emptied_parameters(change, test_file.head)))
            findings.extend(self._short_circuits(test_file))
            if is_python(change.path):
                findings.extend(self._disabled(view, change))
            elif language(change.path) == "js":
                head = view.text("head", change.path) if view.is_whole_file(change) else None
                swallowed = swallowed_expectations(change, head)
                findings.extend(self._swallowed(change.path, swallowed, "what a failed expectation throws"))
            balance = self._balance(change)
            balance.assertions_left = test_file.assertions_left
            findings.extend(balance.edits)
            if change.status is FileStatus.ADDED:
                spare += balance.added
            else:
                balances.append(balance)
                spare += max(0, balance.added - len(balance.removed))
        moved: list[str] = []
        for change in gone:
            asserts = _assertions_lost(view, change)
            if asserts and spare >= asserts:
                spare -= asserts
                moved.append(_old_path(change))
            else:
                findings.append(self._deleted(change, asserts, ignored=id(change) in hidden_set))
        for balance in balances:
            missing = len(balance.removed) - balance.added
            absorbed = min(spare, max(missing, 0))
            spare -= absorbed
            findings.extend(self._removed(balance, missing - absorbed))
        elsewhere = {c.path for c in changes if runs_tests(c)}
        vacated = _Vacated(view)
        for change in changes:
            others = bool(elsewhere - {change.path})
            findings.extend(self._settings(view, change, run_elsewhere=others, vacated=vacated))
        if moved:
            details["moved_tests"] = moved
        return self.meta.result(findings, details, skipped_files=skipped_files(view))

    def _read(self, view: ChangeView, change: FileChange, findings: list[Finding]) -> _TestFile:
        """The file's head, when known whole: Python parsed, assertions counted. What cannot be read or
        parsed is a finding; the line checks still run on what the diff shows."""
        test_file = _TestFile(change)
        if not view.is_whole_file(change):
            return test_file
        known_skips = len(view.notes)
        head = view.text("head", change.path)
        if head is None:
            # A test file the change keeps exists at head: not reading it is a gap, not an absence.
            why = "its head revision could not be read (binary, or over the size limit)"
            if len(view.notes) > known_skips:
                why = view.notes[-1].split("(", 1)[-1].rstrip(")")
            findings.append(self._not_analysed(change.path, why))
            return test_file
        test_file.head = head
        # Whether any assertion that can fail is left: the first one found answers it.
        test_file.assertions_left = int(any(is_real_assertion(line) for line in head.splitlines()))
        if is_python(change.path):
            # Another stage that parsed this head already read its facts: no second parse.
            test_file.python = take_facts(change, head)
            if test_file.python is not None:
                return test_file
            try:
                tree = parse_python(head)
            except Unreadable as exc:
                findings.append(self._not_analysed(change.path, str(exc)))
                return test_file
            if tree is None:
                findings.append(self._not_analysed(change.path, "the head revision does not parse as Python"))
            else:
                # Only what is on an added line is reported: the rest of the file is not visited.
                test_file.python = read_facts(change, head, tree)
        return test_file

    def _not_analysed(self, path: str, why: str) -> Finding:
        return self.meta.finding(
            "could-not-analyse",
            Severity.MEDIUM,
            Confidence.HIGH,
            f"Could not analyse test file {path}: {why}",
            f"{path} is test code that this check could not read in full ({why}), so skips, early returns "
            "and removed assertions in it may be missed. Check its changes by hand.",
            Location(path),
        )

    @staticmethod
    def _subject_deleted(view: ChangeView, change: FileChange, deleted: DeletedCode) -> bool:
        old = _old_path(change)
        return deleted.has_subject(old, lambda: view.text("base", old))

    def _deleted(self, change: FileChange, asserts: int | None, *, ignored: bool) -> Finding:
        if change.status is not FileStatus.DELETED:
            return self._renamed_away(change, asserts, ignored=ignored)
        return self.meta.finding(
            "test-file-deleted",
            Severity.HIGH,
            Confidence.MEDIUM,
            f"Test file {change.path} deleted",
            f"The change deletes {change.path} ({change.removed_count} lines, {asserts} assertions) while "
            "it also edits non-test code, and the code it tested is still there. Deleting tests is a way to "
            "make a change pass; move or replace them if the behaviour is still wanted; new assertions "
            "that cannot fail do not replace them.",
            Location(change.path),
        )

    def _renamed_away(self, change: FileChange, asserts: int | None, *, ignored: bool) -> Finding:
        """A test file renamed where its runner does not collect it: deleted, as far as its tests go."""
        if ignored:
            where = "to a path the gate ignores (paths.ignore)"
        elif not is_test_file(change.path):
            where = "out of the test folders"
        else:
            where = "to a name no test runner collects"
        counted = "an unknown number of" if asserts is None else str(asserts)
        return self.meta.finding(
            "test-file-deleted",
            Severity.HIGH,
            Confidence.MEDIUM,
            f"Test file {change.old_path} deleted: renamed {where} ({change.path})",
            f"The change renames {change.old_path} ({counted} assertions) to {change.path}, {where}: its "
            "tests no longer run. The change also edits non-test code, and the code they tested is still "
            "there. Taking tests out of the run is a way to make a change pass; move them to a test file "
            "if the behaviour is still wanted.",
            Location(change.path),
        )

    def _markers(self, view: ChangeView, test_file: _TestFile) -> Iterator[Finding]:
        """Skips, xfails and focus the change adds (a marker that only moved is not added)."""
        change = test_file.change
        from_tree = test_file.python.markers if test_file.python is not None else {}
        found: list[tuple[DiffLine, Marker]] = []
        shown: Mapping[int, str] | None = None  # the lines of the head, or of the hunks' new sides
        # A Go file's constraint is read once, from its whole header: a line that only looks like one
        # (`// go:build gc`, or one inside `/* */`) is no constraint and says nothing of the file.
        go_marker, go_lines = (
            (None, ()) if not change.path.endswith(".go") else _go_build_change(view, test_file)
        )
        go_first: DiffLine | None = None  # the first added line that looks like a constraint
        go_found: DiffLine | None = None  # where the constraint's change is reported
        for line in change.added_lines():
            marker = from_tree.get(line.new_no or 0)
            text_marker = line_marker(as_read(line.new_no, line.text), change.path)
            if marker is None or (text_marker is FOCUS):
                marker = text_marker
            if marker is GO_BUILD_TAGGED or marker is GO_BUILD_IGNORED:
                go_first = go_first or line
                marker = None
            if go_found is None and line.new_no in go_lines:
                go_found = line
            if marker is SKIP and not is_python(change.path):
                # `if testing.Short() { t.Skip() }`: a skip under a condition, as in Python's tree.
                if shown is None:
                    shown = _new_side(change, test_file.head)
                at = (line.new_no or 1) - 1
                above = _code_above(shown, at) if at in shown else []
                marker = guarded_skip(line.text, above) or marker
            if marker is not None:
                found.append((line, marker))
        if go_marker is not None:
            # Read from the whole header, so reported even when its line only moved (out of a `/* */`
            # comment); when the constraint line itself is not added (the `/*` above it removed), at the
            # first added line that looks like one, else the first added line.
            where = go_found or go_first or next(iter(change.added_lines()), None)
            if where is not None:
                yield self._marker(where, change.path, go_marker)
        if not found:
            return
        added = Counter(line.text.strip() for line, _ in found)
        for hunk in change.hunks:
            for line in hunk.removed:
                if added[line.text.strip()]:
                    added[line.text.strip()] -= 1
        for line, marker in found:
            text = line.text.strip()
            if added[text] > 0:
                added[text] -= 1
                yield self._marker(line, change.path, marker)

    def _overrides(self, change: FileChange) -> Iterator[Finding]:
        """Assertion APIs the change gives a body of its own (a line only moved gives none)."""
        removed = Counter(line.text.strip() for hunk in change.hunks for line in hunk.removed)
        for line in change.added_lines():
            text = line.text.strip()
            if not overrides_assertion(line.text):
                continue
            if removed[text]:
                removed[text] -= 1
                continue
            yield self._at_line(
                "assertion-overridden",
                change.path,
                line.new_no,
                f"Assertion replaced by one that checks nothing in {change.path}: {_short(line.text)}",
                f"Line {line.new_no} of {change.path}, “{_short(line.text, 200)}”, gives an assertion API a "
                "body of its own: every check made through it now passes, or checks only what this body "
                "does. Next to a code change, this hides a failure instead of fixing it.",
            )

    def _emptied(self, path: str, emptied: Iterable[Emptied]) -> Iterator[Finding]:
        for found in emptied:
            yield self._at_line(
                "test-skipped",
                path,
                found.line,
                f"Test {found.test} in {path} left with no parameter sets",
                f"The change leaves the `parametrize` at line {found.line} of {path} with an empty list of "
                f"cases: pytest skips {found.test} (“got empty parameter set”), so it checks nothing. "
                "Next to a code change, this hides a failure instead of fixing it.",
            )

    def _short_circuits(self, test_file: _TestFile) -> Iterator[Finding]:
        if test_file.python is None:
            return
        added = {line.new_no for line in test_file.change.added_lines()}
        for cut in test_file.python.short_circuits:
            if cut.line in added:
                yield self._short_circuit(cut, test_file.change.path)

    def _disabled(self, view: ChangeView, change: FileChange) -> Iterator[Finding]:
        """Tests renamed out of the runner's sight, and assertion failures caught and dropped."""
        path = change.path
        head = view.text("head", path) if view.is_whole_file(change) else None
        for renamed in renamed_tests(change, head):
            yield self._at_line(
                "test-renamed-away",
                path,
                renamed.line.new_no,
                f"Test {renamed.old} in {path} renamed to {renamed.new}, which the runner does not collect",
                f"Line {renamed.line.new_no} of {path} renames the test {renamed.old} to {renamed.new}, a "
                "name test runners do not collect, and nothing else in the file uses it: the test no longer "
                "runs. "
                "Next to a code change, this hides a failure instead of fixing it.",
            )
        yield from self._swallowed(path, swallowed_assertions(change, head), "AssertionError")
        for line in inverted_assertions(change, head):
            yield self._at_line(
                "assertion-inverted",
                path,
                line.new_no,
                f"Assertion made to pass only when it fails in {path}: {_short(line.text)}",
                f"Line {line.new_no} of {path}, “{_short(line.text, 200)}”, wraps an assertion the change "
                "removes in an expected AssertionError: the same check now passes only while it fails. Next "
                "to a code change, this turns a failing test into a passing one instead of fixing the code.",
            )

    def _swallowed(self, path: str, lines: Iterable[DiffLine], caught: str) -> Iterator[Finding]:
        """Each line where the change catches an assertion's failure and drops it: `caught` says what."""
        for line in lines:
            yield self._at_line(
                "assertion-swallowed",
                path,
                line.new_no,
                f"Assertion failures swallowed in {path}: {_short(line.text)}",
                f"Line {line.new_no} of {path}, “{_short(line.text, 200)}”, catches {caught} and lets "
                "it go: an assertion under it that fails no longer fails the test. Next to a code change, "
                "this hides a failure instead of fixing it.",
            )

    def _at_line(self, rule: str, path: str, line: int | None, title: str, body: str) -> Finding:
        """A finding of high severity and confidence at a line of a test file."""
        return self.meta.finding(rule, Severity.HIGH, Confidence.HIGH, title, body, Location(path, line))

    def _settings(
        self, view: ChangeView, change: FileChange, *, run_elsewhere: bool, vacated: _Vacated
    ) -> Iterator[Finding]:
        """Tests deselected, left uncollected or allowed to fail by the runner's settings or the commands
        that run them, not in the tests (`gate.analyzers.weakened_tests.settings`)."""
        path = change.path

        def head() -> str | None:
            return view.text("head", path) if view.is_whole_file(change) else None

        def texts() -> tuple[str, str] | None:
            """The file at base and at head, when the run can read both (a git range, the API); a new
            file is empty at base."""
            if change.status not in (FileStatus.MODIFIED, FileStatus.ADDED) or not view.has_revisions:
                return None
            base = "" if change.status is FileStatus.ADDED else view.text("base", path)
            now = view.text("head", path)
            return None if base is None or now is None else (base, now)

        def base_text(other: str) -> str | None:
            return view.text("base", other) if view.has_revisions else None

        def head_text(other: str) -> str | None:
            return view.text("head", other) if view.has_revisions else None

        def head_paths() -> Sequence[str] | None:
            return view.head_paths() if view.has_revisions else None

        def new_paths() -> dict[str, str | None]:
            diff = view.changeset.diff
            return {
                c.path: c.old_path if c.status is FileStatus.RENAMED else None
                for c in (*diff.files, *diff.ignored_files)
                if c.status in (FileStatus.ADDED, FileStatus.RENAMED)
            }

        found_all = weakenings(
            change,
            head,
            run_elsewhere=run_elsewhere,
            vacated=vacated,
            texts=texts,
            head_paths=head_paths,
            base_text=base_text,
            head_text=head_text,
            new_paths=new_paths,
        )
        for found in found_all:
            effect = (
                "a failing test no longer fails the run"
                if found.rule == "test-failures-ignored"
                else "those tests no longer run"
            )
            text = _short(found.line.text.strip(), 200)
            where = (
                f"Near line {found.line.new_no} of {path}, the change removes “{text}”, the last line there "
                "that ran the tests, and adds none elsewhere: it"
                if found.line.kind is LineKind.REMOVED
                else f"Line {found.line.new_no} of {path} adds “{text}”, which"
                if found.line.kind is LineKind.ADDED
                else f"The change to “{text}” at line {found.line.new_no} of {path}"
            )
            yield self.meta.finding(
                found.rule,
                Severity.HIGH if found.certain else Severity.MEDIUM,
                Confidence.HIGH if found.certain else Confidence.MEDIUM,
                f"{_SETTING_TITLES[found.rule]} in {path}: {_short(found.line.text.strip())}",
                f"{where} {found.what}: {effect}. Next to a code change, this hides a failure instead of "
                "fixing it.",
                Location(path, found.line.new_no),
            )

    def _short_circuit(self, cut: ShortCircuit, path: str) -> Finding:
        checks = f", {cut.assertions} of them assertions" if cut.assertions else ""
        return self.meta.finding(
            "test-returns-early",
            Severity.HIGH if cut.assertions else Severity.MEDIUM,
            Confidence.HIGH,
            f"Test {cut.test} in {path} returns before its checks",
            f"Line {cut.line} of {path} adds a `return` to {cut.test}, and the {cut.remaining} statement(s) "
            f"after it{checks} never run: the test passes without checking anything past that point.",
            Location(path, cut.line),
        )

    def _balance(self, change: FileChange) -> _Balance:
        """Assertions removed and added, with expected-value edits paired off and reported, and added
        assertions that cannot fail reported instead of counted."""
        balance = _Balance(change)
        for removed, added in removed_and_added(change):
            old = [line for line in removed if is_real_assertion(line.text)]
            trivial = [line for line in added if is_assertion(line.text) and is_tautology(line.text)]
            # Added assertions by their shape: an edited expectation has the removed one's shape.
            by_shape: dict[str, list[DiffLine]] = {}
            for line in added:
                if is_real_assertion(line.text):
                    by_shape.setdefault(_literals_of(line.text)[0], []).append(line)
            unpaired = 0
            for gone in old:
                twins = by_shape.get(_literals_of(gone.text)[0], [])
                edited = next((n for n in twins if _only_literals_differ(gone.text, n.text)), None)
                if edited is not None:
                    twins.remove(edited)
                    balance.edits.append(self._expected_edit(gone, edited, change.path))
                else:
                    balance.removed.append(gone)
                    unpaired += 1
            balance.added += sum(len(v) for v in by_shape.values())
            # An assertion that cannot fail written where a real one was removed is the real one emptied.
            replaced = min(unpaired, len(trivial))
            for line in trivial[:replaced]:
                balance.edits.append(self._tautology(line, change.path, replacing=True))
                balance.removed.pop()
            for line in trivial[replaced:]:
                balance.edits.append(self._tautology(line, change.path, replacing=False))
        return balance

    def _removed(self, balance: _Balance, missing: int) -> Iterator[Finding]:
        if missing <= 0:
            return
        path = balance.change.path
        if balance.assertions_left == 0 and balance.removed:
            yield self.meta.finding(
                "all-assertions-removed",
                Severity.HIGH,
                Confidence.HIGH,
                f"Every assertion removed from {path}",
                f"{path} keeps its tests but has no assertion left that can fail: the change removes "
                f"{len(balance.removed)} and adds none in their place, here or elsewhere, while non-test "
                "code changes too. Tests without assertions pass whatever the code does.",
                Location(path, _anchors(balance.change).get(balance.removed[0].old_no or -1)),
            )
            return
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

    def _tautology(self, line: DiffLine, path: str, *, replacing: bool) -> Finding:
        where = "in place of a removed assertion" if replacing else "next to a code change"
        return self.meta.finding(
            "tautological-assertion",
            Severity.HIGH if replacing else Severity.MEDIUM,
            Confidence.HIGH,
            f"Assertion that cannot fail {'replaces a real one' if replacing else 'added'} in {path}: "
            f"{_short(line.text)}",
            f"Line {line.new_no} of {path} adds “{line.text.strip()}” {where}. It holds whatever the code "
            "does (a literal, or one value compared with itself), so it checks nothing.",
            Location(path, line.new_no),
        )

    def _marker(self, line: DiffLine, path: str, marker: Marker) -> Finding:
        conditional = marker.conditional
        return self.meta.finding(
            "test-focused" if marker.focus else "test-skipped",
            Severity.MEDIUM if conditional else Severity.HIGH,
            Confidence.MEDIUM if conditional else Confidence.HIGH,
            f"Test {'focused' if marker.focus else 'skipped'} in {path}: {_short(line.text)}",
            f"Line {line.new_no} of {path} adds “{_short(line.text, 200)}”, which {marker.what}. Added next "
            "to a code change, this hides a failure instead of fixing it.",
            Location(path, line.new_no),
        )

    def _expected_edit(self, gone: DiffLine, edited: DiffLine, path: str) -> Finding:
        _, old = literals(gone.text)
        _, new = literals(edited.text)
        changed = [(a, b) for a, b in zip(old, new, strict=False) if a != b]
        what = "; ".join(f"{_short(a, 40)} -> {_short(b, 40)}" for a, b in changed[:3])
        return self.meta.finding(
            "expected-value-edited",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            f"Expected value edited in {path}: {what}",
            f"Line {edited.new_no} of {path} keeps the assertion but changes what it expects ({what}): "
            f"“{_short(gone.text, 200)}” became “{_short(edited.text, 200)}”. When code changes too, check "
            "that the new value is the intended behaviour and not the test edited to match a bug.",
            Location(path, edited.new_no),
        )


def _new_side(change: FileChange, head: str | None) -> Mapping[int, str]:
    """The file's lines at head, keyed from 0 by line number: the whole head when known, else the lines
    its hunks show (the others are absent, unknown). A mapping, not a list, because a patch's hunk
    header chooses its line numbers: `@@ -1 +300000000,2 @@` must not size anything."""
    if head is not None:
        return dict(enumerate(head.split("\n")))
    return {
        line.new_no - 1: line.text for hunk in change.hunks for line in hunk.lines if line.new_no is not None
    }


def _code_above(shown: Mapping[int, str], at: int) -> list[str]:
    """The last LOOK_BACK lines above line `at` (indexed from 0) that hold code, nearest last: blank and
    comment-only lines are passed over, so that padding cannot push a skip's `if` out of sight; the
    reading stops at a line the diff does not show. Each line is passed over by at most LOOK_BACK + 1
    skips, so a file's skips take time linear in its lines."""
    found: list[str] = []
    for index in range(at - 1, -1, -1):
        text = shown.get(index)
        if text is None:
            break
        if has_code(text):
            found.append(text)
            if len(found) == LOOK_BACK:
                break
    return found[::-1]


def _reads(change: FileChange) -> bool:
    """The changed files the stage reads whole when it can: test code, the files that say how tests
    run, and deleted files (a deleted test's code may be gone with it)."""
    return change.status is FileStatus.DELETED or _is_test_code(change) or holds_test_settings(change.path)


def _is_test_code(change: FileChange) -> bool:
    return is_test_file(change.path) and is_code(change.path) and not change.is_binary


@dataclass
class _Balance:
    change: FileChange
    removed: list[DiffLine] = field(default_factory=list)  # assertions removed with no edited twin
    added: int = 0  # assertions added that are not edits of a removed one
    edits: list[Finding] = field(default_factory=list)
    assertions_left: int | None = None  # assertions that can fail in the head file, when known


_UNKNOWN_LANGUAGE = "a language whose assertions and skips this check does not know: removed ones go unseen"

_SETTING_TITLES = {
    "tests-deselected": "Tests deselected",
    "tests-not-collected": "Tests left uncollected",
    "test-failures-ignored": "Test failures ignored",
}


def _collected_although_ignored(view: ChangeView, paths: Paths) -> list[FileChange]:
    """The test files only the default paths.ignore patterns leave out, where their runner collects them."""
    ignored = view.changeset.diff.ignored_files
    guarded = default_ignored((c.path for c in ignored), paths.ignore, paths.ignore_defaults)
    collected = (
        c for c in ignored if c.path in guarded and is_code(c.path) and is_collected_where_it_lies(c.path)
    )
    return [c for c in collected if view.readable(c)]  # the others' sizes are no concern of this stage


def _renamed_from_tests(change: FileChange) -> bool:
    old = change.old_path
    return change.status is FileStatus.RENAMED and old is not None and is_test_file(old) and is_code(old)


def _leaves_the_tests(change: FileChange) -> bool:
    """A rename that takes test code where its runner no longer collects it: out of the test folders,
    or to a name the runner does not take (`tests/test_calc.py` -> `tests/calc_cases.py`)."""
    if not _renamed_from_tests(change):
        return False
    old = _old_path(change)
    return not is_test_file(change.path) or (is_collected(old) and not is_collected(change.path))


def _go_build_change(view: ChangeView, test_file: _TestFile) -> tuple[Marker | None, tuple[int, ...]]:
    """What a change to a Go test file's build constraint takes from a default `go test`, and the head's
    line numbers of the constraint lines. The constraint is read from the file's header as go/build
    reads it (`go_build.header`): from the whole base and head when known, else from the lines the
    hunks show of each side (a constraint stands above the package clause, so a hunk that edits one
    shows the header around it). A new file built under a tag (`//go:build integration`) hid no test
    that ran; `go fix` writing `//go:build` over a `// +build` line changes nothing; a constraint that
    only widens, or narrows where `-tags` is set, takes nothing from a default run."""
    change = test_file.change
    hunk_lines = [line for hunk in change.hunks for line in hunk.lines]
    if test_file.head is not None:
        new_lines = test_file.head.split("\n")
        new_numbers: list[int | None] = list(range(1, len(new_lines) + 1))
    else:
        shown = [line for line in hunk_lines if line.kind is not LineKind.REMOVED]
        new_lines = [line.text for line in shown]
        new_numbers = [line.new_no for line in shown]
    new, at = header(new_lines)
    numbers = tuple(n for i in at if (n := new_numbers[i]) is not None)
    newest = _go_release(view, change.path)
    if change.status is FileStatus.ADDED:
        return (GO_BUILD_IGNORED if new is not None and never_builds(new, newest) else None), numbers
    base = view.text("base", _old_path(change)) if view.has_revisions else None
    if base is not None:
        old_lines = base.split("\n")
    else:
        old_lines = [line.text for line in hunk_lines if line.kind is not LineKind.ADDED]
    old = header(old_lines)[0]
    return _constraint_marker(old, new, newest), numbers


# The release a go.mod's `go` or `toolchain` line names (`go 1.22`, `toolchain go1.23.4`).
_GO_MOD_RELEASE = re.compile(r"^\s*(?:go|toolchain)\s+(?:go)?1\.(\d{1,9})\b", re.MULTILINE)


def _go_release(view: ChangeView, path: str) -> int:
    """The newest `go1.N` a toolchain testing the Go file at `path` sets: the newest release known, or a
    later one the go.mod of its module names at head. A go.mod's `go` line is the oldest release the
    module builds with, so it only raises the bound: a `//go:build go1.22` file in a `go 1.21` module is
    built by a current toolchain."""
    newest = NEWEST_RELEASE
    folder = path.rpartition("/")[0]
    for parent in (*reversed(list(ancestors(folder))), ""):  # the nearest go.mod first
        text = view.text("head", f"{parent}/go.mod" if parent else "go.mod")
        if text is not None:
            named = [int(m.group(1)) for m in _GO_MOD_RELEASE.finditer(text)]
            return max([newest, *named])
    return newest


def _constraint_marker(old: str | None, new: str | None, newest: int) -> Marker | None:
    taken = compare_constraints(old, new, newest)
    if taken is None:
        return None
    if taken.never:
        return GO_BUILD_IGNORED
    if taken.tag_only:
        return GO_BUILD_TAGGED
    return Marker(
        False,
        True,
        "builds the Go file, and runs its tests, on fewer platforms than before: a default `go test` no "
        f"longer builds it on {', '.join(taken.lost)}; check that the CI still runs them",
    )


def _old_path(change: FileChange) -> str:
    return change.old_path if change.status is FileStatus.RENAMED and change.old_path else change.path


def _assertions_lost(view: ChangeView, change: FileChange) -> int | None:
    """The assertions a deleted test file held (its whole text is in the diff), or a retired one held at
    base; None when that text cannot be read (patch input shows only the renamed file's edits)."""
    if change.status is FileStatus.DELETED:
        return sum(1 for h in change.hunks for line in h.removed if is_assertion(line.text))
    text = view.text("base", _old_path(change))
    return None if text is None else sum(1 for line in text.splitlines() if is_assertion(line))


def _only_literals_differ(old: str, new: str) -> bool:
    old_shape, old_values = _literals_of(old)
    new_shape, new_values = _literals_of(new)
    return old_shape == new_shape and old_values != new_values and bool(old_values)


@lru_cache(maxsize=LINE_CACHE_ENTRIES)
def _literals_of(text: str) -> tuple[str, tuple[str, ...]]:
    """literals(), remembered: pairing removed with added assertions compares each line with many.
    Holds assertion lines like the caches of `lines`, and is emptied with them (`forget_caches`)."""
    shape, values = literals(text)
    return shape, tuple(values)


def _short(text: str, limit: int = 60) -> str:
    """One line of at most `limit` characters, redacted before it is cut (`cut_redacted`)."""
    return cut_redacted(" ".join(text.split()), limit)


def forget_caches() -> None:
    """Empty what the analyzer remembers of a run's test lines."""
    forget_lines()
    _literals_of.cache_clear()
    forget_tree_facts()


class _Vacated:
    """Whether a folder holds no test file at head, so a `testpaths` that leaves it out follows it
    rather than hiding its tests. Known only when the run has the head's files; else no folder is."""

    def __init__(self, view: ChangeView) -> None:
        self._view = view
        self._held: set[str] | None = None  # every folder that holds a test file at head

    def __call__(self, folder: str) -> bool:
        if not self._view.has_revisions:
            return False
        if self._held is None:
            paths = self._view.head_paths()
            self._held = {
                f for p in paths if is_test_file(p) and is_code(p) for f in ancestors(p.rpartition("/")[0])
            }
        return folder not in self._held
