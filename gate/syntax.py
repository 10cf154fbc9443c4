"""Python's parser, one call at a time.

CPython 3.11 keeps the depth counter of its syntax-tree constructor per interpreter, not per thread
(python/cpython#106905): when two threads parse at once and one is switched out in the middle of a tree
(a garbage collection that runs a finalizer is enough), the other's count comes out wrong and its parse
fails with `SystemError: AST constructor recursion depth mismatch`. The gate parses on more than one
thread (the model stages run side by side, beside the analyzers' trees and the import of litellm), so
every parse of the gate goes through one lock. The interpreter lock serializes parsing anyway, so
holding this one costs nothing. Re-entrant: a finalizer that parses on the same thread must not hang.

Libraries parse too: pydantic reads a signature through `inspect`, which parses it with `ast.parse`,
while litellm's import defines its models on a thread of its own. `guard_stdlib_parser` puts the same
lock around `ast.parse` itself (on the interpreters that share the count), called before the gate
starts a thread.
"""

from __future__ import annotations

import ast
import functools
import sys
import threading
from typing import Any

_lock = threading.RLock()
_SHARED_DEPTH_COUNT = sys.version_info < (3, 12)


def guard_stdlib_parser() -> None:
    """Route every `ast.parse` of the process (`inspect`'s and `ast.literal_eval`'s included) through
    the lock. Idempotent; nothing to do where the interpreter counts depth per thread."""
    if not _SHARED_DEPTH_COUNT or getattr(ast.parse, "_gate_locked", False):
        return
    original = ast.parse

    @functools.wraps(original)
    def parse(*args: Any, **kwargs: Any) -> Any:
        with _lock:
            return original(*args, **kwargs)

    parse._gate_locked = True  # type: ignore[attr-defined]
    ast.parse = parse


def parse_module(source: str) -> ast.Module:
    with _lock:
        return ast.parse(source)


def parse_expression(source: str) -> ast.Expression:
    with _lock:
        return ast.parse(source, mode="eval")


def literal(source: str) -> object:
    """`ast.literal_eval` of a text, parsed under the lock (the text form parses without it)."""
    return ast.literal_eval(parse_expression(source.lstrip(" \t")))
