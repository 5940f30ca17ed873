"""Search index rows derived in a helper process during a bulk run.

Deriving a resource's search index rows (``search_rows.index_rows``) is the largest cost a
bulk write pays in the writing process: ~120 µs of CPU per resource, a quarter of a
federation catch-up, in a process the GIL binds to one CPU. During a bulk run (an import's
apply phase, a federation catch-up: ``running``), one helper process derives them from the
stored bodies while the writer prepares and stores the rest of the batch, and sends them
back in the tables' column order, ready to insert (~15 µs per resource to receive).
Outside a bulk run, for small batches, or if the helper died, the writer derives in-line.
"""

from __future__ import annotations

import gc
import multiprocessing
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

import orjson

from openror import orphans
from openror.store import rawsql
from openror.store.search_index import TupleRows, columns
from openror.store.search_rows import index_rows
from openror.store.search_tables import INDEX_TABLES

#: (type, id, stored JSON body) of the resources of a batch
Bodies = list[tuple[str, str, bytes]]

#: below this many resources, sending them costs more than it saves
MIN_BATCH = 50


class _Helper:
    """The helper process, shared by the bulk runs of the process (followers of several
    sources run in threads): started by the first run, stopped when the last one ends."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
        self.pool: ProcessPoolExecutor | None = None

    def enter(self) -> None:
        with self.lock:
            if self.users == 0:  # spawned: forking a process with threads is unsafe
                self.pool = ProcessPoolExecutor(1, multiprocessing.get_context("spawn"),
                                                initializer=_rare_collections)
            self.users += 1

    def leave(self) -> None:
        with self.lock:
            self.users -= 1
            if self.users == 0 and self.pool is not None:
                self.pool.shutdown(cancel_futures=True)
                self.pool = None

    def submit(self, bodies: Bodies) -> Future[TupleRows] | None:
        pool = self.pool
        if pool is None or len(bodies) < MIN_BATCH:
            return None
        try:
            return pool.submit(derive, bodies)
        except (BrokenProcessPool, RuntimeError):  # died, or shut down meanwhile
            return None


_HELPER = _Helper()


@contextmanager
def running() -> Iterator[None]:
    """Batches written inside may have their rows derived by the helper process."""
    _HELPER.enter()
    try:
        yield
    finally:
        _HELPER.leave()


def submit(bodies: Bodies) -> Future[TupleRows] | None:
    """The rows of ``bodies`` being derived by the helper; None: derive them in-line."""
    return _HELPER.submit(bodies)


def derive(bodies: Bodies) -> TupleRows:
    """The search index rows of ``bodies``, as tuples (what the helper runs)."""
    return derive_parsed((rtype, rid, orjson.loads(content)) for rtype, rid, content in bodies)


def derive_parsed(resources: Iterable[tuple[str, str, dict[str, Any]]]) -> TupleRows:
    """The search index rows of (type, id, body) as tuples (what a writer runs in-line)."""
    found: TupleRows = {table: [] for table in INDEX_TABLES}
    for rtype, rid, body in resources:
        for table, rows in index_rows(rtype, rid, body).items():
            found[table].extend(map(rawsql.values_of(columns(table)), rows))
    return found


def _rare_collections() -> None:
    """The helper keeps nothing between batches: young collections as in a bulk run. It
    ends with the process it works for, however that one ends."""
    gc.set_threshold(100_000, *gc.get_threshold()[1:])
    orphans.exit_with_parent()
