"""Where the repository's Python modules are, by the names Python imports them by: under the root's
source folders, under a sub-project's folder, and namespace packages (folders without `__init__.py`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Set
from dataclasses import dataclass

from gate.analyzers.dependencies.local import PY_PROJECT_FILES

# Directories that commonly hold the importable packages of a repository.
SOURCE_ROOTS = ("", "src", "lib", "python")
# The files that may name the distributions a repository installs, and how many of them are read.
MANIFEST_NAMES = frozenset({"pyproject.toml", "setup.py", "setup.cfg", "Pipfile", "environment.yml"})
MAX_MANIFESTS = 50


def module_names(
    paths: Iterable[str], roots: Iterable[str] = SOURCE_ROOTS, packages: Set[str] | None = None
) -> dict[str, str]:
    """Dotted module name -> path, for every .py file at head, under each of `roots`. With `packages`
    (the repository's `__init__.py` files), each folder above a file under a root that is not a package
    is a namespace package: its name maps to the folder's path and a slash (`app/`)."""
    out: dict[str, str] = {}
    roots = tuple(roots)
    for path in paths:
        if not path.endswith(".py"):
            continue
        for root in roots:
            prefix = root + "/" if root else ""
            if not path.startswith(prefix):
                continue
            parts = path[len(prefix) : -3].split("/")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if not parts or not all(map(str.isidentifier, parts)):
                continue
            out.setdefault(".".join(parts), path)
            if packages is None:
                continue
            for cut in range(len(parts) - 1, 0, -1):
                folder = prefix + "/".join(parts[:cut])
                if f"{folder}/__init__.py" not in packages:
                    out.setdefault(".".join(parts[:cut]), folder + "/")
    return out


def project_roots(paths: Iterable[str]) -> tuple[str, ...]:
    """The folders below the repository's root with a pyproject.toml, setup.py or setup.cfg of their own:
    sub-projects, whose code imports its packages from that folder or from its `src/`."""
    return tuple(
        sorted(
            {
                folder
                for folder, _, name in (path.rpartition("/") for path in paths)
                if folder and name in PY_PROJECT_FILES
            }
        )
    )


def opaque_modules(paths: Iterable[str], roots: Iterable[str] = SOURCE_ROOTS) -> frozenset[str]:
    """Dotted names Python may import from a file this index cannot read as source: an extension
    module (`fast.cpython-312-x86_64-linux-gnu.so`, `fast.pyd`), or a path with no suffix, which git
    lists for a symbolic link to a package's folder (`app/compat -> ../shared/compat`)."""
    out: set[str] = set()
    roots = tuple(roots)
    for path in paths:
        folder, _, name = path.rpartition("/")
        stem, dot, suffix = name.partition(".")
        if dot and not suffix.endswith((".so", ".pyd")) and suffix not in ("so", "pyd"):
            continue
        for module in module_names([f"{folder}/{stem}.py" if folder else f"{stem}.py"], roots):
            out.add(module)
    return frozenset(out)


class Overlay(Mapping[str, str]):
    """The names of a sub-project's files over the repository's: `own` first, then `shared` less the
    names `hidden` (a name both answer to with different files)."""

    def __init__(self, own: dict[str, str], shared: Mapping[str, str], hidden: frozenset[str]) -> None:
        self._own, self._shared, self._hidden = own, shared, hidden

    def __getitem__(self, dotted: str) -> str:
        path = self._own.get(dotted)
        if path is not None:
            return path
        if dotted in self._hidden:
            raise KeyError(dotted)
        return self._shared[dotted]

    def __contains__(self, dotted: object) -> bool:
        return dotted in self._own or (dotted in self._shared and dotted not in self._hidden)

    def __iter__(self) -> Iterator[str]:
        yield from self._own
        yield from (d for d in self._shared if d not in self._own and d not in self._hidden)

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass(frozen=True)
class View:
    """What a file under one root imports by which name: dotted -> path, and the opaque names."""

    paths: Mapping[str, str]
    opaque: frozenset[str]


def both_folders(one: str, other: str) -> bool:
    return one.endswith("/") and other.endswith("/")


def is_manifest(name: str) -> bool:
    return name in MANIFEST_NAMES or (name.startswith("requirements") and name.endswith((".txt", ".in")))
