"""What a change adds: packages newly declared in its manifests and imports that need a package.

Each file is read on its own: one that cannot be read within the parsers' bounds is recorded as
unreadable (the stage reports it) and the others are read as usual.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from gate.analyzers.dependencies.imports import (
    NAMESPACE,
    Imported,
    imports_in,
    namespace_distributions,
    node_builtins,
    python_distributions,
    python_stdlib,
)
from gate.analyzers.dependencies.local import LocalModules
from gate.analyzers.dependencies.manifests import ManifestParser, parser_for
from gate.analyzers.dependencies.model import PUBLIC_PYPI_HOSTS, Declared, Ecosystem, Parsed
from gate.analyzers.dependencies.requirements import RequirementsParser
from gate.analyzers.dependencies.script_block import ScriptParser, has_script_block
from gate.analyzers.limits import Unreadable, load_json
from gate.analyzers.skipped import skipped_files
from gate.analyzers.source import ChangeView, as_read
from gate.context.manifest_includes import included_files, includes_others
from gate.context.suffixes import JS_SUFFIXES
from gate.diff.model import FileChange, FileStatus, LineKind

# Manifests read at head to learn what the repo already declares (a monorepo may have many).
MAX_MANIFESTS = 200
_VENDORED = ("node_modules/", "site-packages/", ".venv/", "vendor/")
_REQUIREMENTS = RequirementsParser()
_SCRIPT = ScriptParser()


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
    private_index: str = ""  # the manifest installs it from this private index, in use before the change
    line_text: str = ""  # the manifest line that names it, for a suggested fix
    # Other names the import may be provided by (a module of a shared namespace): any that exists will do.
    alternatives: tuple[str, ...] = ()


@dataclass
class Collected:
    wanted: list[Wanted] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    notes: list[str] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)
    read: list[str] = field(default_factory=list)  # the changed files whose imports or manifest it read


def collect(view: ChangeView, public_indexes: Iterable[str] = ()) -> Collected:
    """`public_indexes`: registry URLs that count as the public index (the configured PyPI)."""
    out = Collected()
    heads: dict[str, Parsed] = {}  # manifests parsed at head, each once
    declared: set[tuple[Ecosystem, str]] = set()
    scopes = private_scopes(view)
    public_hosts = PUBLIC_PYPI_HOSTS | {urlsplit(url).netloc.lower() for url in public_indexes}
    included = _included_requirements(view)
    base_indexes: set[str] | None = None  # every index the repo's manifests named before the change
    for change in view.changes(
        lambda c: c.status is not FileStatus.DELETED and _manifest(view, c, included) is not None
    ):
        parser = _manifest(view, change, included)
        if parser is None:
            continue
        out.manifests.append(change.path)
        if parser is not _SCRIPT:  # a script's imports are read below, and it is counted read there
            out.read.append(change.path)
        head, base = _parse_both(view, parser, change, out, heads)
        base_keys = {(d.ecosystem, d.key) for d in base.declared}
        declared.update((d.ecosystem, d.key) for d in head.declared)
        lines = _LineIndex(change)
        for dep in head.declared:
            if (dep.ecosystem, dep.key) in base_keys:
                continue
            base_keys.add((dep.ecosystem, dep.key))
            if not dep.from_registry:
                out.notes.append(
                    f"{dep.path}: '{dep.name}' is not from a registry ({dep.note or 'URL/path'})"
                )
                continue
            if _scope(dep.name) in scopes:
                out.notes.append(f"{dep.path}: '{dep.name}' comes from the scope's own registry (.npmrc)")
                continue
            private = ""
            if dep.index and urlsplit(dep.index).netloc.lower() not in public_hosts:
                if base_indexes is None:
                    base_indexes = _indexes_at_base(view, base)
                # An index the change itself brings in proves nothing: the exemption is for indexes
                # the repository used before.
                private = dep.index if dep.index in base_indexes else ""
                if not private:
                    out.notes.append(f"{dep.path}: index {dep.index} is new in this change; not an exemption")
            # A package from an included file (`-r other.txt`) is shown there when the diff has that file.
            where = view.changeset.diff.by_path.get(dep.path) or change
            line, text = (lines if where is change else _LineIndex(where)).find(dep)
            out.wanted.append(
                Wanted(
                    dep.name,
                    dep.ecosystem,
                    where.path,
                    line,
                    "manifest",
                    private_index=private,
                    line_text=text,
                )
            )
    declared.update(_declared_at_head(view, heads))
    out.wanted.extend(_imports_needing_packages(view, declared, scopes, out))
    return out


def _manifest(view: ChangeView, change: FileChange, included: frozenset[str]) -> ManifestParser | None:
    """The parser of a manifest the stage reads: by its name, a file another manifest has its installer
    read, or a Python script with an inline `# /// script` block (read when the change adds a comment
    line to it: a block's lines are comments)."""
    parser = parser_for(change.path) or (_REQUIREMENTS if change.path in included else None)
    if parser is None and view.is_python(change) and any(line.text.startswith("#") for line in change.added):
        whole = view.text("head", change.path) if view.is_whole_file(change) else None
        shown = whole if whole is not None else "\n".join(line.text for line in change.added)
        return _SCRIPT if has_script_block(shown) else None
    return parser


def _included_requirements(view: ChangeView) -> frozenset[str]:
    """Files that a manifest at head has its installer read, whatever they are named: the `-r`/`-c`
    includes of a requirements file (and theirs in turn), the `file:` directives of a setup.cfg, and
    setuptools' dynamic `file` entries of a pyproject.toml."""
    paths = [p for p in view.head_paths() if includes_others(p) and not any(v in p for v in _VENDORED)]
    if not view.has_revisions:
        paths = [c.path for c in view.changes(lambda c: includes_others(c.path))]
    found: set[str] = set()
    todo = paths[:MAX_MANIFESTS]
    while todo and len(found) < MAX_MANIFESTS:
        path = todo.pop()
        text = view.text("head", path) or ""
        for target in included_files(path, text, as_requirements=path in found):
            if target not in found:
                found.add(target)
                todo.append(target)
    return frozenset(found)


def _indexes_at_base(view: ChangeView, base: Parsed) -> set[str]:
    out = set(base.indexes)
    if not view.has_revisions:
        return out
    for path in [p for p in view.head_paths() if parser_for(p)][:MAX_MANIFESTS]:
        parser = parser_for(path)
        text = view.text("base", path)
        if parser is None or text is None:
            continue
        try:
            out.update(parser.parse(text, path, lambda p: view.text("base", p)).indexes)
        except (Unreadable, RecursionError):
            continue
    return out


def _parse_both(
    view: ChangeView, parser: ManifestParser, change: FileChange, out: Collected, heads: dict[str, Parsed]
) -> tuple[Parsed, Parsed]:
    if not view.is_whole_file(change):
        head_lines, base_lines = _fragments(change)
        return parser.parse_fragment(head_lines, change.path), parser.parse_fragment(base_lines, change.path)
    empty = Parsed(())
    head_text = view.text("head", change.path)
    if head_text is None:
        # Text an installer reads that the gate could not (UTF-16 with its byte-order mark, which pip
        # decodes): said, unless the view left it unread already (past the size limit), and what the diff
        # lines show of it is read.
        if change.path not in {s.path for s in skipped_files(view)}:
            out.unreadable.append((change.path, "its text at head could not be read as UTF-8"))
        head_lines, base_lines = _fragments(change)
        return parser.parse_fragment(head_lines, change.path), parser.parse_fragment(base_lines, change.path)
    try:
        head = heads[change.path] = parser.parse(head_text, change.path, lambda p: view.text("head", p))
    except (Unreadable, RecursionError) as exc:
        heads[change.path] = Parsed(())
        out.unreadable.append((change.path, _why(exc)))
        # What the diff lines show is still read, as for a patch.
        head_lines, base_lines = _fragments(change)
        return parser.parse_fragment(head_lines, change.path), parser.parse_fragment(base_lines, change.path)
    out.unreadable.extend((change.path, problem) for problem in head.problems)
    out.notes.extend(head.notes)
    base = empty
    base_path = change.old_path or change.path
    base_text = view.text("base", base_path) if change.status is not FileStatus.ADDED else None
    if base_text is not None:
        try:
            base = parser.parse(base_text, base_path, lambda p: view.text("base", p))
        except (Unreadable, RecursionError):
            base = empty  # a base that did not parse: everything at head counts as new
    return head, base


def _why(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, Unreadable) else "nested too deeply to parse"


def _fragments(change: FileChange) -> tuple[list[str], list[str]]:
    head: list[str] = []
    base: list[str] = []
    for hunk in change.hunks:
        for line in hunk.lines:
            if line.kind is not LineKind.REMOVED:
                head.append(as_read(line.new_no, line.text))
            if line.kind is not LineKind.ADDED:
                base.append(as_read(line.old_no, line.text))
        # A hunk boundary: the next hunk's section is unknown until it shows its own header.
        head.append("")
        base.append("")
    return head, base


_WORD = re.compile(r"[A-Za-z0-9@][A-Za-z0-9@/._-]{0,213}")


class _LineIndex:
    """The added lines of a manifest by the package-name-like words on them, built once per file, so
    finding the line of each of many new packages is not a scan of every line each time."""

    def __init__(self, change: FileChange) -> None:
        self.change = change
        self._first: tuple[int | None, str] | None = None
        self._by_line: dict[int, str] = {}
        self._by_word: dict[str, tuple[int | None, str]] | None = None

    def _build(self) -> dict[str, tuple[int | None, str]]:
        words: dict[str, tuple[int | None, str]] = {}
        for line in self.change.added_lines():
            if self._first is None:
                self._first = (line.new_no, "")
            if line.new_no is not None:
                self._by_line[line.new_no] = line.text
            for word in _WORD.findall(line.text):
                words.setdefault(_key(word), (line.new_no, line.text))
        return words

    def find(self, dep: Declared) -> tuple[int | None, str]:
        """The added line that names the package (where a reviewer looks), else the first added line."""
        if self._by_word is None:
            self._by_word = self._build()
        if dep.line is not None and dep.line in self._by_line and dep.path == self.change.path:
            return dep.line, self._by_line[dep.line]
        return self._by_word.get(_key(dep.name)) or self._first or (None, "")


def _key(word: str) -> str:
    return word.lower().replace("_", "-").replace(".", "-")


def _declared_at_head(view: ChangeView, heads: dict[str, Parsed]) -> set[tuple[Ecosystem, str]]:
    """What every manifest of the repo at head declares (reads nothing without revisions); `heads`
    holds the ones already parsed."""
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
            parsed = heads.get(path) or parser.parse(text, path, lambda p: view.text("head", p))
            if parser.ecosystem is Ecosystem.NPM:
                out.update(_workspace_name(text))
        except (Unreadable, RecursionError):
            continue
        out.update((d.ecosystem, d.key) for d in parsed.declared)
    return out


def _workspace_name(text: str) -> set[tuple[Ecosystem, str]]:
    """A package of the monorepo itself is never looked up in the registry."""
    data = load_json(text)
    name = data.get("name") if isinstance(data, dict) else None
    return {(Ecosystem.NPM, name)} if isinstance(name, str) else set()


def _imports_needing_packages(
    view: ChangeView, declared: set[tuple[Ecosystem, str]], scopes: frozenset[str], out: Collected
) -> Iterable[Wanted]:
    local = LocalModules(view.head_paths(), lambda p: view.text("head", p))
    aliases: frozenset[str] | None = None  # JS path-alias keys, read once when a JS import needs them
    stdlib = python_stdlib()
    dists = python_distributions()
    seen: set[tuple[Ecosystem, str, str, tuple[str, ...]]] = set()
    for change in view.changes(lambda c: _imports_read(view, c), any_size=True):
        out.read.append(change.path)
        # Only Python is read whole (ast); JS/TS imports are read from the added lines. A file whose
        # added text is past the size limit is noted unread (no pass), and its added lines read all the
        # same: they are what a padded file hides its imports among.
        python = view.is_python(change)
        whole = view.readable(change) and view.is_whole_file(change)
        head = view.text("head", change.path) if python and whole else None
        try:
            found = imports_in(change.path, head, view.added_lines(change), python=python)
        except (Unreadable, RecursionError) as exc:
            out.unreadable.append((change.path, _why(exc)))
            # The added lines alone still say what they import.
            found = imports_in(change.path, None, view.added_lines(change), python=python)
        for imp in found:
            key = (imp.ecosystem, imp.module, imp.path, imp.dotted)
            if key in seen:
                continue
            seen.add(key)
            if imp.ecosystem is Ecosystem.NPM:
                aliases = _js_alias_keys(view) if aliases is None else aliases
                if local.js(imp.module) or _is_alias(imp.module, aliases) or _scope(imp.module) in scopes:
                    continue
                wanted = _npm_wanted(imp, declared)
            else:
                if local.python(imp.module, imp.path):
                    continue
                wanted = _python_wanted(imp, declared, stdlib, dists)
            if wanted is not None:
                yield wanted


def _imports_read(view: ChangeView, change: FileChange) -> bool:
    """The files whose imports the stage reads: Python (a script named without a suffix too), JS/TS."""
    if change.status is FileStatus.DELETED:
        return False
    return change.path.endswith(JS_SUFFIXES) or view.is_python(change)


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
        # A namespace shared by many distributions (google.*, azure.*): its module names the distribution.
        found = namespace_distributions(imp.dotted)
        if not found or any((eco, eco.normalize(n)) in declared for n in found):
            return None
        module = next((d for d in reversed(imp.dotted) if d.count(".")), imp.module)
        name, *others = (eco.normalize(n) for n in found)
        return Wanted(
            name, eco, imp.path, imp.line_no, "import", module, imp.guarded, alternatives=tuple(others)
        )
    names = (*candidates, imp.module)
    if any((eco, eco.normalize(n)) in declared for n in names):
        return None
    # An import name is no distribution name as written: ask for the canonical form (`a_b` -> `a-b`).
    name = names[0] if candidates else eco.normalize(imp.module)
    return Wanted(name, eco, imp.path, imp.line_no, "import", imp.module, imp.guarded)


# Files where JS/TS projects map import names to their own folders (tsconfig `paths`, bundler aliases).
_ALIAS_NAMES = ("jsconfig.json", ".babelrc", ".babelrc.json", "package.json")
_ALIAS_CONFIG_STEMS = ("vite", "vitest", "webpack", "rollup", "babel", "metro", "jest")
MAX_ALIAS_FILES = 50
# A quoted key of an alias map: `"@app/*": [...]`, `'@lib': path.resolve(...)`, package.json `imports`.
_QUOTED_KEY = re.compile(r"""["']([^"'\n]{1,214})["'][ \t]*:""")


def _is_alias_config(path: str) -> bool:
    name = posixpath.basename(path)
    if name.startswith("tsconfig") and name.endswith(".json"):
        return True
    stem, _, ext = name.partition(".config.")
    return name in _ALIAS_NAMES or (
        stem in _ALIAS_CONFIG_STEMS and ext in ("js", "ts", "cjs", "mjs", "cts", "mts")
    )


def _js_alias_keys(view: ChangeView) -> frozenset[str]:
    """Every quoted key of the repo's alias configuration files (read once, matched by set lookup)."""
    paths = [p for p in view.head_paths() if _is_alias_config(p) and not any(v in p for v in _VENDORED)]
    keys: set[str] = set()
    for path in paths[:MAX_ALIAS_FILES]:
        for key in _QUOTED_KEY.findall(view.text("head", path) or ""):
            keys.add(key.removesuffix("/*").removesuffix("/"))
    return frozenset(keys)


def _is_alias(module: str, keys: frozenset[str]) -> bool:
    """True when the name (or its scope) is a key of an alias map."""
    return module in keys or (module.startswith("@") and module.split("/")[0] in keys)


# `@scope:registry=URL` of an .npmrc; `[ \t]`, not `\s`: `\s*` after `^` would run across lines.
_NPMRC_SCOPE = re.compile(r"^[ \t]*(@[\w.-]+):registry[ \t]*=[ \t]*(\S+)", re.MULTILINE)


def private_scopes(view: ChangeView) -> frozenset[str]:
    """npm scopes that `.npmrc` sent to a registry of their own before the change: their packages are
    not on npmjs. A scope the change itself routes elsewhere is no exemption (it would let a change
    lower its own scrutiny); without revisions only a deleted .npmrc shows the base, so none count."""
    scopes: set[str] = set()
    for path in view.head_paths():
        if path.rsplit("/", 1)[-1] == ".npmrc":
            for scope, url in _NPMRC_SCOPE.findall(view.text("base", path) or ""):
                if "registry.npmjs.org" not in url:
                    scopes.add(scope.lower())
    return frozenset(scopes)


def _scope(name: str) -> str:
    return name.split("/", 1)[0].lower() if name.startswith("@") else ""


def _npm_wanted(imp: Imported, declared: set[tuple[Ecosystem, str]]) -> Wanted | None:
    eco = Ecosystem.NPM
    if imp.module in node_builtins() or (eco, eco.normalize(imp.module)) in declared:
        return None
    # A type-only package (`@types/x`) declared for x covers it too, and vice versa.
    if imp.module.startswith("@types/") or (eco, "@types/" + imp.module) in declared:
        return None
    return Wanted(imp.module, eco, imp.path, imp.line_no, "import", imp.module)
