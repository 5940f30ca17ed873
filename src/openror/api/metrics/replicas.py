"""The PostgreSQL read replicas as this process last polled them (``store.replicas``; no
I/O at scrape time). Every worker polls them on its own: any one's view will do."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from openror.store.database import Database
from openror.store.replicas import replica_status


class ReplicaCollector(Collector):
    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        found = replica_status(self.db)
        up = GaugeMetricFamily("openror_db_replica_up", "1 when the read replica serves "
                               "reads, 0 when it is left aside (unreachable or failing).",
                               labels=["replica"])
        lag = GaugeMetricFamily("openror_db_replica_lag_bytes", "WAL bytes the read replica "
                                "has not replayed yet (absent: unknown).", labels=["replica"])
        for replica in found:
            up.add_metric([replica.url], 1 if replica.healthy else 0)
            if replica.lag_bytes is not None:
                lag.add_metric([replica.url], replica.lag_bytes)
        yield up
        yield lag
