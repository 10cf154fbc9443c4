"""The TOML manifests of Python projects: `pyproject.toml` (PEP 621, PEP 735 groups, Poetry, uv, PDM,
Hatch, Rye, pixi's PyPI dependencies, and the files setuptools' dynamic metadata reads), pixi's own
`pixi.toml`, and pipenv's `Pipfile`. All are read with the bounded TOML loader. A table named like a
dependency list that none of these installers reads is said in a note: a tool the gate does not know
may install from it."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from gate.analyzers.dependencies.model import Declared, Ecosystem, Parsed, ReadSibling, first_private
from gate.analyzers.dependencies.requirements import RequirementsParser
from gate.analyzers.limits import load_toml
from gate.context.manifest_includes import dynamic_files

_HEADER = re.compile(r"^\[++([^\]]*+)\]")
_TABLE_ENTRY = re.compile(r'^([A-Za-z0-9][A-Za-z0-9._-]*)\s*=\s*["{]')
_LIST_START = re.compile(r'^("|[\w-]+\s*=\s*\[)')
_QUOTED = re.compile(r'"([^"\n]{1,10000})"')
_SPECIFIER = re.compile(r"[<>=~!\[;]")
_REQUIREMENTS = RequirementsParser()


def table(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class PyprojectParser:
    ecosystem = Ecosystem.PYPI

    def matches(self, path: str) -> bool:
        return posixpath.basename(path) in ("pyproject.toml", "pixi.toml")

    def parse(self, text: str, path: str, read: ReadSibling) -> Parsed:
        data = load_toml(text)
        tool = table(data.get("tool"))
        indexes = _indexes(tool)
        routes = _Routes(tool)
        declared: list[Declared] = []
        problems: list[str] = []
        notes = [
            f"{path}: [{name}] is read by no installer the gate knows; not checked" for name in _unknown(data)
        ]
        for kind, reqs in _pep508_lists(data):
            for item in reqs if isinstance(reqs, list) else ():
                if not isinstance(item, str):
                    continue  # {include-group = "..."} of PEP 735 names no package
                try:
                    req = Requirement(item)
                except InvalidRequirement as exc:
                    problems.append(f"{path}: {kind}: {exc}")
                    continue
                index = routes.index(req.name)
                declared.append(
                    Declared(req.name, self.ecosystem, path, kind, from_registry=req.url is None, index=index)
                )
        for kind, deps in _poetry_tables(table(tool.get("poetry"))):
            for name, spec in table(deps).items():
                if name.lower() == "python":
                    continue
                local = isinstance(spec, Mapping) and any(k in spec for k in ("path", "git", "url"))
                declared.append(
                    Declared(
                        name, self.ecosystem, path, kind, from_registry=not local, index=routes.index(name)
                    )
                )
        pixi = table(tool.get("pixi")) if posixpath.basename(path) == "pyproject.toml" else data
        for kind, deps in _pixi_tables(pixi):
            for name, spec in table(deps).items():
                local = isinstance(spec, Mapping) and any(k in spec for k in ("path", "git", "url"))
                declared.append(Declared(name, self.ecosystem, path, kind, from_registry=not local))
        for kind, target in dynamic_files(tool, path):
            included = read(target)
            if included is None:
                notes.append(f"{path}: {kind}: {target} not found")
                continue
            # setuptools reads each line as a requirement; pip's grammar reads the same, and more.
            sub = _REQUIREMENTS.parse(included, target, read)
            declared.extend(sub.declared)
            problems.extend(sub.problems)
            notes.extend(sub.notes)
        return Parsed(tuple(declared), tuple(problems), tuple(notes), indexes=indexes)

    def parse_fragment(self, lines: Iterable[str], path: str) -> Parsed:
        """Quoted PEP 508 strings in arrays, and `name = "..."` under a Poetry dependency table."""
        declared: list[Declared] = []
        section = ""
        for raw in lines:
            line = raw.strip()
            if header := _HEADER.match(line):
                section = header.group(1).strip()
                continue
            entry = _TABLE_ENTRY.match(line)
            if (
                entry
                and "poetry" in section
                and "dependencies" in section
                and entry.group(1).lower() != "python"
            ):
                declared.append(Declared(entry.group(1), self.ecosystem, path, section))
                continue
            declared.extend(_quoted_requirements(line, section, path))
        return Parsed(tuple(declared), notes=(f"{path}: read from the diff lines only",))


def _pep508_lists(data: Mapping[str, Any]) -> Iterator[tuple[str, object]]:
    """(kind, list of PEP 508 strings) for every table that holds them."""
    project = table(data.get("project"))
    yield "dependencies", project.get("dependencies")
    for extra, reqs in table(project.get("optional-dependencies")).items():
        yield f"optional-dependencies.{extra}", reqs
    for group, reqs in table(data.get("dependency-groups")).items():
        yield f"dependency-groups.{group}", reqs
    yield "build-system.requires", table(data.get("build-system")).get("requires")
    tool = table(data.get("tool"))
    uv = table(tool.get("uv"))
    for key in ("dev-dependencies", "constraint-dependencies", "override-dependencies"):
        yield f"tool.uv.{key}", uv.get(key)
    yield "tool.rye.dev-dependencies", table(tool.get("rye")).get("dev-dependencies")
    pdm = table(tool.get("pdm"))
    for group, reqs in table(pdm.get("dev-dependencies")).items():
        yield f"tool.pdm.dev-dependencies.{group}", reqs
    for env, settings in table(table(tool.get("hatch")).get("envs")).items():
        for key in ("dependencies", "extra-dependencies"):
            yield f"tool.hatch.envs.{env}.{key}", table(settings).get(key)


def _pixi_tables(pixi: Mapping[str, Any]) -> Iterator[tuple[str, object]]:
    """pixi's PyPI dependency tables (its other dependencies are conda packages): the workspace's, each
    feature's, and each platform target's of either. `pixi` is `[tool.pixi]`, or a pixi.toml whole."""
    yield "pypi-dependencies", pixi.get("pypi-dependencies")
    for target, settings in table(pixi.get("target")).items():
        yield f"target.{target}.pypi-dependencies", table(settings).get("pypi-dependencies")
    for feature, settings in table(pixi.get("feature")).items():
        yield f"feature.{feature}.pypi-dependencies", table(settings).get("pypi-dependencies")
        for target, more in table(table(settings).get("target")).items():
            yield f"feature.{feature}.target.{target}.pypi-dependencies", table(more).get("pypi-dependencies")


# The tables of a pyproject.toml (or pixi.toml) whose dependency lists are read above, as dotted patterns
# (`*` for any one key): another key ending in `dependencies` is a list no installer the gate knows reads.
_READ_TABLES = tuple(
    pattern.split(".")
    for pattern in (
        "project.dependencies",
        "project.optional-dependencies",
        "dependency-groups",
        "tool.uv.dev-dependencies",
        "tool.uv.constraint-dependencies",
        "tool.uv.override-dependencies",
        "tool.pdm.dev-dependencies",
        "tool.hatch.envs.*.dependencies",
        "tool.hatch.envs.*.extra-dependencies",
        "tool.poetry.dependencies",
        "tool.poetry.dev-dependencies",
        "tool.poetry.group.*.dependencies",
        "tool.rye.dev-dependencies",
        "tool.setuptools.dynamic.dependencies",
        "tool.setuptools.dynamic.optional-dependencies",
        "pypi-dependencies",
        "target.*.pypi-dependencies",
        "feature.*.pypi-dependencies",
        "feature.*.target.*.pypi-dependencies",
        # pixi's conda packages: another registry, no PyPI name.
        "dependencies",
        "target.*.dependencies",
        "feature.*.dependencies",
        "feature.*.target.*.dependencies",
        "host-dependencies",
        "build-dependencies",
        "run-dependencies",
    )
)
# Keys deeper than this are no table of dependencies anyone writes; the walk stops there.
_MAX_TABLE_DEPTH = 8


def _unknown(data: Mapping[str, Any]) -> Iterator[str]:
    """The dotted names of the tables and arrays ending in `dependencies` that nothing above reads."""
    todo: list[tuple[list[str], Mapping[str, Any]]] = [([], data)]
    while todo:
        keys, node = todo.pop()
        for key, value in node.items():
            here = [*keys, str(key)]
            if str(key).lower().endswith("dependencies") and not _known(here, "tool.pixi"):
                yield ".".join(here)
            elif isinstance(value, dict) and len(here) < _MAX_TABLE_DEPTH:
                todo.append((here, value))


def _known(keys: list[str], pixi_prefix: str) -> bool:
    prefix = pixi_prefix.split(".")
    candidates = [keys, keys[len(prefix) :] if keys[: len(prefix)] == prefix else None]
    return any(
        candidate is not None
        and any(
            len(pattern) == len(candidate)
            and all(p in ("*", k) for p, k in zip(pattern, candidate, strict=True))
            for pattern in _READ_TABLES
        )
        for candidate in candidates
    )


def _poetry_tables(poetry: Mapping[str, Any]) -> Iterator[tuple[str, object]]:
    yield "tool.poetry.dependencies", poetry.get("dependencies")
    yield "tool.poetry.dev-dependencies", poetry.get("dev-dependencies")
    for group, settings in table(poetry.get("group")).items():
        yield f"tool.poetry.group.{group}.dependencies", table(settings).get("dependencies")


def _indexes(tool: Mapping[str, Any]) -> tuple[str, ...]:
    """Every package index Poetry, uv or PDM is told to use."""
    uv = table(tool.get("uv"))
    sources = [
        *_dicts(table(tool.get("poetry")).get("source")),
        *_dicts(uv.get("index")),
        *_dicts(table(tool.get("pdm")).get("source")),
    ]
    urls = [source.get("url") for source in sources] + [
        uv.get("index-url"),
        *_strings(uv.get("extra-index-url")),
    ]
    return tuple(url for url in urls if isinstance(url, str))


class _Routes:
    """Which private index each package of a pyproject may come from, as Poetry and uv choose it.

    An index searched for every package (Poetry's primary, supplemental or secondary sources, uv's
    indexes, PDM's sources) may hold any of them. Poetry's `priority = "explicit"` sources and uv's
    `explicit = true` indexes serve only the packages routed to them by name (Poetry's `source =` on the
    dependency, uv's `[tool.uv.sources]`): every other package comes from PyPI alone, and an absent name
    there is no private package."""

    def __init__(self, tool: Mapping[str, Any]) -> None:
        poetry, uv = table(tool.get("poetry")), table(tool.get("uv"))
        everywhere: list[str] = []
        by_source: dict[str, str] = {}  # index name -> URL, explicit ones too
        poetry_sources = _dicts(poetry.get("source"))
        uv_indexes = _dicts(uv.get("index"))
        for source in (*poetry_sources, *uv_indexes):
            url = source.get("url")
            if not isinstance(url, str):
                continue
            if isinstance(source.get("name"), str):
                by_source[source["name"]] = url
            if source.get("priority") != "explicit" and source.get("explicit") is not True:
                everywhere.append(url)
        everywhere.extend(_strings([uv.get("index-url"), *_strings(uv.get("extra-index-url"))]))
        everywhere.extend(_strings([s.get("url") for s in _dicts(table(tool.get("pdm")).get("source"))]))
        self.everywhere = first_private(everywhere)
        self.routed: dict[str, str] = {}
        for _, deps in _poetry_tables(poetry):
            for name, spec in table(deps).items():
                for one in _dicts(spec):
                    self._route(name, one.get("source"), by_source)
        for name, spec in table(uv.get("sources")).items():
            for one in _dicts(spec):
                self._route(name, one.get("index"), by_source)

    def _route(self, name: str, source: object, by_source: Mapping[str, str]) -> None:
        url = by_source.get(source) if isinstance(source, str) else None
        if url and first_private([url]):
            self.routed.setdefault(canonicalize_name(name), url)

    def index(self, name: str) -> str:
        """The private index the package may come from ("" when PyPI alone)."""
        return self.routed.get(canonicalize_name(name)) or self.everywhere


def _dicts(value: object) -> list[dict[str, Any]]:
    """A table, or each table of an array of tables (Poetry and uv allow both for one dependency)."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _quoted_requirements(line: str, section: str, path: str) -> Iterator[Declared]:
    """PEP 508 strings quoted on one line of a TOML array (diff lines only)."""
    if not _LIST_START.match(line):
        return
    for quoted in _QUOTED.findall(line):
        if not _SPECIFIER.search(quoted) and "dependencies" not in section + line and "requires" not in line:
            continue  # a bare word outside a dependency list is likely not a package
        try:
            req = Requirement(quoted)
        except InvalidRequirement:
            continue
        yield Declared(
            req.name, Ecosystem.PYPI, path, section or "dependencies", from_registry=req.url is None
        )


# --- Pipfile ------------------------------------------------------------------------------------

# Pipfile tables that are not package categories; every other table is one (pipenv's custom categories).
_PIPFILE_OTHER = frozenset({"source", "requires", "scripts", "pipenv"})


class PipfileParser:
    ecosystem = Ecosystem.PYPI

    def matches(self, path: str) -> bool:
        return posixpath.basename(path) == "Pipfile"

    def parse(self, text: str, path: str, read: ReadSibling) -> Parsed:
        data = load_toml(text)
        sources = [s for s in data.get("source") or [] if isinstance(s, dict)]
        by_name = {s.get("name"): s.get("url") for s in sources}
        default = first_private(str(s.get("url")) for s in sources[:1])
        declared: list[Declared] = []
        for category, packages in data.items():
            if category in _PIPFILE_OTHER or not isinstance(packages, dict):
                continue
            for name, spec in packages.items():
                local = isinstance(spec, Mapping) and any(k in spec for k in ("path", "git", "file", "url"))
                index = by_name.get(spec.get("index")) if isinstance(spec, Mapping) else None
                declared.append(
                    Declared(
                        name,
                        self.ecosystem,
                        path,
                        category,
                        from_registry=not local,
                        index=str(index or default or ""),
                    )
                )
        urls = tuple(str(u) for u in by_name.values() if isinstance(u, str))
        return Parsed(tuple(declared), indexes=urls)

    def parse_fragment(self, lines: Iterable[str], path: str) -> Parsed:
        """`name = "..."` / `name = {...}` lines under a package category."""
        declared: list[Declared] = []
        section = ""
        for raw in lines:
            line = raw.strip()
            if header := _HEADER.match(line):
                section = header.group(1).strip()
                continue
            entry = _TABLE_ENTRY.match(line)
            if entry and section and section not in _PIPFILE_OTHER:
                declared.append(Declared(entry.group(1), self.ecosystem, path, section))
        return Parsed(tuple(declared), notes=(f"{path}: read from the diff lines only",))
