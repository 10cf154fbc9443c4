"""Python's parser, one call at a time.

CPython 3.11 keeps the depth counter of its syntax-tree constructor per interpreter, not per thread
(python/cpython#106905): when two threads parse at once and one is switched out in the middle of a tree
(a garbage collection that runs a finalizer is enough), the other's count comes out wrong and its parse
fails with `SystemError: AST constructor recursion depth mismatch`. The gate parses on more than one
thread (the model stages run side by side, beside the analyzers' trees and the import of litellm), so
every parse of the gate goes through one lock. The interpreter lock serializes parsing anyway, so
holding this one costs nothing. Re-entrant: a finalizer that parses on the same thread must not hang.
"""

from __future__ import annotations

import ast
import threading

_lock = threading.RLock()


def parse_module(source: str) -> ast.Module:
    with _lock:
        return ast.parse(source)


def parse_expression(source: str) -> ast.Expression:
    with _lock:
        return ast.parse(source, mode="eval")


def literal(source: str) -> object:
    """`ast.literal_eval` of a text, parsed under the lock (the text form parses without it)."""
    return ast.literal_eval(parse_expression(source.lstrip(" \t")))
