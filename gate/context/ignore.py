"""paths.ignore: leave files out of the gate by gitignore-style globs, except the repository's own code.

An ignored file is still in the change: it stays on the diff as `ignored_files`, where the cheap stages
that look for what an attacker would hide there (secrets, text addressed to AI reviewers) still read it.
And a file that other changed code imports by its path in the repository (`from app.vendor.helpers
import x`, `from .vendor import helpers`, `require('./vendor/helpers')`) is first-party code, whatever
directory it sits in: it is not ignored, and the diff says which files were kept that way and why.
Imports that name only a package (`import requests`, `require('lodash')`) are third-party code that
happens to be vendored, and stay ignored.

The default list (`**/vendor/**`, `**/*.min.js`, ...) is the gate's guess, not the user's choice, so it
is held to more, whether the config leaves `paths.ignore` out or writes the default patterns in it (the
README's config block does): a file only default patterns match is kept when any module of the
repository at head imports it (not only the changed ones: the PR that rewrites `app/vendor/helpers.py`
need not touch `app/main.py`, which imports it), a file named as minified is kept when it is readable
source (`gate.context.minified`), and a file a manifest names as the code that runs (an Action's
`dist/index.js`), or that a workflow, a package script, a Makefile or another runner names, is kept
(`gate.context.entry_points`), and so is a file a Python manifest has its installer read
(`-r vendor/extra.txt`, `file:`, `gate.context.manifest_includes`).
A pattern the user adds is honoured as written for the files it matches, but for the changed files'
imports.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

import pathspec

from gate.context.entry_points import named_by_runners, named_entry_points, runner_spec
from gate.context.file_kinds import BYTE_ORDER_MARK, runs_python
from gate.context.manifest_includes import includes_others, named_by_manifests
from gate.context.minified import is_readable, named_minified
from gate.context.model import TOO_LARGE, RevisionReader
from gate.context.suffixes import JS_SUFFIXES, PYTHON_SUFFIXES
from gate.diff.model import Diff, FileChange, FileStatus, LineKind

CODE_SUFFIXES = PYTHON_SUFFIXES + JS_SUFFIXES
# Reads a changed file's text at the head revision (None when it cannot).
HeadReader = Callable[[str], str | None]
# A module and its lines at head, read when asked for: the importers of a file that may be first-party.
Importer = tuple[str, Iterable[str]]
# Modules of the head revision read for the imports that keep a default-ignored file: enough for a large
# repository's own code, read through one `git cat-file` process. Past it the notes say how many were not.
MAX_HEAD_IMPORTERS = 10_000
# Characters of those modules read at most: a name one letter long (`vendor/e.py`) is in every module, and
# 100 MB of them took twenty seconds. Past it the scan stops and the changed files it had not placed are
# analysed, not ignored: a module not read could import them.
MAX_HEAD_IMPORT_CHARS = 16_000_000

# Tolerant line readers (a line need not be a whole statement); each pattern is linear in the line.
_PY_FROM = re.compile(r"\bfrom\s+(\.*)([\w.]*)\s+import\b([^;#]*)")
_PY_IMPORT = re.compile(r"(?:^|;)\s*import\s+([\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*)")
# `import_module("app.calc")`, and a relative name from a package given as a literal or the module's own
# (`import_module(".vendor.dyn", __package__)`).
_PY_DYNAMIC = re.compile(
    r"\b(?:import_module|__import__)\s*\(\s*[\"']([\w.]+)[\"'](?:\s*,\s*[\"']([\w.]+)[\"'])?"
)
_JS_RELATIVE = re.compile(r"""(?:\bfrom|\bimport|\brequire)\s*\(?\s*(["'`])(\.\.?/[^"'`\n]*)\1""")
_NAME = re.compile(r"\w+")


def ignore_spec(patterns: Sequence[str]) -> pathspec.PathSpec:
    return pathspec.PathSpec.from_lines("gitwildmatch", patterns)


def apply_ignore(
    diff: Diff,
    origins: Mapping[str, Mapping[int, str]],
    patterns: Sequence[str],
    head: RevisionReader | None = None,
    *,
    defaults: Sequence[str] = (),
) -> tuple[Diff, dict[str, Mapping[int, str]]]:
    """The diff and line origins without the ignored files. The diff keeps the ignored files aside
    (`ignored_files`, `ignored_paths`) and lists the first-party files it did not ignore, with why. With
    `head`, a changed file's imports are read from its whole head text, not only from the lines the diff
    shows. `defaults`: the patterns among `patterns` that are the gate's default list; a file that no
    other pattern matches is also kept when it is readable source named as minified, when code that runs
    names it, or when any module at head imports it."""
    if not patterns:
        return diff, dict(origins)
    spec = ignore_spec(patterns)
    matched = {change.path for change in diff.files if spec.match_file(change.path)}
    if not matched:
        return diff, dict(origins)
    guarded = default_ignored(matched, patterns, defaults)
    read_head = (lambda path: head.read("head", path)) if head is not None else None
    why_kept = _readable_minified(diff.files, guarded, read_head)
    if guarded:
        # Files read at head to place a default-ignored file, those that may name it apart from those
        # that may import it: one the head revision holds but did not give may do either.
        naming = _HeadTexts(head) if head is not None else None
        read_manifest = _manifest_reader(diff, naming.read if naming is not None else None)
        why_kept.update(named_entry_points(sorted(guarded - why_kept.keys()), read_manifest))
        if unnamed := sorted(guarded - why_kept.keys()):
            why_kept.update(named_by_runners(unnamed, _runner_files(diff, naming, spec), read_manifest))
        if unnamed := sorted(guarded - why_kept.keys()):
            including = _including_manifests(diff, naming, spec)
            why_kept.update(named_by_manifests(unnamed, including, read_manifest))
        if naming is not None and naming.missed:
            why_kept.update(
                _unplaced_after_unread(
                    diff.files, guarded - why_kept.keys(), naming, "name it as code that runs"
                )
            )
    importing = _HeadTexts(head) if head is not None else None
    importers = _HeadImporters(importing, spec, diff, guarded) if guarded and importing is not None else None
    imported = first_party_imports(
        diff.files,
        matched - why_kept.keys(),
        importing.read if importing is not None else None,
        importers if importers is not None else (),
        others_keep=guarded,
    )
    why_kept.update(
        {
            path: f"{importer} imports it (first-party code is never ignored)"
            for path, importer in imported.items()
        }
    )
    if importers is not None and importers.cut:
        why_kept.update(_unplaced_after_cut(diff.files, guarded - why_kept.keys()))
    if importing is not None and importing.missed:
        # A changed module read whole for its imports is read from the diff's lines when its head is not
        # given, so what else it imports is unknown too: the user's own patterns' files are kept as well.
        changed = {c.path for c in diff.files}
        may_keep = matched if changed & importing.not_given.keys() else guarded
        unplaced = {p for p in may_keep - why_kept.keys() if p.endswith(CODE_SUFFIXES)}
        why_kept.update(_unplaced_after_unread(diff.files, unplaced, importing, "import it"))
    kept_by_rule = [c.path for c in diff.files if c.path in why_kept]
    kept = [c for c in diff.files if c.path not in matched or c.path in why_kept]
    ignored = [c for c in diff.files if c.path in matched and c.path not in why_kept]
    notes = [
        f"{path}: analysed although paths.ignore matches it, because {why_kept[path]}"
        for path in kept_by_rule
    ]
    ignored_code = any(c.path.endswith(CODE_SUFFIXES) and c.path in guarded for c in ignored)
    if importers is not None and importers.unread and ignored_code:
        notes.append(
            f"{importers.unread} modules at head past the first {MAX_HEAD_IMPORTERS:,} were not read for "
            "imports of the files the default paths.ignore matches"
        )
    if head is None and ignored_code:
        notes.append(
            "whether the repository's own code imports the files the default paths.ignore leaves out "
            "was read from the changed files only: this run does not read the rest of the head revision"
        )
    kept_paths = {c.path for c in kept}
    return (
        replace(
            diff,
            files=tuple(kept),
            notes=(*diff.notes, *notes),
            ignored_paths=(*diff.ignored_paths, *(c.path for c in ignored)),
            ignored_files=(*diff.ignored_files, *ignored),
            unignored_paths=(*diff.unignored_paths, *kept_by_rule),
        ),
        {p: o for p, o in origins.items() if p in kept_paths},
    )


def default_ignored(paths: Iterable[str], patterns: Sequence[str], defaults: Sequence[str]) -> set[str]:
    """Of `paths`, those the ignore list leaves out by its default patterns alone: no pattern the user
    added matches them. A path one of the user's own patterns matches is the user's choice."""
    if not defaults:
        return set()
    spec = ignore_spec(patterns)
    gate_defaults = set(defaults)
    own = [pattern for pattern in patterns if pattern not in gate_defaults]
    by_user = ignore_spec(own) if own else None
    return {
        path for path in paths if spec.match_file(path) and (by_user is None or not by_user.match_file(path))
    }


def _runner_files(diff: Diff, head: _HeadTexts | None, spec: pathspec.PathSpec) -> list[str]:
    """The files that may run a default-ignored file (`RUNNER_PATTERNS`) and are not ignored themselves:
    the changed ones, then those at head (when this run reads the head revision)."""
    runs = runner_spec()
    changed = [c.path for c in diff.files if c.status is not FileStatus.DELETED]
    at_head = head.list_files() if head is not None else ()
    return [
        path
        for path in dict.fromkeys((*changed, *at_head))
        if runs.match_file(path) and not spec.match_file(path)
    ]


def _including_manifests(diff: Diff, head: _HeadTexts | None, spec: pathspec.PathSpec) -> list[str]:
    """The Python manifests that may have their installer read other files (requirements files,
    setup.cfg, pyproject.toml) and are not ignored themselves: the changed ones, then those at head."""
    changed = [c.path for c in diff.files if c.status is not FileStatus.DELETED]
    at_head = head.list_files() if head is not None else ()
    return [
        path
        for path in dict.fromkeys((*changed, *at_head))
        if includes_others(path) and not spec.match_file(path)
    ]


def _readable_minified(
    files: Sequence[FileChange], matched: set[str], read_head: HeadReader | None
) -> dict[str, str]:
    """The matched files named as minified that are readable source at head, with why they are kept."""
    return {
        c.path: "its name says minified but its lines read as source"
        for c in files
        if c.path in matched and named_minified(c.path) and is_readable(_new_side(c, read_head))
    }


def _unplaced_after_cut(files: Sequence[FileChange], matched: set[str]) -> dict[str, str]:
    """The matched code files still ignored when the scan for importers stopped, kept: failing closed."""
    why = (
        f"the modules at head were read for its importers only up to {MAX_HEAD_IMPORT_CHARS:,} characters, "
        "and one not read may import it"
    )
    return {c.path: why for c in files if c.path in matched and c.path.endswith(CODE_SUFFIXES)}


def _unplaced_after_unread(
    files: Sequence[FileChange], unplaced: Collection[str], read: _HeadTexts, does: str
) -> dict[str, str]:
    """The matched files still ignored when a file read to place them was not given, kept: failing
    closed, as after the cut. `does`: what the file not read may do to each."""
    if read.unlisted is not None:
        reason = f"the list of files at head was not read ({read.unlisted}), and a file not listed may {does}"
    else:
        path, why = next(iter(read.not_given.items()))
        more = len(read.not_given) - 1
        others = f", with {more} more," if more else ""
        reason = f"{path} at head{others} was not read ({why}), and it may {does}"
    return {c.path: reason for c in files if c.path in unplaced}


class _HeadTexts:
    """Reads files at head to place the ignored ones, and keeps those the head revision holds but did
    not give (`RevisionReader.why_unread`), and a listing it could not give (`why_unlisted`): what such a
    file imports or names, or a file not listed, is unknown, not nothing."""

    def __init__(self, head: RevisionReader) -> None:
        self._head = head
        self.not_given: dict[str, str] = {}  # path -> why
        self.unlisted: str | None = None  # why the listing was not given

    @property
    def missed(self) -> bool:
        """Whether a file or the listing was not given."""
        return bool(self.not_given) or self.unlisted is not None

    def read(self, path: str) -> str | None:
        text = self._head.read("head", path)
        if text is None and (why := self._head.why_unread("head", path)) is not None:
            self.not_given.setdefault(path, why)
        return text

    def list_files(self) -> tuple[str, ...]:
        paths = self._head.list_files("head")
        if self.unlisted is None:
            self.unlisted = self._head.why_unlisted("head")
        return paths


def _manifest_reader(diff: Diff, read_head: HeadReader | None) -> HeadReader:
    """A manifest's text at head: a changed one's from the change, so that a patch has it too."""
    by_path = {c.path: c for c in diff.files}

    def read(path: str) -> str | None:
        change = by_path.get(path)
        if change is not None:
            return None if change.status is FileStatus.DELETED else "\n".join(_new_side(change, read_head))
        return read_head(path) if read_head is not None else None

    return read


class _HeadImporters:
    """The modules at head that the change leaves as they are and the ignore list does not match, each
    read when its turn comes: `first_party_imports` stops as soon as every ignored module is placed.

    A module that imports an ignored file names it, or its folder (`from app.vendor import (`), so a
    module whose text holds none of those names is not parsed line by line."""

    def __init__(self, head: _HeadTexts, spec: pathspec.PathSpec, diff: Diff, ignored: set[str]) -> None:
        self._head = head
        self._spec = spec
        self._changed = {c.path for c in diff.files}
        self._names = _import_names(ignored)
        self.unread = 0  # modules past MAX_HEAD_IMPORTERS, known once the listing is read
        self.read_chars = 0
        self.cut = False  # the scan stopped at MAX_HEAD_IMPORT_CHARS

    def __iter__(self) -> Iterator[Importer]:
        paths = [
            path
            for path in self._head.list_files()
            if _may_import(path) and path not in self._changed and not self._spec.match_file(path)
        ]
        self.unread = max(0, len(paths) - MAX_HEAD_IMPORTERS)
        for path in paths[:MAX_HEAD_IMPORTERS]:
            if self.read_chars > MAX_HEAD_IMPORT_CHARS:
                self.cut = True
                return
            yield path, self._lines(path)

    def _lines(self, path: str) -> Iterator[str]:
        text = self._head.read(path)
        if text is None and not path.endswith(CODE_SUFFIXES) and self._head.not_given.get(path) == TOO_LARGE:
            # A file with no suffix past the size limit is a program built elsewhere far more often than
            # a Python script (`tools/terraform`): it is not taken for a module that may import.
            del self._head.not_given[path]
        self.read_chars += len(text or "")
        if text is not None and any(name in text for name in self._names):
            yield from text.splitlines()


def _import_names(paths: Iterable[str]) -> set[str]:
    """Text every import of one of the code files among `paths` holds: the file's name up to its first
    dot (`helpers`, `app` of `app.min.js`) or its folder's name (`vendor`, for `from app.vendor import
    helpers` and for a package's `__init__.py`)."""
    names: set[str] = set()
    for path in paths:
        if path.endswith(CODE_SUFFIXES):
            folder, _, name = path.rpartition("/")
            names.add(name.split(".", 1)[0])
            if folder:
                names.add(folder.rpartition("/")[2])
    return names


class _Candidates:
    """The ignored paths, indexed by every tail of their path (`app/vendor/x.py`, `vendor/x.py`, `x.py`)
    and of their directory, so that each import is resolved with a few dictionary lookups."""

    def __init__(self, paths: set[str]) -> None:
        self.paths = paths
        self.by_tail: dict[str, list[str]] = {}
        self.by_directory_tail: dict[str, list[str]] = {}
        for path in sorted(paths):
            for tail in _tails(path):
                self.by_tail.setdefault(tail, []).append(path)
            if path.endswith(PYTHON_SUFFIXES):
                for tail in _tails(posixpath.dirname(path)):
                    self.by_directory_tail.setdefault(tail, []).append(path)

    def file(self, rel: str, *, exact: bool) -> list[str]:
        if exact:
            return [rel] if rel in self.paths else []
        return self.by_tail.get(rel, [])

    def package(self, directory: str, *, exact: bool) -> list[str]:
        found = self.by_directory_tail.get(directory, [])
        return found if not exact else [p for p in found if posixpath.dirname(p) == directory]


def _tails(path: str) -> Iterator[str]:
    parts = path.split("/")
    for i in range(len(parts)):
        if parts[i:] != [""]:
            yield "/".join(parts[i:])


def first_party_imports(
    files: Sequence[FileChange],
    ignored: set[str],
    read_head: HeadReader | None = None,
    others: Iterable[Importer] = (),
    *,
    others_keep: Collection[str] | None = None,
) -> dict[str, str]:
    """Ignored path -> the module that imports it by its repository path, followed transitively (a kept
    file's own imports count too), in the diff's order. The changed files are read first, then `others`,
    the modules at head the change leaves as they are, until every ignored module they may keep
    (`others_keep`, else all) is placed."""
    ignored_code = {path for path in ignored if path.endswith(CODE_SUFFIXES)}
    if not ignored_code:
        return {}
    by_path = {c.path: c for c in files}
    index = _Candidates(ignored)
    kept: dict[str, str] = {}

    def follow(path: str, lines: Iterable[str], may_keep: Collection[str] | None = None) -> None:
        """Keep what the module imports (of `may_keep`, when given), then what each module so kept
        imports in turn."""
        queue: list[tuple[str, Iterable[str], Collection[str] | None]] = [(path, lines, may_keep)]
        while queue:
            importer, text, allowed = queue.pop(0)
            for target in _imported_paths(importer, text, index):
                if target not in kept and (allowed is None or target in allowed):
                    kept[target] = importer
                    queue.append((target, _changed_lines(by_path[target], read_head), None))

    for change in files:
        if change.path not in ignored:
            follow(change.path, _changed_lines(change, read_head))
    wanted = ignored_code if others_keep is None else ignored_code & set(others_keep)
    for path, lines in others:
        if wanted <= kept.keys():
            break
        follow(path, lines, others_keep)
    return {c.path: kept[c.path] for c in files if c.path in kept}


def _imported_paths(path: str, lines: Iterable[str], candidates: _Candidates) -> Iterator[str]:
    """The ignored paths a module's lines import by their repository path."""
    if path.endswith(JS_SUFFIXES):
        for line in lines:
            if "./" in line:
                for m in _JS_RELATIVE.finditer(line):
                    yield from _js_targets(path, m.group(2), candidates)
        return
    read = iter(lines)
    if not path.endswith(PYTHON_SUFFIXES):
        first = next(read, None)
        if first is None or not runs_python(first.removeprefix(BYTE_ORDER_MARK)):
            return
    for line in read:
        yield from _python_targets(path, line, candidates)


def _may_import(path: str) -> bool:
    """Whether a file may be a module that imports others: Python or JavaScript by its suffix, or a
    script with no suffix that its first line may make Python (`bin/run`, `gate.context.file_kinds`)."""
    return path.endswith(CODE_SUFFIXES) or "." not in path.rpartition("/")[2]


def _changed_lines(change: FileChange, read_head: HeadReader | None) -> Iterable[str]:
    """A changed module's lines at head; none for a file that is not code or is deleted."""
    if not _may_import(change.path) or change.status is FileStatus.DELETED:
        return ()
    return _new_side(change, read_head)


def _new_side(change: FileChange, read_head: HeadReader | None) -> Iterator[str]:
    """The file's lines at head: all of them when they can be read, else those the diff shows."""
    text = read_head(change.path) if read_head is not None and change.status is not FileStatus.ADDED else None
    if text is not None:
        yield from text.splitlines()
        return
    for hunk in change.hunks:
        for line in hunk.lines:
            if line.kind is not LineKind.REMOVED:
                yield line.text


@dataclass(frozen=True)
class PythonImport:
    """A module a line of Python imports, as a slash-separated path (`app/calc`)."""

    module: str
    # Placed from the repository's root: a relative import, placed from the importing file's folder, or
    # a bare name (`import requests`), which names a place in the repository only at its top.
    exact: bool
    # `from pkg import (`: the names go on in lines not read here, so any module of the package may be one.
    whole_package: bool = False


def python_imports(path: str, line: str) -> Iterator[PythonImport]:
    """The modules a line of the Python file at `path` imports: the package of a `from` import, then each
    name it imports, which may be a module of that package (`from app import calc`)."""
    if "import" not in line:
        return
    for m in _PY_FROM.finditer(line):
        dots, module, rest = m.group(1), m.group(2), m.group(3)
        names = [n.split()[0] for n in rest.replace("(", " ").replace(")", " ").split(",") if n.split()]
        names = [n for n in names if _NAME.fullmatch(n)]
        if dots:
            base = _relative_base(path, len(dots), module)
            if base is None:
                continue
            exact = True
        else:
            base = module.replace(".", "/")
            exact = "." not in module  # `import requests` names a package, not a place in the repository
        if base:  # `from . import calc` at the top of the repository names no package, only `calc`
            yield PythonImport(base, exact)
        yield from (PythonImport(f"{base}/{n}" if base else n, exact) for n in names)
        if not names or rest.rstrip().endswith(("(", "\\", ",")):
            yield PythonImport(base, exact, whole_package=True)
    for m in _PY_IMPORT.finditer(line):
        for part in m.group(1).split(","):
            module = part.split()[0]
            yield PythonImport(module.replace(".", "/"), "." not in module)
    for m in _PY_DYNAMIC.finditer(line):
        module, package = m.group(1), m.group(2)
        if not module.startswith("."):
            yield PythonImport(module.replace(".", "/"), "." not in module)
        elif (base := _dynamic_relative_base(path, module, package)) is not None:
            yield PythonImport(base, True)


def _python_targets(path: str, line: str, candidates: _Candidates) -> Iterator[str]:
    for imported in python_imports(path, line):
        if imported.whole_package:
            yield from candidates.package(imported.module, exact=imported.exact)
        elif imported.module:
            for rel in _module_files(imported.module):
                # Not exact: a source root (`src/`, a project folder) may stand in front of the package.
                yield from candidates.file(rel, exact=imported.exact)


def _relative_base(path: str, level: int, module: str) -> str | None:
    parts = path.split("/")[:-1]
    if level - 1 > len(parts):
        return None
    parts = parts[: len(parts) - (level - 1)]
    if module:
        parts.extend(module.split("."))
    return "/".join(parts)


def _dynamic_relative_base(path: str, module: str, package: str | None) -> str | None:
    """Where `import_module(".name", package)` leads: from the package named, else from the module's own
    (`__package__`, or a name not read here)."""
    name = module.lstrip(".")
    level = len(module) - len(name)
    if package is None:
        return _relative_base(path, level, name)
    parts = package.split(".")[: len(package.split(".")) - (level - 1)]
    return "/".join([*parts, *name.split(".")]) if parts else None


def _module_files(module: str) -> tuple[str, ...]:
    return (f"{module}.py", f"{module}.pyi", f"{module}/__init__.py", f"{module}/__init__.pyi")


def js_relative_target(path: str, specifier: str) -> str:
    """The path a relative specifier (`../lib/calc`) names from the JS file at `path`, from the
    repository's root: it starts with `../` when it leaves the repository."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(path), specifier))


def _js_targets(path: str, specifier: str, candidates: _Candidates) -> Iterator[str]:
    target = js_relative_target(path, specifier)
    if target.startswith("../"):
        return
    options = [target, *(target + s for s in JS_SUFFIXES), *(f"{target}/index{s}" for s in JS_SUFFIXES)]
    yield from (option for option in options if option in candidates.paths)
