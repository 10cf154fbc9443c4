"""A value built once per process, also when several threads ask for it first at the same time.

`functools.lru_cache` does not hold a lock while it computes: two threads that miss at once both
build, and each keeps its own. That costs twice for a heavy build (the secret detector's rules, which
the model stages' threads both need for their first prompts) and gives two objects where one is meant
(the process's model loop).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def once(build: Callable[[], T]) -> Callable[[], T]:
    """`build`'s result, built on the first call; a caller that comes while another thread builds it
    waits for that build. After it, a call is a list lookup."""
    lock = threading.Lock()
    built: list[T] = []

    @functools.wraps(build)
    def get() -> T:
        if not built:
            with lock:
                if not built:
                    built.append(build())
        return built[0]

    return get
