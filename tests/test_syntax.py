"""Parsing on several threads at once: the gate's stages parse Python side by side."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap

import pytest

from gate import syntax

# Two threads parse a module over and over while garbage with a finalizer is collected in the middle of
# a tree (the finalizer gives the other thread its turn). On CPython 3.11 this breaks a plain
# `ast.parse` within a few iterations (`SystemError: AST constructor recursion depth mismatch`).
_RACE = textwrap.dedent(
    """
    import ast, gc, sys, threading, time
    from gate import syntax
    if sys.argv[1] == "guarded":  # a library's own `ast.parse`, after the gate guarded it
        syntax.guard_stdlib_parser()
    parse = syntax.parse_module if sys.argv[1] == "gate" else ast.parse
    gc.set_threshold(5000, 10, 10)
    source = "\\n".join(
        f"def f{i}(a, b):\\n    return [x for x in ((a + b) * {i} for _ in range(3)) if x]"
        for i in range(300)
    )

    class Cycle:
        def __init__(self):
            self.me = self

        def __del__(self):
            time.sleep(0)

    errors = []

    def work():
        for _ in range(150):
            for _ in range(50):
                Cycle()
            try:
                parse(source)
            except SystemError as exc:
                errors.append(str(exc))
                return

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(len(errors), errors[:1])
    """
)


def _race(parser: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _RACE, parser], capture_output=True, text=True, timeout=600, check=True
    )
    return done.stdout.strip()


def test_two_threads_parsing_at_once_both_get_their_trees() -> None:
    assert _race("gate") == "0 []"


def test_a_librarys_own_parse_is_held_to_the_same_lock_once_guarded() -> None:
    # pydantic reads signatures through `inspect`, which calls `ast.parse` while litellm's import runs
    # on a thread of its own
    assert _race("guarded") == "0 []"


@pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="3.12 does not share the constructor's depth count between threads"
)
def test_the_race_the_lock_prevents_is_real_on_this_interpreter() -> None:
    assert _race("plain").startswith("1 ['AST constructor recursion depth mismatch")


def test_expressions_and_literals_parse_as_the_standard_library_does() -> None:
    assert isinstance(syntax.parse_expression("a + 1").body, ast.BinOp)
    assert syntax.literal("  {'a': (1, 2.5, b'x')}") == {"a": (1, 2.5, b"x")}
    with pytest.raises(ValueError):
        syntax.literal("f(1)")
