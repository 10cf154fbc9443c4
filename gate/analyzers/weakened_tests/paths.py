"""Which changed files are test code, and which are code at all."""

from __future__ import annotations

import posixpath
import re
from fnmatch import fnmatchcase

# The same suffixes as the import reader's: what one reads as JS, the other does too.
from gate.context.suffixes import JS_SUFFIXES, PYTHON_SUFFIXES

_TEST_DIRS = frozenset({"test", "tests", "testing", "__tests__", "spec", "specs", "e2e", "cypress"})
# `tests.py` is where Django (and many small projects) keep a module's tests.
_TEST_NAME = re.compile(
    r"^(?:test_.+\.py|.+_tests?\.py|tests\.py|conftest\.py|.+[._](?:test|spec)\.(?:[cm]?[jt]sx?)|.+_test\.go"
    r"|.+Tests?\.java|.+_spec\.rb|.+Tests?\.(?:kt|cs|swift))$"
)
# Test code by name that no runner finds by name: Rust's `tests.rs` or `parser_tests.rs` beside the code
# (a `#[cfg(test)] mod tests;` includes it), minitest's `calc_test.rb` and `test_calc.rb`.
_TEST_CODE_NAME = re.compile(r"^(?:tests\.rs|.+_tests?\.rs|.+_test\.rb|test_.+\.rb)$")
# Suffixes of one language, or of languages that test each other's code (a Java test of Kotlin code).
_FAMILIES = {
    "python": PYTHON_SUFFIXES,
    "js": JS_SUFFIXES,
    "jvm": (".java", ".kt", ".kts", ".scala"),
    "c": (".c", ".h", ".cc", ".cpp", ".hpp", ".m", ".mm"),
    "elixir": (".ex", ".exs"),
}
_LANGUAGES = {suffix: family for family, suffixes in _FAMILIES.items() for suffix in suffixes}
CODE_SUFFIXES = frozenset(
    {
        *PYTHON_SUFFIXES,
        *JS_SUFFIXES,
        ".go",
        ".rs",
        ".java",
        ".kt",
        ".kts",
        ".scala",
        ".rb",
        ".php",
        ".cs",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".m",
        ".mm",
        ".swift",
        ".dart",
        ".ex",
        ".exs",
        ".erl",
        ".hs",
        ".ml",
        ".clj",
        ".lua",
        ".sh",
        ".sql",
    }
)

# The code whose test runners' assertions and skips the line reader knows (`lines`): the rest of
# CODE_SUFFIXES (Erlang, Haskell, OCaml, Clojure, Lua, shell, SQL) is test code it cannot read.
_ASSERTIONS_KNOWN = frozenset(
    {
        *PYTHON_SUFFIXES,
        *JS_SUFFIXES,
        *(s for family in ("jvm", "c", "elixir") for s in _FAMILIES[family]),
        ".go",
        ".rs",
        ".rb",
        ".php",
        ".cs",
        ".swift",
        ".dart",
    }
)


def assertions_known(path: str) -> bool:
    """Whether the line reader knows the assertions and skips of the file's language."""
    return posixpath.splitext(path)[1].lower() in _ASSERTIONS_KNOWN


def is_test_file(path: str) -> bool:
    parts = path.split("/")
    name = parts[-1]
    return bool(_TEST_NAME.match(name) or _TEST_CODE_NAME.match(name)) or any(
        p in _TEST_DIRS for p in parts[:-1]
    )


def is_collected(path: str) -> bool:
    """Whether test runners find the file by its name (`test_*.py`, `*.test.ts`, `*_test.go`), or by its
    place for the runner that takes every file there (Jest, in `__tests__`). A file under `tests/` with
    another name is a helper to pytest and Jest: its tests never run."""
    *folders, name = path.split("/")
    if name == "conftest.py":
        return False  # fixtures for the tests beside it, not tests
    if name == "__init__.py" and any(p in _TEST_DIRS for p in folders):
        return True  # unittest discovery reads a test package's own module (`tests.py` made `tests/`)
    return bool(_TEST_NAME.match(name)) or ("__tests__" in folders and language(path) == "js")


# The folders pytest does not look into unless its settings say otherwise: its default `norecursedirs`.
# `vendor/` is not one of them.
PYTEST_SKIPPED_FOLDERS = ("*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}")


def is_collected_where_it_lies(path: str) -> bool:
    """Whether the file's runner collects it where it is, with no settings of its own: pytest anywhere
    but its default `norecursedirs`, the JS runners anywhere but `node_modules`. Other languages' runners
    are not claimed to (`go test ./...` skips `vendor/`)."""
    if not is_collected(path):
        return False
    folders = path.split("/")[:-1]
    if is_python(path):
        return not any(fnmatchcase(f, skipped) for f in folders for skipped in PYTEST_SKIPPED_FOLDERS)
    return language(path) == "js" and "node_modules" not in folders


def language(path: str) -> str:
    """The language family of a code file by its suffix: a test and the code it tests share one."""
    suffix = posixpath.splitext(path)[1].lower()
    return _LANGUAGES.get(suffix, suffix)


def is_code(path: str) -> bool:
    return posixpath.splitext(path)[1].lower() in CODE_SUFFIXES


def is_python(path: str) -> bool:
    return posixpath.splitext(path)[1].lower() in PYTHON_SUFFIXES
