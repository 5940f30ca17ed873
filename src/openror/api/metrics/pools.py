"""The database connection pools (SQLAlchemy) of this process, read when asked (no I/O).

SQLite has a writer engine (one connection per process) and a pool of readers; PostgreSQL
one pool that reads and writes (``store.dialect``). In one process, a scrape reads them
through ``PoolCollector``; with several worker processes, a scrape reaches one of them, so
each worker publishes its figures every few seconds into gauges summed over the live workers
(``publish_forever``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.pool import QueuePool

from openror.api.metrics.instruments import POOL_GAUGES, POOL_METRICS
from openror.store.database import Database

PUBLISH_EVERY_S = 5.0


@dataclass(frozen=True)
class PoolFigures:
    engine: str  # write, read (SQLite) or read-write (PostgreSQL)
    size: int
    checked_out: int
    checked_in: int
    overflow: int

    def values(self) -> dict[str, int]:
        return {"size": self.size, "checked_out": self.checked_out,
                "checked_in": self.checked_in, "overflow": self.overflow}


def pool_figures(db: Database) -> list[PoolFigures]:
    engines = [("read-write", db.writer)] if db.reader is db.writer else [
        ("write", db.writer), ("read", db.reader)]
    found = []
    for role, engine in engines:
        pool = engine.pool
        if isinstance(pool, QueuePool):
            # overflow() counts from -size (connections never opened yet): beyond it only
            found.append(PoolFigures(role, pool.size(), pool.checkedout(), pool.checkedin(),
                                     max(0, pool.overflow())))
    return found


class PoolCollector(Collector):
    """The pools of one app's database, in a process that serves alone."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        figures = pool_figures(self.db)
        for figure, (name, what) in POOL_METRICS.items():
            family = GaugeMetricFamily(name, what, labels=["engine"])
            for pool in figures:
                family.add_metric([pool.engine], pool.values()[figure])
            yield family


def publish(db: Database) -> None:
    for pool in pool_figures(db):
        for name, value in pool.values().items():
            POOL_GAUGES[name].labels(pool.engine).set(value)


async def publish_forever(db: Database) -> None:
    """A worker's share of the pool gauges, kept current while it runs."""
    while True:
        publish(db)
        await asyncio.sleep(PUBLISH_EVERY_S)
