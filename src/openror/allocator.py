"""The C allocator of a long-running server process: fewer malloc arenas, freed pages given
back to the system.

Why: under the mixed load (bench/load_mixed.py) the workers' resident memory kept growing
while Python's own objects did not (tracemalloc: under 10 MB traced, flat). glibc gives the
threads that allocate at once their own arenas (up to 8 per core) and keeps what is freed in
each for later; the request threads (Starlette's pool, the database drivers) touched ever
more pages of ever more arenas. Two arenas and a periodic ``malloc_trim`` turned the growth
into a plateau (docs/benchmarks.md, mixed load). Both are no-ops where the C library is not
glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os

#: mallopt's parameter for the largest number of arenas (glibc's malloc.h)
_M_ARENA_MAX = -8
#: the operator's own setting, read by glibc at the process's start: it wins
ARENA_ENV = "MALLOC_ARENA_MAX"


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    if not (hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim")):
        return None  # musl, macOS: their allocators work otherwise
    return libc


def limit_arenas(count: int) -> bool:
    """Let at most ``count`` malloc arenas exist from now on (arenas already made stay):
    call it before the threads start. ``count`` 0, an operator's ``MALLOC_ARENA_MAX`` or
    another C library: nothing is changed. True if the limit was set."""
    libc = _glibc()
    if count <= 0 or libc is None or os.environ.get(ARENA_ENV):
        return False
    return bool(libc.mallopt(_M_ARENA_MAX, count))


def trim() -> bool:
    """Give the free pages of every arena back to the system. It runs in C without the
    GIL; it takes milliseconds, about 0.1 s when hundreds of MB were freed. True if memory
    was released."""
    libc = _glibc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
