"""Files a manifest names as the code that runs: a GitHub Action's `runs.main`, `runs.pre` and
`runs.post` in its `action.yml`, a package's `main`, `bin` and `exports` in its `package.json`, and a
Python package's console and GUI scripts and entry points (`[project.scripts]`, `[project.gui-scripts]`,
`[project.entry-points]`, Poetry's `scripts` and `plugins` in `pyproject.toml`; `entry_points` in
`setup.cfg` and `setup.py`).

The default ignore list leaves build output out (`**/dist/**`), but an Action runs its `dist/index.js`
and nothing imports it: the manifest beside it is what makes it first-party code. A manifest names paths
from its own folder, so the manifests read for a file are those in the folders above it. A Python entry
point names a module (`mylib.dist.cli:main`), which may sit in a source folder below the manifest
(`src/mylib/dist/cli.py`): a file whose path ends in the module's is taken as it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pathspec

from gate.context.bounded_parse import MAX_NESTING, Unreadable, load_json, load_toml, nesting

# Reads a file's text at head (None when there is none).
TextReader = Callable[[str], str | None]
ACTION_MANIFESTS = ("action.yml", "action.yaml")
ACTION_ENTRY_KEYS = ("main", "pre", "post")
PACKAGE_MANIFEST = "package.json"
PACKAGE_ENTRY_KEYS = ("main", "bin", "exports")
PYPROJECT = "pyproject.toml"
SETUPTOOLS_MANIFESTS = ("setup.cfg", "setup.py")
# The pyproject.toml tables whose strings are entry points (`module:attr`), or a Poetry script's file.
PYPROJECT_ENTRY_TABLES = (
    ("project", "scripts"),
    ("project", "gui-scripts"),
    ("project", "entry-points"),
    ("tool", "poetry", "scripts"),
    ("tool", "poetry", "plugins"),
)
# A manifest is a few kilobytes; a larger one is not parsed (YAML aliases can make a small text large).
MAX_MANIFEST_CHARS = 1_000_000


def named_entry_points(paths: Sequence[str], read: TextReader) -> dict[str, str]:
    """The paths a manifest in a folder above them names as an entry point, with why they are kept. A
    manifest that cannot be read (past MAX_MANIFEST_CHARS, not parsed, nested past the analyzers' bound)
    may name any file below its folder: those are all kept, so that breaking a manifest does not take
    the code it runs out of the gate's view."""
    wanted = set(paths)
    found: dict[str, str] = {}
    below_folder = _below_each_folder(paths)
    for manifest in sorted({m for path in paths for m in _manifests_above(path)}):
        text = read(manifest)
        if text is None:
            continue
        folder = posixpath.dirname(manifest)
        entries = _entries(manifest, text) if len(text) <= MAX_MANIFEST_CHARS else None
        below = below_folder.get(folder, [])
        if entries is None:
            for path in below:
                found.setdefault(path, f"{manifest} could not be read, and it may name it as code that runs")
            continue
        modules: dict[str, str] = {}  # a module's file (`mylib/dist/cli.py`) -> the key that names it
        for key, value in entries:
            if isinstance(value, _Module):
                for file in (f"{value.path}.py", f"{value.path}/__init__.py"):
                    modules.setdefault(file, key)
                continue
            target = posixpath.normpath(posixpath.join(folder, value))
            if target in wanted and target not in found:
                found[target] = f"{manifest} names it as code that runs ({key})"
        for path in below:
            # A source folder may stand in front of the package (`src/`, a `package-dir`).
            rel = path[len(folder) + 1 :] if folder else path
            names = next((modules[tail] for tail in _tails(rel) if tail in modules), None)
            if names is not None and path not in found:
                found[path] = f"{manifest} names it as code that runs ({names})"
    return found


def _below_each_folder(paths: Sequence[str]) -> dict[str, list[str]]:
    """Each folder above some of the paths ("" for the top) -> the paths below it, in their order: one
    walk up from each path, where scanning every path for each manifest read grew with the square of
    the manifests (8,000 of them, each beside a default-ignored file, took seconds)."""
    below: dict[str, list[str]] = {}
    for path in paths:
        folder, above = path, posixpath.dirname(path)
        while above != folder:  # up to "" (or "/", its own folder)
            below.setdefault(above, []).append(path)
            folder, above = above, posixpath.dirname(above)
    return below


@dataclass(frozen=True)
class _Module:
    """A Python module an entry point names (`mylib.dist.cli`), as a path (`mylib/dist/cli`)."""

    path: str


def _tails(path: str) -> Iterator[str]:
    """`a/b/c.py`, `b/c.py`, `c.py`."""
    parts = path.split("/")
    return ("/".join(parts[i:]) for i in range(len(parts)))


# Files that run other files of the repository: workflows, composite actions, package scripts, make,
# container builds, shell scripts, task runners and hooks. A default-ignored file one of them names
# (`node dist/postinstall.js`, `python tools/vendor/release.py`, `python -m tools.vendor.release`) is code
# that runs.
RUNNER_PATTERNS = (
    ".github/workflows/*.yml",
    ".github/workflows/*.yaml",
    "action.yml",
    "action.yaml",
    "package.json",
    "Makefile",
    "makefile",
    "GNUmakefile",
    "*.mk",
    "Dockerfile",
    "Dockerfile.*",
    "*.dockerfile",
    "Containerfile",
    "docker-compose*.yml",
    "docker-compose*.yaml",
    "compose.yml",
    "compose.yaml",
    "*.sh",
    "justfile",
    "Justfile",
    "Taskfile.yml",
    "Procfile",
    "tox.ini",
    "noxfile.py",
    # A Python package's own task tables (Hatch, PDM, Poe) and its setup script, which runs on install.
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    ".pre-commit-config.yaml",
    ".gitlab-ci.yml",
)
# Characters of runner files read at most; past it, the files not yet placed are kept (failing closed).
MAX_RUNNER_CHARS = 16_000_000
MAX_PATH_CHARS = 4096  # Linux's PATH_MAX
_PATH_TOKEN = re.compile(r"[\w.@+~/-]+")
_MODULE_TOKEN = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


def runner_spec() -> pathspec.PathSpec:
    return pathspec.PathSpec.from_lines("gitwildmatch", RUNNER_PATTERNS)


def named_by_runners(paths: Sequence[str], runners: Sequence[str], read: TextReader) -> dict[str, str]:
    """The paths a runner file names (`RUNNER_PATTERNS`), with why they are kept: by their path from the
    runner's folder or from the repository's root, a path that ends in theirs
    (`$GITHUB_WORKSPACE/dist/x.js`), or a Python module name (`python -m tools.vendor.release`)."""
    wanted = set(paths)
    found: dict[str, str] = {}
    read_chars = 0
    for runner in runners:
        if len(found) == len(wanted):
            break
        text = read(runner)
        if text is None:
            continue
        read_chars += len(text)
        if read_chars > MAX_RUNNER_CHARS:
            why = f"the files that run others were read only up to {MAX_RUNNER_CHARS:,} characters"
            return found | {path: why for path in paths if path not in found}
        for path in _named(text, posixpath.dirname(runner)) & wanted:
            found.setdefault(path, f"{runner} runs it")
    return found


def _named(text: str, folder: str) -> set[str]:
    """The repository paths a runner's text may name: each path-like token from the runner's folder and
    from the root, each tail of it that holds a folder, and a dotted module name as a Python file."""
    named: set[str] = set()
    for found in set(_PATH_TOKEN.findall(text)):
        token = found.rstrip(".")  # a sentence's full stop
        if not token or len(token) > MAX_PATH_CHARS:
            continue  # no path is that long; its tails would cost the square of its length
        if "/" in token:
            named.add(posixpath.normpath(posixpath.join(folder, token)))
            parts = token.strip("/").split("/")
            named.update("/".join(parts[i:]) for i in range(len(parts) - 1))
        elif folder:
            named.add(posixpath.join(folder, token))
        if _MODULE_TOKEN.fullmatch(token):
            module = token.replace(".", "/")
            named.update((module + ".py", module + "/__init__.py", module + "/__main__.py"))
        named.add(token)
    return named


def _manifests_above(path: str) -> Iterator[str]:
    folder = posixpath.dirname(path)
    while True:
        for name in (*ACTION_MANIFESTS, PACKAGE_MANIFEST, PYPROJECT, *SETUPTOOLS_MANIFESTS):
            yield posixpath.join(folder, name) if folder else name
        if not folder:
            return
        folder = posixpath.dirname(folder)


def _entries(manifest: str, text: str) -> list[tuple[str, str | _Module]] | None:
    """(key, path or module) for each entry point the manifest names; None for a manifest that does not
    parse, or nests past the analyzers' bound, or is not a mapping."""
    name = posixpath.basename(manifest)
    if name in SETUPTOOLS_MANIFESTS:
        return [("entry_points", _Module(m.replace(".", "/"))) for m in set(_ENTRY_SPEC.findall(text))]
    if name == PYPROJECT:
        try:
            project = load_toml(text)  # nesting bounded first: the parser recurses once a level
        except Unreadable:
            return None
        return [
            (".".join(table), target)
            for table in PYPROJECT_ENTRY_TABLES
            for value in _strings(_table(project, table))
            if (target := _python_entry(value)) is not None
        ]
    if manifest.endswith(PACKAGE_MANIFEST):
        try:
            package = load_json(text)  # nesting bounded first: the parser recurses once a level
        except Unreadable:
            return None
        if not isinstance(package, dict):
            return None
        return [(key, value) for key in PACKAGE_ENTRY_KEYS for value in _strings(package.get(key))]
    import yaml  # only a change under a default-ignored folder with an action manifest above reads one

    if nesting(text) > MAX_NESTING:  # flow brackets; PyYAML recurses once a level of them or of indents
        return None
    try:
        action = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError):
        return None
    if not isinstance(action, dict):
        return None
    runs = action.get("runs")
    if not isinstance(runs, dict):
        return []
    return [(f"runs.{key}", value) for key in ACTION_ENTRY_KEYS if isinstance(value := runs.get(key), str)]


# An entry point in setup.cfg or setup.py (`mytool = mylib.dist.cli:main`, `"mytool=mylib.cli:main"`): the
# module before the colon. setup.py is code and may build the list any way, so every `module:attr` counts.
_ENTRY_SPEC = re.compile(r"(?<![\w.])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)[ \t]*:[ \t]*[A-Za-z_]")
_ENTRY_MODULE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def _table(document: Mapping[str, Any], keys: Sequence[str]) -> Any:
    value: Any = document
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _python_entry(value: str) -> str | _Module | None:
    """The module of an entry point (`mylib.dist.cli:main [extra]`), or the path a Poetry file script
    names (`bin/run.py`)."""
    if "/" in value:
        return value.strip()
    module = value.split(":", 1)[0].split("[", 1)[0].strip()
    return _Module(module.replace(".", "/")) if _ENTRY_MODULE.fullmatch(module) else None


def _strings(value: Any) -> Iterator[str]:
    """Every string in a manifest value: `bin` and `exports` may be a string, or maps and lists of them."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
