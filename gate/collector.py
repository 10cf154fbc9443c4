"""How the gate runs Python's cyclic garbage collector.

Reference counting frees almost everything a run makes; the cyclic collector only finds cycles, and
each of its collections walks the objects of the generations it collects. A run keeps large live
structures (a change, litellm's few hundred thousand module objects) that it would otherwise walk again
and again, and at exit once more before the interpreter tears them down.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def fewer_full_collections() -> Iterator[None]:
    """Run with a less eager cyclic garbage collector, then restore its settings.

    A run allocates millions of short-lived objects (syntax trees, diff lines) while a large change stays
    alive; with the default thresholds the collector rescans that live heap again and again, which cost
    as much as the analysis itself on a 100k-line change. Reference counting frees the trees; young
    cycles are still collected, only less often.
    """
    before = gc.get_threshold()
    gc.set_threshold(10_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No automatic collection in the block (a first threshold of 0), then the thresholds as they were.

    The whole process pauses, not only the caller's thread: the other threads' cycles wait for the next
    collection, while reference counting frees the rest as always. Thresholds that someone else set in
    the meantime stay as they set them."""
    before = gc.get_threshold()
    gc.set_threshold(0, *before[1:])
    try:
        yield
    finally:
        if gc.get_threshold()[0] == 0:
            gc.set_threshold(*before)


def freeze_at_exit() -> None:
    """At exit, freeze every object before the interpreter's last collections (`gc.freeze`).

    Python's shutdown runs a full collection, clears every module, and collects again, walking and
    freeing each object left in a cycle: about a second of CPU once litellm is loaded. Frozen objects are
    left to the system, which takes the process's memory back whole. Python never promises to finalize
    objects in cycles at exit anyway; the gate closes its files and processes itself. Registered once
    however often it is called."""
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
