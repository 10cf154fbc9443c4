"""Whether a test file the change deletes went with the code it tested: `tests/test_calc.py` deleted
with `src/calc.py` is a removal, not a cheat.

Only a deleted code file of the test's language, not itself a test, with the test's subject name
(`test_calc.py`, `calc.test.ts`, `CalcTest.java` -> `calc`) can be that code. When the test imports a
module of that name (`from src.calc import add`, `require('../lib/calc')`), it must be that module:
deleting `other/calc.py`, or `docs/calc.md`, leaves `src/calc.py` and the test's reason to exist. And
the module must be gone at head in every form it could be imported from: `src/calc.py` replaced by a
package `src/calc/__init__.py` (or a folder of code, or an index file) still answers the test's import.
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


class _Places:
    """Places of code (paths without the suffix), each spelled backwards (`src/app/calc` ->
    `clac/ppa/crs`) and sorted: the places that are module `app/calc` (`app/calc`, `*/app/calc`) then sit
    together, and are found by binary search, however many there are."""

    def __init__(self, places: Iterable[str]) -> None:
        self._places = set(places)
        self._backwards = sorted(place[::-1] for place in self._places)

    def __contains__(self, place: str) -> bool:
        return place in self._places

    def named(self, module: str) -> list[str]:
        """The places that are `module`, at the root or under any folders (a source root such as `src/`
        may stand in front)."""
        places, backwards = self._backwards, module[::-1]
        exact = places[bisect_left(places, backwards) : bisect_right(places, backwards)]
        # Backwards, `*/app/calc` starts with `clac/ppa/`: the range up to "0", the character after "/".
        nested = places[bisect_left(places, backwards + "/") : bisect_left(places, backwards + "0")]
        return [place[::-1] for place in (*exact, *nested)]


class DeletedCode:
    """The code files a change deletes, per language, and whether what a deleted test tested went with
    them: a module deleted in one form but still there in another (`app/calc.py` replaced by the package
    `app/calc/__init__.py`, or moved under `src/`) is still the test's subject."""

    def __init__(self, deleted: Iterable[str], head_paths: Callable[[], Iterable[str]]) -> None:
        """`head_paths` lists every file at head (or, for a patch, the files it leaves or adds); it is
        read only when a deleted file has a deleted test's subject name."""
        by_language: dict[str, list[str]] = {}
        for path in deleted:
            if is_code(path) and not is_test_file(path):
                by_language.setdefault(language(path), []).append(posixpath.splitext(path)[0])
        self._deleted = {lang: _Places(places) for lang, places in by_language.items()}
        self._head_paths = head_paths
        self._kept: dict[str, _Places] | None = None

    def has_subject(self, test_path: str, read_test: Callable[[], str | None]) -> bool:
        """True when this code held what the test at `test_path` tested and it is gone at head. `read_test`
        gives the test's text at base (None when unknown); it is read only when a deleted file has the
        subject's name."""
        lang = language(test_path)
        deleted = self._deleted.get(lang)
        subject = _stem(test_path)
        if deleted is None or not deleted.named(subject):
            return False
        kept = self._kept_places(lang)
        named = [m for m in _imported_modules(test_path, read_test()) if m.rsplit("/", 1)[-1] == subject]
        if not named:
            # The test does not say which module of that name it tests: one of them gone for good is taken
            # as its. Still there when a place at head ends with the deleted one (moved under a source
            # root), or the deleted one ends with a place at head (moved out of one).
            return any(
                not kept.named(place) and not any(tail in kept for tail in _tails(place))
                for place in deleted.named(subject)
            )
        return any(deleted.named(module) and not kept.named(module) for module in named)

    def _kept_places(self, lang: str) -> _Places:
        """The places at head that a module of the language can be imported from: each code file that
        is not a test, and each folder above one (a package, or a namespace package that holds code)."""
        if self._kept is None:
            by_language: dict[str, set[str]] = {}
            for path in self._head_paths():
                if is_code(path) and not is_test_file(path):
                    places = by_language.setdefault(language(path), set())
                    place = posixpath.splitext(path)[0]
                    while place and place not in places:
                        places.add(place)
                        place = posixpath.dirname(place)
            self._kept = {language_: _Places(places) for language_, places in by_language.items()}
        return self._kept.get(lang) or _Places(())


def _tails(place: str) -> Iterator[str]:
    """`src/app/calc` -> `app/calc`, `calc`."""
    parts = place.split("/")
    for i in range(1, len(parts)):
        yield "/".join(parts[i:])


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
