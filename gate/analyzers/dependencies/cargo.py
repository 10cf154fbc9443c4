"""`Cargo.toml`: the crates a Rust package or workspace takes from crates.io.

Dependency tables: `[dependencies]`, `[dev-dependencies]`, `[build-dependencies]` (and their legacy
underscore spellings), the same under `[target.'cfg(..)']`, and `[workspace.dependencies]`. A renamed
dependency `foo = { package = "bar" }` is the crate `bar`. Not from crates.io, so not looked up:
`workspace = true` (declared once in the workspace root, read there), `path`, `git`, another
`registry`, and crates that `[patch.crates-io]` or `[replace]` take from elsewhere.
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from gate.analyzers.dependencies.model import Declared, Ecosystem, Parsed
from gate.analyzers.limits import load_toml

DEPENDENCY_TABLES = (
    "dependencies",
    "dev-dependencies",
    "build-dependencies",
    "dev_dependencies",
    "build_dependencies",
)
# crates.io accepts ASCII letters, digits, `-` and `_`, at most 64 characters.
_CRATE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
# The names `[patch.<source>]` may give crates.io by: its key, its git index and its sparse index.
_CRATES_IO_SOURCES = frozenset(
    {"crates-io", "https://github.com/rust-lang/crates.io-index", "sparse+https://index.crates.io"}
)
# A table header line, `[...]` (an array of tables `[[...]]` holds no dependency).
_HEADER = re.compile(r"^\s*\[(?!\[)")
# Deepest bracket nesting read in a fragment line; tomllib recurses once a level.
_MAX_LINE_NESTING = 50


class CargoParser:
    ecosystem = Ecosystem.CRATES

    def matches(self, path: str) -> bool:
        return posixpath.basename(path) == "Cargo.toml"

    def parse(self, text: str, path: str, read: Callable[[str], str | None]) -> Parsed:
        return _declared(load_toml(text), path)

    def parse_fragment(self, lines: Iterable[str], path: str) -> Parsed:
        """Each diff line read as TOML on its own, under the last table header shown: a dependency line
        is a complete `key = value`. Lines that are not (parts of multi-line values) are passed over."""
        data: dict[str, Any] = {}
        where: list[str] | None = None  # the key path of the current table; None = not known
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[["):
                where = None
                continue
            one = _line_toml(line)
            if _HEADER.match(line):
                where = _only_path(one) if one is not None else None
                continue
            if one is None or where is None:
                continue
            _merge(_at(data, where), one)
        parsed = _declared(data, path)
        return Parsed(
            parsed.declared, parsed.problems, (*parsed.notes, f"{path}: read from the diff lines only")
        )


def _line_toml(line: str) -> dict[str, Any] | None:
    if line.count("[") + line.count("{") > _MAX_LINE_NESTING:
        return None
    try:
        return tomllib.loads(line)
    except (tomllib.TOMLDecodeError, RecursionError):
        return None


def _only_path(data: Mapping[str, Any]) -> list[str]:
    """The key path of the one table a header line opens (`[target.'cfg(unix)'.dependencies]`)."""
    keys: list[str] = []
    node: Any = data
    while isinstance(node, dict) and len(node) == 1:
        key = next(iter(node))
        keys.append(key)
        node = node[key]
    return keys


def _at(data: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    node = data
    for key in keys:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    return node


def _merge(into: dict[str, Any], new: Mapping[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _table(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _tables(data: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(kind, table) for every dependency table of the manifest."""
    for kind in DEPENDENCY_TABLES:
        yield kind, _table(data.get(kind))
    for target, tables in _table(data.get("target")).items():
        for kind in DEPENDENCY_TABLES:
            yield f"target.{target}.{kind}", _table(_table(tables).get(kind))
    yield "workspace.dependencies", _table(_table(data.get("workspace")).get("dependencies"))


def _patched(data: Mapping[str, Any]) -> set[str]:
    """Crates from crates.io that `[patch.crates-io]` or the older `[replace]` ("name:version") take
    elsewhere. A `[patch.<other source>]` (a git URL, another registry) patches only the dependencies
    taken from that source: a crates.io dependency of the same name is still fetched from crates.io."""
    names: set[str] = set()
    for source, table in _table(data.get("patch")).items():
        if source.rstrip("/") not in _CRATES_IO_SOURCES:
            continue
        for key, spec in _table(table).items():
            package = _table(spec).get("package")
            names.add((package if isinstance(package, str) else key).lower())
    names.update(key.split(":", 1)[0].lower() for key in _table(data.get("replace")))
    return names


def _declared(data: Mapping[str, Any], path: str) -> Parsed:
    declared: list[Declared] = []
    problems: list[str] = []
    patched = _patched(data)
    for kind, table in _tables(data):
        for key, spec in table.items():
            found = _one(key, spec, path, kind, patched)
            if isinstance(found, str):
                problems.append(found)
            else:
                declared.append(found)
    return Parsed(tuple(declared), tuple(problems))


def _one(key: str, spec: object, path: str, kind: str, patched: set[str]) -> Declared | str:
    """The declared crate, or what is wrong with the entry."""
    eco = Ecosystem.CRATES
    if isinstance(spec, str):
        name, attrs = key, {}
    elif isinstance(spec, dict):
        package = spec.get("package", key)
        if not isinstance(package, str):
            return f"{path}: {kind}.{key}: 'package' is not a string"
        name, attrs = package, spec
    else:
        return f"{path}: {kind}.{key}: neither a version string nor a table"
    if not _CRATE_NAME.match(name):
        return f"{path}: {kind}.{key}: '{name[:80]}' is not a crate name"
    if attrs.get("workspace") is True:
        return Declared(name, eco, path, kind, from_registry=False, note="taken from the workspace")
    for source in ("path", "git"):
        if source in attrs:
            return Declared(name, eco, path, kind, from_registry=False, note=f"a {source} dependency")
    registry = attrs.get("registry")
    if (isinstance(registry, str) and registry != "crates-io") or "registry-index" in attrs:
        where = registry if isinstance(registry, str) else "another registry index"
        return Declared(name, eco, path, kind, from_registry=False, note=f"from the registry '{where}'")
    if name.lower() in patched:
        return Declared(name, eco, path, kind, from_registry=False, note="patched by [patch] or [replace]")
    note = f"renamed '{key}'" if name != key else ""
    return Declared(name, eco, path, kind, note=note)
