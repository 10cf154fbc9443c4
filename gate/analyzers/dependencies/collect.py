"""What a change adds: packages newly declared in its manifests and imports that need a package."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from gate.analyzers.dependencies.imports import (
    NAMESPACE,
    Imported,
    imports_in,
    node_builtins,
    python_distributions,
    python_stdlib,
    repo_module_names,
)
from gate.analyzers.dependencies.manifests import ManifestParser, parser_for
from gate.analyzers.dependencies.model import Ecosystem, ManifestError, Parsed
from gate.analyzers.source import ChangeView
from gate.diff.model import FileChange, FileStatus, LineKind

# Manifests read at head to learn what the repo already declares (a monorepo may have many).
MAX_MANIFESTS = 200
_VENDORED = ("node_modules/", "site-packages/", ".venv/", "vendor/")


@dataclass(frozen=True)
class Wanted:
    """A package name the change needs from a registry, and where it first showed."""

    name: str  # the registry name to look up
    ecosystem: Ecosystem
    path: str
    line_no: int | None
    source: str  # "manifest" or "import"
    module: str = ""  # the import name, for imports
    guarded: bool = False


@dataclass
class Collected:
    wanted: list[Wanted] = field(default_factory=list)
    unparsable: list[tuple[str, str]] = field(default_factory=list)  # (path, problem)
    notes: list[str] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)


def collect(view: ChangeView) -> Collected:
    out = Collected()
    declared: set[tuple[Ecosystem, str]] = set()
    for change in view.changes():
        parser = parser_for(change.path)
        if parser is None or change.status is FileStatus.DELETED:
            continue
        out.manifests.append(change.path)
        head, base = _parse_both(view, parser, change, out)
        base_keys = {(d.ecosystem, d.key) for d in base.declared}
        declared.update((d.ecosystem, d.key) for d in head.declared)
        for dep in head.declared:
            if (dep.ecosystem, dep.key) in base_keys:
                continue
            base_keys.add((dep.ecosystem, dep.key))
            if not dep.from_registry:
                out.notes.append(
                    f"{dep.path}: '{dep.name}' is not from a registry ({dep.note or 'URL/path'})"
                )
                continue
            out.wanted.append(
                Wanted(dep.name, dep.ecosystem, change.path, _line_of(change, dep.name), "manifest")
            )
    declared.update(_declared_at_head(view))
    out.wanted.extend(_imports_needing_packages(view, declared))
    return out


def _parse_both(
    view: ChangeView, parser: ManifestParser, change: FileChange, out: Collected
) -> tuple[Parsed, Parsed]:
    if not view.is_whole_file(change):
        head_lines, base_lines = _fragments(change)
        return parser.parse_fragment(head_lines, change.path), parser.parse_fragment(base_lines, change.path)
    empty = Parsed(())
    head_text = view.text("head", change.path)
    if head_text is None:
        return empty, empty
    try:
        head = parser.parse(head_text, change.path, lambda p: view.text("head", p))
    except ManifestError as exc:
        out.unparsable.append((change.path, str(exc)))
        return empty, empty
    out.unparsable.extend((change.path, problem) for problem in head.problems)
    out.notes.extend(head.notes)
    base = empty
    base_path = change.old_path or change.path
    base_text = view.text("base", base_path) if change.status is not FileStatus.ADDED else None
    if base_text is not None:
        try:
            base = parser.parse(base_text, base_path, lambda p: view.text("base", p))
        except ManifestError:
            base = empty  # a base that did not parse: everything at head counts as new
    return head, base


def _fragments(change: FileChange) -> tuple[list[str], list[str]]:
    head: list[str] = []
    base: list[str] = []
    for hunk in change.hunks:
        for line in hunk.lines:
            if line.kind is not LineKind.REMOVED:
                head.append(line.text)
            if line.kind is not LineKind.ADDED:
                base.append(line.text)
        # A hunk boundary: the next hunk's section is unknown until it shows its own header.
        head.append("")
        base.append("")
    return head, base


def _line_of(change: FileChange, name: str) -> int | None:
    """The first added line of the manifest that names the package (where a reviewer looks)."""
    wanted = name.lower()
    alt = wanted.replace("-", "_")
    for line in change.added_lines():
        text = line.text.lower()
        if wanted in text or alt in text.replace("-", "_"):
            return line.new_no
    first = next(change.added_lines(), None)
    return first.new_no if first else None


def _declared_at_head(view: ChangeView) -> set[tuple[Ecosystem, str]]:
    """What every manifest of the repo at head declares (reads nothing without revisions)."""
    if not view.has_revisions:
        return set()
    paths = [p for p in view.head_paths() if not any(v in p for v in _VENDORED) and parser_for(p)]
    out: set[tuple[Ecosystem, str]] = set()
    for path in paths[:MAX_MANIFESTS]:
        parser = parser_for(path)
        text = view.text("head", path)
        if parser is None or text is None:
            continue
        try:
            parsed = parser.parse(text, path, lambda p: view.text("head", p))
        except ManifestError:
            continue
        out.update((d.ecosystem, d.key) for d in parsed.declared)
        if parser.ecosystem is Ecosystem.NPM:
            out.update(_workspace_name(text))
    return out


def _workspace_name(text: str) -> set[tuple[Ecosystem, str]]:
    """A package of the monorepo itself is never looked up in the registry."""
    try:
        data = json.loads(text)
    except ValueError:
        return set()
    name = data.get("name") if isinstance(data, dict) else None
    return {(Ecosystem.NPM, name.lower())} if isinstance(name, str) else set()


def _imports_needing_packages(view: ChangeView, declared: set[tuple[Ecosystem, str]]) -> Iterable[Wanted]:
    repo_modules = repo_module_names(view.head_paths())
    stdlib = python_stdlib()
    dists = python_distributions()
    seen: set[tuple[Ecosystem, str, str]] = set()
    for change in view.changes():
        if change.status is FileStatus.DELETED:
            continue
        head = view.text("head", change.path) if view.is_whole_file(change) else None
        for imp in imports_in(change.path, head, view.added_lines(change)):
            key = (imp.ecosystem, imp.module, imp.path)
            if key in seen or imp.module in repo_modules:
                continue
            seen.add(key)
            wanted = (
                _python_wanted(imp, declared, stdlib, dists)
                if imp.ecosystem is Ecosystem.PYPI
                else (_npm_wanted(imp, declared))
            )
            if wanted is not None:
                yield wanted


def _python_wanted(
    imp: Imported,
    declared: set[tuple[Ecosystem, str]],
    stdlib: Iterable[str],
    dists: Mapping[str, tuple[str, ...]],
) -> Wanted | None:
    if imp.module in stdlib:
        return None
    eco = Ecosystem.PYPI
    candidates = dists.get(imp.module, ())
    if candidates == (NAMESPACE,):
        # A namespace shared by many distributions (google.*, azure.*): nothing single to look up.
        return None
    names = (*candidates, imp.module)
    if any((eco, eco.normalize(n)) in declared for n in names):
        return None
    return Wanted(names[0], eco, imp.path, imp.line_no, "import", imp.module, imp.guarded)


def _npm_wanted(imp: Imported, declared: set[tuple[Ecosystem, str]]) -> Wanted | None:
    eco = Ecosystem.NPM
    if imp.module in node_builtins() or (eco, eco.normalize(imp.module)) in declared:
        return None
    # A type-only package (`@types/x`) declared for x covers it too, and vice versa.
    if imp.module.startswith("@types/") or (eco, "@types/" + imp.module) in declared:
        return None
    return Wanted(imp.module, eco, imp.path, imp.line_no, "import", imp.module)
