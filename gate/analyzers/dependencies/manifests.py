"""Manifest parsers, one per file kind, behind one small interface.

Adding go.mod or Cargo.toml means one more class with `matches`, `parse` and `parse_fragment`, plus an
Ecosystem member and a registry client; nothing else changes.
"""

from __future__ import annotations

import json
import posixpath
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from packaging.requirements import InvalidRequirement, Requirement

from gate.analyzers.dependencies.cargo import CargoParser
from gate.analyzers.dependencies.gomod import GoModParser
from gate.analyzers.dependencies.model import Declared, Ecosystem, ManifestError, Parsed, plausible_npm_name

# Reads another file at the same revision (for `-r other.txt`); None when it does not exist.
ReadSibling = Callable[[str], str | None]


class ManifestParser(Protocol):
    ecosystem: Ecosystem

    def matches(self, path: str) -> bool: ...

    def parse(self, text: str, path: str, read: ReadSibling) -> Parsed:
        """The whole file. Raises ManifestError when it does not parse at all."""
        ...

    def parse_fragment(self, lines: Iterable[str], path: str) -> Parsed:
        """Some lines of the file (patch input, no revisions): a tolerant best effort."""
        ...


# --- requirements files -------------------------------------------------------------------------

_REQ_FILE = re.compile(r"(^|/)[^/]*requirements[^/]*\.(txt|in)$", re.IGNORECASE)
_INCLUDE = re.compile(r"^(-r|--requirement)(\s+|=)(\S+)")
_CONSTRAINT = re.compile(r"^(-c|--constraint)(\s+|=)(\S+)")
_EDITABLE = re.compile(r"^(-e|--editable)(\s+|=)(\S+)")
_INDEX = re.compile(r"^(-i|--index-url|--extra-index-url)(\s+|=)(\S+)")
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_COMMENT = re.compile(r"(^|\s)#.*$")
_MAX_INCLUDE_DEPTH = 8


class RequirementsParser:
    ecosystem = Ecosystem.PYPI

    def matches(self, path: str) -> bool:
        return bool(_REQ_FILE.search(path))

    def parse(self, text: str, path: str, read: ReadSibling) -> Parsed:
        return self._parse(text, path, read, seen={path}, depth=0)

    def parse_fragment(self, lines: Iterable[str], path: str) -> Parsed:
        return self._parse("\n".join(lines), path, None, seen={path}, depth=0)

    def _parse(self, text: str, path: str, read: ReadSibling | None, seen: set[str], depth: int) -> Parsed:
        declared: list[Declared] = []
        problems: list[str] = []
        notes: list[str] = []
        private_index = ""
        for number, line in _logical_lines(text):
            if m := _INCLUDE.match(line):
                target = posixpath.normpath(posixpath.join(posixpath.dirname(path), m.group(3)))
                if read is None or target in seen or depth >= _MAX_INCLUDE_DEPTH:
                    continue
                seen.add(target)
                included = read(target)
                if included is None:
                    notes.append(f"{path}:{number}: included file {target} not found")
                    continue
                sub = self._parse(included, target, read, seen, depth + 1)
                private_index = private_index or sub.private_index
                declared.extend(sub.declared)
                problems.extend(sub.problems)
                notes.extend(sub.notes)
            elif m := _INDEX.match(line):
                private_index = private_index or m.group(3)
            elif _CONSTRAINT.match(line) or line.startswith("-"):
                continue  # constraints and pip options (--hash, ...) declare no package
            elif m := _EDITABLE.match(line):
                egg = _EGG.search(m.group(3))
                if egg:
                    declared.append(self._non_registry(egg.group(1), path, "editable/VCS requirement"))
                notes.append(f"{path}:{number}: editable requirement not looked up")
            elif "://" in line.split("@", 1)[0] or line.startswith((".", "/")):
                egg = _EGG.search(line)
                if egg:
                    declared.append(self._non_registry(egg.group(1), path, "URL/VCS requirement"))
                notes.append(f"{path}:{number}: URL, VCS or path requirement not looked up")
            else:
                try:
                    req = Requirement(line)
                except InvalidRequirement as exc:
                    problems.append(f"{path}:{number}: {exc}")
                    continue
                if req.url:
                    declared.append(self._non_registry(req.name, path, "URL requirement"))
                    notes.append(f"{path}:{number}: '{req.name}' comes from a URL, not looked up")
                else:
                    declared.append(Declared(req.name, self.ecosystem, path, "requirements"))
        return Parsed(tuple(declared), tuple(problems), tuple(notes), private_index)

    def _non_registry(self, name: str, path: str, note: str) -> Declared:
        return Declared(name, self.ecosystem, path, "requirements", from_registry=False, note=note)


def _logical_lines(text: str) -> Iterable[tuple[int, str]]:
    """(first line number, line) with comments stripped and backslash continuations joined."""
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _COMMENT.sub("", raw).strip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = (pending + line).strip()
        pending = ""
        if line:
            yield start, line
    if pending.strip():
        yield start, pending.strip()


# --- pyproject.toml -----------------------------------------------------------------------------


class PyprojectParser:
    ecosystem = Ecosystem.PYPI

    def matches(self, path: str) -> bool:
        return posixpath.basename(path) == "pyproject.toml"

    def parse(self, text: str, path: str, read: ReadSibling) -> Parsed:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ManifestError(str(exc)) from None
        declared: list[Declared] = []
        problems: list[str] = []
        project = _table(data.get("project"))
        groups: list[tuple[str, Any]] = [("dependencies", project.get("dependencies"))]
        for extra, reqs in _table(project.get("optional-dependencies")).items():
            groups.append((f"optional-dependencies.{extra}", reqs))
        for group, reqs in _table(data.get("dependency-groups")).items():
            groups.append((f"dependency-groups.{group}", reqs))
        groups.append(("build-system.requires", _table(data.get("build-system")).get("requires")))
        for kind, reqs in groups:
            for item in reqs if isinstance(reqs, list) else ():
                if not isinstance(item, str):
                    continue  # {include-group = "..."} of PEP 735 names no package
                try:
                    req = Requirement(item)
                except InvalidRequirement as exc:
                    problems.append(f"{path}: {kind}: {exc}")
                    continue
                declared.append(Declared(req.name, self.ecosystem, path, kind, from_registry=req.url is None))
        poetry = _table(_table(data.get("tool")).get("poetry"))
        poetry_tables = [
            ("tool.poetry.dependencies", poetry.get("dependencies")),
            ("tool.poetry.dev-dependencies", poetry.get("dev-dependencies")),
        ]
        for group, table in _table(poetry.get("group")).items():
            poetry_tables.append(
                (f"tool.poetry.group.{group}.dependencies", _table(table).get("dependencies"))
            )
        for kind, table in poetry_tables:
            for name, spec in _table(table).items():
                if name.lower() == "python":
                    continue
                local = isinstance(spec, Mapping) and any(k in spec for k in ("path", "git", "url"))
                declared.append(Declared(name, self.ecosystem, path, kind, from_registry=not local))
        return Parsed(tuple(declared), tuple(problems), private_index=_private_sources(data))

    def parse_fragment(self, lines: Iterable[str], path: str) -> Parsed:
        """Quoted PEP 508 strings in arrays, and `name = "..."` under a Poetry dependency table."""
        declared: list[Declared] = []
        table = ""
        for raw in lines:
            line = raw.strip()
            if header := re.match(r"^\[+([^\]]+)\]+", line):
                table = header.group(1).strip()
                continue
            poetry = re.match(r'^([A-Za-z0-9][A-Za-z0-9._-]*)\s*=\s*["{]', line)
            if (
                poetry
                and "poetry" in table
                and "dependencies" in table
                and poetry.group(1).lower() != "python"
            ):
                declared.append(Declared(poetry.group(1), self.ecosystem, path, table))
                continue
            for quoted in re.findall(r'"([^"]+)"', line if re.match(r'^("|\w[\w-]*\s*=\s*\[)', line) else ""):
                if not re.search(r"[<>=~!\[;]", quoted) and "dependencies" not in table + line:
                    continue  # a bare word outside a dependency list is likely not a package
                try:
                    req = Requirement(quoted)
                except InvalidRequirement:
                    continue
                declared.append(
                    Declared(
                        req.name, self.ecosystem, path, table or "dependencies", from_registry=req.url is None
                    )
                )
        return Parsed(tuple(declared), notes=(f"{path}: read from the diff lines only",))


def _private_sources(data: Mapping[str, Any]) -> str:
    """The first package index other than PyPI that Poetry or uv is told to use."""
    tool = _table(data.get("tool"))
    poetry = _table(tool.get("poetry")).get("source") or []
    sources = [*poetry, *(_table(tool.get("uv")).get("index") or [])]
    for source in sources:
        url = source.get("url") if isinstance(source, dict) else None
        if isinstance(url, str) and "pypi.org" not in url:
            return url
    return ""


def _table(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# --- package.json -------------------------------------------------------------------------------

NPM_KINDS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
_NON_REGISTRY_SPEC = re.compile(
    r"^(file:|link:|portal:|workspace:|git\+|git:|github:|gitlab:|bitbucket:|https?:|"
    r"[\w.-]+/[\w.-]+(#.*)?$)"
)


# Top-level package.json fields whose value can look like a version range.
_TOP_LEVEL_KEYS = frozenset(
    {
        "name",
        "version",
        "main",
        "module",
        "types",
        "typings",
        "license",
        "type",
        "private",
        "description",
        "homepage",
        "packageManager",
        "node",
        "npm",
        "yarn",
        "pnpm",
    }
)


class PackageJsonParser:
    ecosystem = Ecosystem.NPM

    def matches(self, path: str) -> bool:
        return posixpath.basename(path) == "package.json"

    def parse(self, text: str, path: str, read: ReadSibling) -> Parsed:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ManifestError(str(exc)) from None
        if not isinstance(data, dict):
            raise ManifestError("the top level is not an object")
        declared: list[Declared] = []
        for kind in NPM_KINDS:
            for name, spec in _table(data.get(kind)).items():
                declared.append(self._declared(name, spec, path, kind))
        return Parsed(tuple(declared))

    def _declared(self, name: str, spec: object, path: str, kind: str) -> Declared:
        spec = spec if isinstance(spec, str) else ""
        if spec.startswith("npm:"):
            # An alias: "lodash-es-alias": "npm:lodash-es@^4" installs the real package after "npm:".
            target = spec[4:]
            at = target.rfind("@")
            real = target[:at] if at > 0 else target
            return Declared(real, self.ecosystem, path, kind, note=f"alias '{name}'")
        if _NON_REGISTRY_SPEC.match(spec):
            return Declared(
                name, self.ecosystem, path, kind, from_registry=False, note=f"'{spec}' not looked up"
            )
        return Declared(name, self.ecosystem, path, kind, from_registry=plausible_npm_name(name))

    def parse_fragment(self, lines: Iterable[str], path: str) -> Parsed:
        """`"name": "spec"` lines inside a dependency object, as far as the diff lines show which."""
        declared: list[Declared] = []
        section: str | None = None
        for raw in lines:
            if opened := re.match(r'^\s*"(\w+)"\s*:\s*\{', raw):
                section = opened.group(1)
                continue
            if re.match(r"^\s*\}", raw):
                section = None
                continue
            entry = re.match(r'^\s*"([^"]+)"\s*:\s*"([^"]*)"', raw)
            if not entry:
                continue
            name, spec = entry.groups()
            if section is None and name in _TOP_LEVEL_KEYS:
                continue
            if section in NPM_KINDS or (
                section is None and re.match(r"^(\^|~|>=?|<|=|\d|\*|latest|npm:)", spec)
            ):
                declared.append(self._declared(name, spec, path, section or "dependencies"))
        return Parsed(tuple(declared), notes=(f"{path}: read from the diff lines only",))


PARSERS: tuple[ManifestParser, ...] = (
    RequirementsParser(),
    PyprojectParser(),
    PackageJsonParser(),
    GoModParser(),
    CargoParser(),
)


def parser_for(path: str) -> ManifestParser | None:
    for parser in PARSERS:
        if parser.matches(path):
            return parser
    return None
