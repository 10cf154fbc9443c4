"""Whether a test file the change deletes went with the code it tested: `tests/test_calc.py` deleted
with `src/calc.py` is a removal, not a cheat.

Only a deleted code file of the test's language, not itself a test, with the test's subject name
(`test_calc.py`, `calc.test.ts`, `CalcTest.java` -> `calc`) can be that code. When the test imports a
module of that name (`from src.calc import add`, `require('../lib/calc')`), it must be that module:
deleting `other/calc.py`, or `docs/calc.md`, leaves `src/calc.py` and the test's reason to exist.
"""

from __future__ import annotations

import posixpath
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator

from gate.analyzers.weakened_tests.paths import is_code, is_python, is_test_file, language
from gate.context.ignore import js_relative_target, python_imports

_TEST_AFFIX = re.compile(r"^test_|_test$|[._](?:test|spec)$|Tests?$|_spec$")
# Any module specifier, relative or not (a pattern with no nested repetition: linear in the line).
_JS_SPECIFIER = re.compile(r"""(?:\bfrom|\bimport|\brequire)\s*\(?\s*(["'])([^"'\n]+)\1""")
# What a module specifier may start with that names no folder: the `@/` and `~/` aliases (and any `./`
# or `../` after them).
_JS_LEAD = re.compile(r"^(?:\.\.?/|[@~]/)+")


class DeletedCode:
    """The code files a change deletes, each kept as its place without the suffix, spelled backwards
    (`src/app/calc.py` -> `clac/ppa/crs`) and sorted per language: the places that are module `app/calc`
    (`app/calc`, `*/app/calc`) then sit together, and a test's subject is found by binary search, however
    many files the change deletes."""

    def __init__(self, deleted: Iterable[str]) -> None:
        self._paths = {path for path in deleted if is_code(path) and not is_test_file(path)}
        self._places: dict[str, list[str]] = {}
        for path in self._paths:
            self._places.setdefault(language(path), []).append(posixpath.splitext(path)[0][::-1])
        for places in self._places.values():
            places.sort()

    def has_subject(self, test_path: str, read_test: Callable[[], str | None]) -> bool:
        """True when this code holds what the test at `test_path` tested. `read_test` gives the test's
        text at base (None when unknown); it is read only when a deleted file has the subject's name."""
        subject = _stem(test_path)
        if not self._has(subject, test_path):
            return False
        named = [m for m in _imported_modules(test_path, read_test()) if m.rsplit("/", 1)[-1] == subject]
        if not named:
            # The test does not say which module of that name it tests: one of them going is taken as its.
            return True
        return any(self._has(module, test_path) for module in named)

    def _has(self, module: str, test_path: str) -> bool:
        """Whether a deleted code file of the test's language is `module` (the test itself is no code
        file here: `_paths` holds no test)."""
        places = self._places.get(language(test_path), [])
        backwards = module[::-1]
        exact = bisect_right(places, backwards) - bisect_left(places, backwards)
        # Backwards, `*/app/calc` starts with `clac/ppa/`: the range up to "0", the character after "/".
        nested = bisect_left(places, backwards + "0") - bisect_left(places, backwards + "/")
        return exact + nested > 0


def _stem(test_path: str) -> str:
    return _TEST_AFFIX.sub("", posixpath.splitext(posixpath.basename(test_path))[0])


def _imported_modules(test_path: str, text: str | None) -> Iterator[str]:
    """The modules the test imports, as slash-separated paths: relative imports placed from the test's
    folder, as the import reader of `paths.ignore` places them, and only their trailing folders and name
    compared with a deleted file's path, since a source root (`src/`) may stand in front."""
    if text is None:
        return
    if is_python(test_path):
        for line in text.splitlines():
            # `from app import (` may import any module of `app`: `app` itself is read already.
            yield from (i.module for i in python_imports(test_path, line) if not i.whole_package)
    elif language(test_path) == "js":
        for line in text.splitlines():
            for m in _JS_SPECIFIER.finditer(line):
                module = _js_module(test_path, m.group(2))
                yield posixpath.splitext(module)[0] if is_code(module) else module


def _js_module(test_path: str, specifier: str) -> str:
    """`../lib/calc` from `src/calc.test.ts` is `lib/calc` (or `../lib/calc`, outside the repository,
    which no deleted file is); an alias (`@/lib/calc`) or a bare specifier (`lib/calc`) is only its
    folders and name."""
    if specifier.startswith(("./", "../")):
        return js_relative_target(test_path, specifier)
    return _JS_LEAD.sub("", specifier)
