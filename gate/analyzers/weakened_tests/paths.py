"""Which changed files are test code, and which are code at all."""

from __future__ import annotations

import posixpath
import re

_TEST_DIRS = frozenset({"test", "tests", "testing", "__tests__", "spec", "specs", "e2e", "cypress"})
# `tests.py` is where Django (and many small projects) keep a module's tests.
_TEST_NAME = re.compile(
    r"^(?:test_.+\.py|.+_tests?\.py|tests\.py|conftest\.py|.+[._](?:test|spec)\.(?:[cm]?[jt]sx?)|.+_test\.go"
    r"|.+Tests?\.java|.+_spec\.rb|.+Tests?\.(?:kt|cs|swift))$"
)
PYTHON_SUFFIXES = frozenset({".py", ".pyi"})
CODE_SUFFIXES = frozenset(
    {
        ".py",
        ".pyi",
        ".js",
        ".jsx",
        ".mjs",
        ".cjs",
        ".ts",
        ".tsx",
        ".mts",
        ".cts",
        ".vue",
        ".svelte",
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


def is_test_file(path: str) -> bool:
    parts = path.split("/")
    return bool(_TEST_NAME.match(parts[-1])) or any(p in _TEST_DIRS for p in parts[:-1])


def is_code(path: str) -> bool:
    return posixpath.splitext(path)[1].lower() in CODE_SUFFIXES


def is_python(path: str) -> bool:
    return posixpath.splitext(path)[1].lower() in PYTHON_SUFFIXES
