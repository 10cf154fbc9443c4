"""Which imports the repository itself provides, judged from where the importing file sits.

A Python import is the repository's own only when Python could find it on its import path from that
file: a module (`x.py`, `x.pyi`, an extension) or a package directory (with `__init__.py`, or a
namespace directory that holds Python files) in the importing file's own directory or one above it, at
the repository root, under `src/`, `lib/` or `python/`, or at the root of a sub-project (a directory with
its own pyproject.toml, setup.py or setup.cfg). A directory that merely shares the name (`docs/x/`)
provides nothing. A JS/TS bare import is the repository's own only under a tsconfig/jsconfig `baseUrl`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable

from gate.context.suffixes import JS_SUFFIXES

_PY_MODULE_SUFFIXES = (".py", ".pyi", ".so", ".pyd")
# The files that make a folder a Python project of its own (phantom-symbols reads its roots the same way).
PY_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
_SOURCE_ROOTS = ("", "src", "lib", "python")
_JS_SUFFIXES = (*JS_SUFFIXES, ".d.ts")  # a package's types alone name a module too
_JS_CONFIG = ("tsconfig.json", "jsconfig.json")
_BASE_URL = re.compile(r'"baseUrl"\s*:\s*"([^"\n]{0,500})"')
MAX_JS_CONFIGS = 50


def _parent(path: str) -> str:
    return posixpath.dirname(path)


def _join(root: str, name: str) -> str:
    return f"{root}/{name}" if root else name


class LocalModules:
    """The repository's files at head, indexed by directory, to answer "is this import the repo's?"."""

    def __init__(self, paths: Iterable[str], read: Callable[[str], str | None]) -> None:
        # directory -> top-level names importable from it (modules, and packages with Python inside)
        self._python: dict[str, set[str]] = {}
        # directory -> file and directory names in it (for JS `baseUrl` resolution)
        self._entries: dict[str, set[str]] = {}
        project_roots: set[str] = set()
        js_configs: list[str] = []
        for path in paths:
            parent, name = posixpath.split(path)
            self._entries.setdefault(parent, set()).add(name)
            if name in PY_PROJECT_FILES:
                project_roots.add(parent)
            if name in _JS_CONFIG and "node_modules/" not in path:
                js_configs.append(path)
            if name.endswith(_PY_MODULE_SUFFIXES):
                self._python.setdefault(parent, set()).add(name.split(".")[0])
                self._mark_packages(parent)
            self._mark_dirs(parent)
        self._roots = frozenset(
            {*_SOURCE_ROOTS, *project_roots, *(_join(r, "src") for r in project_roots if r)}
        )
        self._base_urls = self._js_base_urls(js_configs[:MAX_JS_CONFIGS], read)

    def _mark_packages(self, directory: str) -> None:
        """Every directory above a Python file is importable (a package or a namespace package)."""
        while directory:
            parent, name = posixpath.split(directory)
            names = self._python.setdefault(parent, set())
            if name in names:
                return  # already marked, and so is everything above
            names.add(name)
            directory = parent

    def _mark_dirs(self, directory: str) -> None:
        while directory:
            parent, name = posixpath.split(directory)
            names = self._entries.setdefault(parent, set())
            if name in names:
                return
            names.add(name)
            directory = parent

    def python(self, module: str, importer: str) -> bool:
        """True when `import module` in the file `importer` can load a module of the repository."""
        if any(module in self._python.get(root, ()) for root in self._roots):
            return True
        directory = _parent(importer)
        while True:
            if module in self._python.get(directory, ()):
                return True
            if not directory:
                return False
            directory = _parent(directory)

    def js(self, package: str) -> bool:
        """True when a bare JS/TS specifier names a folder or file under a configured `baseUrl`."""
        first = package.split("/", 1)[0]
        for base in self._base_urls:
            names = self._entries.get(base, ())
            if first in names or any(first + suffix in names for suffix in _JS_SUFFIXES):
                return True
        return False

    @staticmethod
    def _js_base_urls(configs: list[str], read: Callable[[str], str | None]) -> tuple[str, ...]:
        out: list[str] = []
        for config in configs:
            m = _BASE_URL.search(read(config) or "")
            if m:
                base = posixpath.normpath(posixpath.join(_parent(config), m.group(1)))
                out.append("" if base == "." else base)
        return tuple(out)
