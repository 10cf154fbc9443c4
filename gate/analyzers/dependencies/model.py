"""The facts the dependency analyzer works with: ecosystems, declared and imported package names."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

# Reads another file at the same revision (for `-r other.txt`); None when it does not exist.
ReadSibling = Callable[[str], str | None]


class Status(enum.Enum):
    """What a registry said of a package name."""

    EXISTS = "exists"
    ABSENT = "absent"
    UNREACHABLE = "unreachable"


class Ecosystem(enum.Enum):
    """A package registry family; the value is the key of `dependencies.registries` in the config."""

    PYPI = "pypi"
    NPM = "npm"
    GO = "go"
    CRATES = "crates"

    @property
    def label(self) -> str:
        labels = {
            Ecosystem.PYPI: "PyPI",
            Ecosystem.NPM: "npm",
            Ecosystem.GO: "the Go module proxy",
            Ecosystem.CRATES: "crates.io",
        }
        return labels[self]

    def normalize(self, name: str) -> str:
        if self is Ecosystem.PYPI:
            # `packaging` loads with the first name: phantom-symbols reads the ecosystems without one
            from packaging.utils import canonicalize_name

            return str(canonicalize_name(name))
        if self is Ecosystem.CRATES:
            return name.strip().lower()  # crates.io names are unique without case
        # npm names are case-sensitive (legacy packages have capitals); so are Go module paths.
        return name.strip()


@dataclass(frozen=True)
class Lookup:
    """One registry lookup: the name as written, whether it exists, and since when."""

    name: str
    ecosystem: Ecosystem
    status: Status
    first_release: datetime | None = None
    error: str = ""
    # What the answer showed beyond its status: why a name with a page counts as absent ("every
    # version was unpublished"), or what its date stands for when it is no first release.
    detail: str = ""


_NPM_NAME = re.compile(r"^(@[a-z0-9][\w.~-]*/)?[a-z0-9][\w.~-]*$", re.IGNORECASE)


def plausible_npm_name(name: str) -> bool:
    return len(name) <= 214 and bool(_NPM_NAME.match(name))


@dataclass(frozen=True)
class Declared:
    """One dependency a manifest declares."""

    name: str
    ecosystem: Ecosystem
    path: str  # the manifest
    kind: str  # "dependencies", "devDependencies", "optional-dependencies.test", "requirements", ...
    # False for URLs, VCS, local paths and workspaces: nothing to look up in a registry.
    from_registry: bool = True
    note: str = ""
    line: int | None = None  # where the manifest names it, when the parser knows
    # A package index other than the default that the manifest installs this package from, if any: a
    # name absent from the public registry may be a private package there.
    index: str = ""

    @property
    def key(self) -> str:
        return self.ecosystem.normalize(self.name)


@dataclass(frozen=True)
class Parsed:
    """What a manifest declares, and the parts it could not read (each a `could-not-analyse` finding)."""

    declared: tuple[Declared, ...]
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    # Every package index the manifest names (an index already in use at base may be private).
    indexes: tuple[str, ...] = ()
    # Other files the manifest reads (`-r`/`-c` of a requirements file), by their repository path.
    includes: tuple[str, ...] = ()


# The public Python package index and its mirrors: naming one of these is no private index.
PUBLIC_PYPI_HOSTS = frozenset(
    {"pypi.org", "www.pypi.org", "pypi.python.org", "files.pythonhosted.org", "test.pypi.org"}
)


def first_private(indexes: Iterable[str]) -> str:
    """The first index that is not the public PyPI ("" when none): where a package absent from PyPI
    may be a private one."""
    return next((url for url in indexes if urlsplit(url).netloc.lower() not in PUBLIC_PYPI_HOSTS), "")
