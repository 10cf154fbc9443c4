"""The `phantom-symbols` stage: added Python code that imports, or reads an attribute of, a repository
module or class that the head revision does not define. Anything that cannot be known without running
the code (open modules, classes with outside bases, names rebound locally) is left alone."""

from __future__ import annotations

import ast

from gate.analyzers import catalog
from gate.analyzers.interface import Analyzer
from gate.analyzers.limits import RULE, Unreadable, could_not_analyse
from gate.analyzers.skipped import read_in_full, skipped_files
from gate.analyzers.source import NO_REVISIONS_NOTE, ChangeView, parse_python
from gate.analyzers.symbols.checker import Checker, Missing
from gate.analyzers.symbols.hints import Hints
from gate.analyzers.symbols.index import RepoIndex
from gate.analyzers.symbols.text_looks import (
    NO_IMPORTS,
    imports_only,
    may_read_own_attributes,
    may_use_repository,
)
from gate.analyzers.weakened_tests.tree_facts import note_tree
from gate.diff.model import FileChange, FileStatus
from gate.findings import Confidence, Finding, Location, Severity
from gate.run import RunContext, StageResult


def _reads(view: ChangeView, change: FileChange) -> bool:
    """The changed files the stage reads: Python at head, stubs aside (they define, they do not use)."""
    return (
        change.status is not FileStatus.DELETED
        and not change.path.endswith(".pyi")
        and view.is_python(change)
    )


class PhantomSymbolsAnalyzer(Analyzer):
    meta = catalog.PHANTOM_SYMBOLS
    _note_tests = True

    def run(self, ctx: RunContext) -> StageResult:
        # A test file's skip facts, read from the tree parsed here, spare weakened-tests a second parse
        # when it runs in this process; in the other one they would be made for nothing.
        self._note_tests = ctx.runs_here is None or catalog.WEAKENED_TESTS.id in ctx.runs_here
        view = ChangeView(ctx.changeset)
        if view.has_revisions:
            paths = view.head_paths()
        else:
            paths = tuple(f.path for f in ctx.changeset.diff.files if f.status is FileStatus.ADDED)
        index = RepoIndex(paths, lambda p: view.text("head", p), complete=view.has_revisions)
        tops = index.tops()
        hints = Hints()
        findings: list[Finding] = []
        checked: list[str] = []
        read: list[str] = []  # the changed Python files it read, whole or as far as the diff shows them
        notes: list[str] = [] if view.has_revisions else [NO_REVISIONS_NOTE + "; only files the diff adds"]
        index.pending = {
            c.path
            for c in ctx.changeset.diff.files
            if c.path.endswith(".py") and c.status is not FileStatus.DELETED and view.is_whole_file(c)
        }
        # Of any size: a file whose added text is past the size limit is not parsed whole (the view notes
        # it unread, and the verdict is no pass), but its added import lines are still checked.
        for change in view.changes(lambda c: _reads(view, c), any_size=True):
            read.append(change.path)
            parsed = index.take_tree(change.path)
            whole = view.is_whole_file(change) and view.readable(change)
            text = view.text("head", change.path) if whole else None
            if text is None:
                # Over the size limit or binary at head: its added import lines stand in for it, and
                # they are no account of what it defines (nor of its tests' facts). The index meets
                # it unread: nothing imported from it is reported.
                whole = False
                # Patch input: of a file the diff shows in part, the added one-line imports still say
                # what they take from the repository's (added) modules.
                text = imports_only(change)
                notes.append(f"{change.path}: whole file not available; only its added import lines checked")
            elif parsed is None:
                view.parses(change, text)  # a file that does not parse is one the stage left unread
            imports = may_use_repository(text, tops, change)
            if not imports and not may_read_own_attributes(text):
                continue  # no import of a repository module and no class
            try:
                found = self._check_file(
                    index, change, text, notes, hints, whole=whole, parsed=parsed, imports=imports
                )
            except (Unreadable, RecursionError) as exc:
                why = str(exc) if isinstance(exc, Unreadable) else "nested too deeply to analyse"
                findings.append(could_not_analyse(self.meta, change.path, why))
                # What the added import lines take from the repository can still be checked.
                try:
                    found = self._check_file(index, change, imports_only(change), notes, hints)
                except (Unreadable, RecursionError):
                    found = None  # the import lines themselves are past the bounds: reported above
            if found is not None:
                if imports:  # a file with a class only is checked for its own reads, not counted here
                    checked.append(change.path)
                findings.extend(found)
        changed = {c.path for c in ctx.changeset.diff.files if c.status is not FileStatus.DELETED}
        for path, why in index.unreadable.items():
            reported = {f.location.path for f in findings if f.rule == RULE and f.location is not None}
            if path in changed and path not in reported:
                findings.append(could_not_analyse(self.meta, path, why))
            elif path not in changed:
                notes.append(f"{path}: could not be read ({why}); nothing reported against it")
        details = {"files_checked": checked, "notes": notes, "skipped_files": view.notes}
        return self.meta.result(
            findings, details, skipped_files=skipped_files(view), read_as_code=read_in_full(read, view)
        )

    def _check_file(
        self,
        index: RepoIndex,
        change: FileChange,
        text: str,
        notes: list[str],
        hints: Hints,
        *,
        whole: bool = False,
        parsed: ast.Module | None = None,
        imports: bool = True,
    ) -> list[Finding] | None:
        """The file's findings, or None (with a note) when it is not valid Python. `whole`: `text` is
        the file's head text, so its tree serves the index too; `parsed`: its tree, when the index
        parsed that text already; `imports`: False when the text imports no repository module, so that
        only its classes' own reads can be found (none, when it does not parse)."""
        if text == NO_IMPORTS and not whole:
            return []  # `imports_only` found no import line: its module is empty
        tree = parsed if parsed is not None and whole else parse_python(text)
        if tree is not None and whole:
            index.prime(change.path, text, tree)
            if self._note_tests:
                note_tree(change, text, tree)  # a test file's skip facts, for weakened-tests
        if tree is None:
            if not imports:
                return []  # no class to read, and its import lines take nothing from the repository
            notes.append(f"{change.path}: does not parse; only its added import lines checked")
            text = imports_only(change)
            whole = False
            if text == NO_IMPORTS:
                return []  # the empty module: nothing imported, no class, nothing to find
            tree = parse_python(text)
            if tree is None:
                return None
        index.enter(change.path)
        checker = Checker(index, change, tree, hints, text, imports_only=not whole)
        return [self._finding(change.path, missing, hints) for missing in checker.run()]

    def _finding(self, path: str, m: Missing, hints: Hints) -> Finding:
        close = hints.close_names(m.name, m.known, m.scope)
        hint = f" Close names it does define: {', '.join(close)}." if close else ""
        if m.kind == "module":
            title = f"Module '{m.owner}.{m.name}' does not exist in the repository"
            body = (
                f"Line {m.line} of {path} imports '{m.owner}.{m.name}', but the repository's package "
                f"'{m.owner}' has no module or name '{m.name}' at head.{hint}"
            )
            return self.meta.finding(
                "missing-module", Severity.HIGH, Confidence.HIGH, title, body, Location(path, m.line)
            )
        if m.kind == "class-attribute":
            title = f"'{m.owner}' has no attribute '{m.name}'"
            body = (
                f"Line {m.line} of {path} uses '{m.name}' on '{m.owner}', a class of the repository whose "
                f"body, methods and repository bases define no such attribute at head.{hint}"
            )
            return self.meta.finding(
                "missing-attribute", Severity.MEDIUM, Confidence.MEDIUM, title, body, Location(path, m.line)
            )
        verb = "imports" if m.kind == "import" else "uses"
        title = f"'{m.name}' is not defined in {m.owner}"
        body = (
            f"Line {m.line} of {path} {verb} '{m.name}' from '{m.owner}', a module of the repository that "
            f"defines no such name at head (no function, class, assignment, import or submodule); the "
            f"code would fail with ImportError or AttributeError.{hint}"
        )
        return self.meta.finding(
            "missing-name", Severity.HIGH, Confidence.HIGH, title, body, Location(path, m.line)
        )
