"""Keep the process's resident memory near what it uses: on glibc, freed heap memory stays mapped (one
arena per thread that allocated, each keeping its free pages) unless handed back. A run over a large
change frees most of what its deterministic stages built before the model stages start, and the model
stages' threads allocate and free many small answers; without this the report is written on top of
both. Elsewhere (macOS, musl, Windows) these are no-ops."""

from __future__ import annotations

import ctypes
from functools import cache

# mallopt's parameters (glibc's malloc.h).
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
# Two heaps: the stages' threads mostly wait on the network, so more heaps buy no speed, only memory.
ARENAS = 2
# Blocks this large and up get their own mapping, unmapped when freed. glibc otherwise raises this bound
# to the largest block freed so far (up to 32 MiB), after which prompts, answers and file texts of a
# large change land in the heap and stay there, interleaved with live objects, as resident memory.
MMAP_THRESHOLD = 64 * 1024


@cache
def _libc() -> ctypes.CDLL | None:
    try:
        # The process's own symbols: libc is loaded already (no `find_library`, which runs ldconfig).
        libc = ctypes.CDLL(None)
        libc.malloc_trim  # noqa: B018 - glibc only: musl and others have no malloc_trim
        libc.mallopt  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def limit_heaps() -> None:
    """Share at most `ARENAS` malloc heaps between the run's threads, and give large blocks their own
    mappings (glibc). Idempotent; call it early, before the change is read."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(_M_ARENA_MAX, ARENAS)
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def release_freed() -> None:
    """Hand the heap's free pages back to the system (glibc's malloc_trim); a few milliseconds."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
