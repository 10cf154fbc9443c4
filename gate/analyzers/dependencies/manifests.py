"""Manifest parsers, one per file kind, behind one small interface, and the npm `package.json` parser.

Adding go.mod or Cargo.toml means one more class with `matches`, `parse` and `parse_fragment`, plus an
Ecosystem member and a registry client; nothing else changes. `parse` raises `Unreadable` (from
gate.analyzers.limits) when the file cannot be read within the parsers' bounds.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from typing import Protocol

from gate.analyzers.dependencies.cargo import CargoParser
from gate.analyzers.dependencies.gomod import GoModParser
from gate.analyzers.dependencies.model import Declared, Ecosystem, Parsed, ReadSibling, plausible_npm_name
from gate.analyzers.dependencies.pyproject import PipfileParser, PyprojectParser, table
from gate.analyzers.dependencies.requirements import RequirementsParser
from gate.analyzers.dependencies.setup_files import SetupCfgParser, SetupPyParser
from gate.analyzers.limits import Unreadable, load_json


class ManifestParser(Protocol):
    ecosystem: Ecosystem

    def matches(self, path: str) -> bool: ...

    def parse(self, text: str, path: str, read: ReadSibling) -> Parsed:
        """The whole file. Raises Unreadable when it does not parse at all."""
        ...

    def parse_fragment(self, lines: Iterable[str], path: str) -> Parsed:
        """Some lines of the file (patch input, no revisions): a tolerant best effort."""
        ...


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
        data = load_json(text)
        if not isinstance(data, dict):
            raise Unreadable("the top level of package.json is not an object")
        declared: list[Declared] = []
        for kind in NPM_KINDS:
            for name, spec in table(data.get(kind)).items():
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
    PipfileParser(),
    SetupCfgParser(),
    SetupPyParser(),
    PackageJsonParser(),
    GoModParser(),
    CargoParser(),
)


def parser_for(path: str) -> ManifestParser | None:
    for parser in PARSERS:
        if parser.matches(path):
            return parser
    return None
