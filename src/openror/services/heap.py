"""The garbage collector in long-lived processes: a server's worker, long runs of bulk writes
(imports, federation catch-up).

A worker holds some 220,000 long-lived objects once its app is built (modules, terminology,
gazetteer, compiled search paths), and each full collection traverses them all again: on
the national dataset, 80 orientations in a row ran 12 full collections of about 0.17 s each
(2.0 s of 18), each one landing on one request. Frozen (``settle``) at the start of the
worker, full collections came more often (19) but took 0.1 s in all, 18 ms at most
(``bench/gc_pauses.py``).

A bulk run holds the same long-lived objects and makes millions of short-lived ones
(decoded resources, index rows). As a
batch's objects outlive the young generations, CPython runs full collections, and each one
traverses the long-lived objects again for nothing: about 0.1 s each, some 2 s of CPU of an
import of 17,000 resources (``bench/bulk_profile.py``). Frozen once loaded (``gc.freeze``),
they are left out of later collections; reference counting still frees them, and every object
made afterwards is collected as before.

Once per process: a follower that catches up every few seconds would otherwise freeze each
run's survivors in turn, and frozen objects that later become garbage in a cycle are never
collected.

Frozen or not, a batch itself is large: a federation page decodes to about a million objects,
alive until the page is written. With the default thresholds (a young collection every 700
allocations) they pass from generation to generation and each full collection traverses the
pages in hand again: 130 full collections, 9 s of a 70 s catch-up of 94 pages. During a bulk
run (``bulk_run``) the young collections come every 100,000 allocations instead: five full
collections, 3 s in all, for about 50 MB more at the peak. Objects are collected as before,
only in fewer, larger rounds.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

#: allocations between two young collections during a bulk run (CPython's default: 700)
BULK_YOUNG_THRESHOLD = 100_000


@cache  # once per process
def settle() -> None:
    """The first time: collect the garbage there is, then keep what survives out of later
    collections. Later calls do nothing."""
    gc.collect()
    gc.freeze()


class _BulkRuns:
    """How many bulk runs are under way in the process (followers of several sources run in
    threads of one process): the first to start raises the threshold, the last to end puts
    back the thresholds found."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.found = gc.get_threshold()

    def enter(self) -> None:
        with self.lock:
            if self.running == 0:
                self.found = gc.get_threshold()
                gc.set_threshold(max(self.found[0], BULK_YOUNG_THRESHOLD), *self.found[1:])
            self.running += 1

    def leave(self) -> None:
        with self.lock:
            self.running -= 1
            if self.running == 0:
                gc.set_threshold(*self.found)


_RUNS = _BulkRuns()


@contextmanager
def bulk_run() -> Iterator[None]:
    """What is loaded settled (``settle``), and young collections rarer until the run ends
    (until the last one ends, when several run at once in threads); the thresholds found are
    put back then."""
    settle()
    _RUNS.enter()
    try:
        yield
    finally:
        _RUNS.leave()
