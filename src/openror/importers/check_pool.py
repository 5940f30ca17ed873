"""The check phase on several processes: validation is pure CPU work and takes most of an
import's time, so records are checked by one worker process per core.

Workers are forked after the terminology is set, so they inherit it instead of reloading it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import orjson

from openror import orphans
from openror.importers.base import Reject
from openror.importers.checks import check_record
from openror.importers.records_io import decode
from openror.terminology import Terminology

#: below this many records a pool costs more than it saves
POOL_THRESHOLD = 2000
_state: dict[str, object] = {}


def check_rows(rows: Sequence[tuple[int, bytes]]) -> list[tuple[int, list[Reject]]]:
    terminology = _state["terminology"]
    region = _state["region"]
    assert isinstance(terminology, Terminology) and isinstance(region, str)
    out = []
    for seq, raw in rows:
        rejects, _warnings = check_record(decode(orjson.loads(raw)), terminology, region)
        out.append((seq, rejects))
    return out


class Checker:
    def __init__(self, pool: ProcessPoolExecutor | None, workers: int = 1) -> None:
        self.pool, self.workers = pool, workers

    def check(self, rows: Sequence[tuple[int, bytes]]) -> list[tuple[int, list[Reject]]]:
        if self.pool is None or len(rows) < 64:
            return check_rows(rows)
        size = max(1, len(rows) // (2 * self.workers))
        chunks = [rows[i:i + size] for i in range(0, len(rows), size)]
        return [item for part in self.pool.map(check_rows, chunks) for item in part]


@contextmanager
def checker(terminology: Terminology, region: str, expected: int) -> Iterator[Checker]:
    _state["terminology"], _state["region"] = terminology, region
    workers = os.cpu_count() or 1
    if expected < POOL_THRESHOLD or workers < 2:
        yield Checker(None)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=orphans.exit_with_parent) as pool:
        yield Checker(pool, workers)
