"""One streaming replica (hot standby) of the PostgreSQL primary: its connections, and what
the last poll said of it: whether it serves reads, and how far it has replayed the WAL."""

from __future__ import annotations

import logging
import time
from typing import Any

import psycopg
import sqlalchemy as sa

from openror.store.dialect import create_engines, normalise_url
from openror.store.point_reads import PointReader

#: a replica that failed is polled again after this
RETRY_S = 2.0
#: an unreachable replica costs a connection attempt this long, and a replica that vanishes
#: under an open connection is noticed within seconds, not after the system's TCP timeouts
CONNECT_TIMEOUT_S = 2
_NETWORK = {"connect_timeout": str(CONNECT_TIMEOUT_S), "tcp_user_timeout": "10000",
            "keepalives_idle": "10", "keepalives_interval": "5", "keepalives_count": "3"}
_REPLAY = "SELECT pg_is_in_recovery(), pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')"
log = logging.getLogger("openror.store")


def shown_url(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)


class Probe:
    """One autocommit connection of the polling thread, opened when needed and dropped
    after an error (the next poll opens a new one)."""

    def __init__(self, url: str) -> None:
        self._conninfo = sa.engine.make_url(url).set(
            drivername="postgresql").render_as_string(hide_password=False)
        self._conn: psycopg.Connection[Any] | None = None

    def one(self, sql: str) -> Any:
        try:
            if self._conn is None:
                self._conn = psycopg.connect(self._conninfo, autocommit=True)
            return self._conn.execute(sql).fetchone()
        except psycopg.Error:
            self.close()
            raise

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def with_timeouts(url: str) -> str:
    """``url`` with the network timeouts it does not set itself."""
    parsed = sa.engine.make_url(normalise_url(url))
    missing = {k: v for k, v in _NETWORK.items() if k not in parsed.query}
    return parsed.update_query_dict(missing).render_as_string(hide_password=False)


class Replica:
    """One standby: its connections, and what the last poll said about it."""

    def __init__(self, url: str, pool_size: int) -> None:
        self.url = with_timeouts(url)
        self.shown = shown_url(url)
        _, self.engine = create_engines(self.url, readers=0, pool_size=pool_size)
        self.points = PointReader(self.url)
        self._probe = Probe(self.url)
        self.healthy = False  # until a poll answers
        self.replayed: int | None = None  # WAL position replayed, as of the last poll
        self.lag: int | None = None  # bytes behind the primary, as of the last full poll
        self.retry_at = 0.0
        self._told = False  # the current outage was logged

    def serves(self, floor: int) -> bool:
        return self.healthy and self.replayed is not None and self.replayed >= floor

    def poll(self) -> None:
        """Ask the replica how far it has replayed (in the polling thread)."""
        try:
            standby, replayed = self._probe.one(_REPLAY)
        except psycopg.Error as exc:
            self.failed(exc)
            return
        if not standby:
            self.failed("it is not a standby in recovery (promoted, or not a replica)")
            return
        if replayed is None:
            self.failed("it has replayed nothing yet")
            return
        self.replayed = int(replayed)
        if not self.healthy:
            log.info("replica %s serves reads (replayed up to %d)", self.shown, self.replayed)
        self.healthy, self._told = True, False

    def failed(self, why: object) -> None:
        """Leave the replica aside: reads go to the primary until a poll succeeds again."""
        self.retry_at = time.monotonic() + RETRY_S
        if self.healthy or not self._told:  # once per outage, not at every retry
            self._told = True
            log.warning("replica %s left aside, reads go to the primary (retried in %.0f s): "
                        "%s", self.shown, RETRY_S, str(why).strip())
        self.healthy = False
        self.lag = None

    def connect(self) -> sa.Connection | None:
        """A pooled connection; None when the replica cannot be reached (it is then left
        aside)."""
        try:
            return self.engine.connect()
        except sa.exc.DBAPIError as exc:
            self.failed(exc.orig or exc)
            return None

    def close(self) -> None:
        self._probe.close()
        self.points.close()
        self.engine.dispose()
