"""Streaming replicas (hot standbys) of a PostgreSQL primary that serve the API's reads.

A read may go to a replica only inside a request's read context (``store.read_context``)
and only to a replica that has replayed the WAL up to the context's floor: the caller's
last write, and what the request itself wrote. Otherwise, and whenever no replica is
healthy, the primary serves it. Writes never go to a replica.

A background thread polls each replica's replay position (``pg_last_wal_replay_lsn()``)
every ``HEALTH_S``, and sooner, at most every ``NUDGE_S``, when a read needed a newer
position than the one known: polling costs one tiny query, never one per read. A replica
that fails a poll or a connection is left aside and polled again after
``replica.RETRY_S``; the reads meanwhile go to the primary.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psycopg
import sqlalchemy as sa

from openror.errors import InvalidInput, error
from openror.store import read_context, write_positions
from openror.store.dialect import dialect_of, normalise_url
from openror.store.point_reads import PointReader
from openror.store.replica import CONNECT_TIMEOUT_S, Probe, Replica, with_timeouts

if TYPE_CHECKING:
    from openror.store.database import Database

HEALTH_S = 1.0
NUDGE_S = 0.05
_PRIMARY = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')"
log = logging.getLogger("openror.store")


def check_urls(primary_url: str, replica_urls: Sequence[str]) -> None:
    """:class:`InvalidInput` when replicas are set for a database that cannot have them."""
    if not replica_urls:
        return
    if dialect_of(normalise_url(primary_url)) != "postgresql":
        raise InvalidInput([error("value", "OPENROR_DATABASE_REPLICA_URLS is set but the "
                                  "database is SQLite: replicas are for PostgreSQL only; "
                                  "unset it")])
    for url in replica_urls:
        try:
            backend = sa.engine.make_url(url).get_backend_name()
        except sa.exc.ArgumentError:
            backend = ""
        if backend != "postgresql":
            raise InvalidInput([error("value", f"OPENROR_DATABASE_REPLICA_URLS: '{url}' is "
                                      "not a postgresql://USER@HOST:PORT/DB URL")])


@dataclass(frozen=True)
class ReplicaStatus:
    url: str  # password hidden
    healthy: bool
    lag_bytes: int | None  # WAL bytes the replica is behind the primary; None: unknown


class Replicas:
    """The replicas of one database handle, their polling thread, and the choice of the
    replica that serves a read."""

    def __init__(self, urls: Sequence[str], pool_size: int, primary: PointReader,
                 primary_url: str) -> None:
        self.members = [Replica(url, pool_size) for url in urls]
        self._primary = primary
        self._primary_probe = Probe(with_timeouts(primary_url))
        self._turn = itertools.count()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="openror-replicas", daemon=True)
        self._thread.start()

    # -- choosing ------------------------------------------------------------------------

    def choose(self) -> Replica | None:
        """The replica that may serve a read now, or None for the primary."""
        context = read_context.current()
        if context is None or not self._any_healthy():
            return None
        if not context.resolved:
            assert context.caller is not None
            context.stored = write_positions.lookup(self._primary, context.caller)
        return self._pick(context)

    async def achoose(self) -> Replica | None:
        context = read_context.current()
        if context is None or not self._any_healthy():
            return None
        if not context.resolved:
            assert context.caller is not None
            context.stored = await write_positions.alookup(self._primary, context.caller)
        return self._pick(context)

    def _any_healthy(self) -> bool:
        return any(r.healthy for r in self.members)

    def _pick(self, context: read_context.ReadContext) -> Replica | None:
        floor = context.floor
        kept = context.replica
        if kept is not None and kept.serves(floor):
            return kept
        ready = [r for r in self.members if r.serves(floor)]
        if not ready:
            self._wake.set()  # a poll may find a replica that has caught up
            return None
        context.replica = ready[next(self._turn) % len(ready)]
        return context.replica

    def after_write(self, conn: sa.Connection) -> None:
        """A write transaction committed on ``conn``: the request's later reads, and its
        caller's on any worker, must see it."""
        context = read_context.current()
        if context is None:
            return
        try:
            position, stored = write_positions.record(conn, context.caller)
        except sa.exc.DBAPIError as exc:  # the write stands: its reads go to the primary
            log.warning("could not record the WAL position of a write: %s", exc.orig or exc)
            context.at_least = read_context.PRIMARY_ONLY
            return
        context.wrote(position, stored)

    # -- polling -------------------------------------------------------------------------

    def _run(self) -> None:
        last_full = 0.0
        while not self._stop.is_set():
            full = time.monotonic() - last_full >= HEALTH_S
            primary = self._primary_position() if full else None
            for replica in self.members:
                if replica.healthy or time.monotonic() >= replica.retry_at:
                    replica.poll()
                if full:
                    replica.lag = (None if primary is None or not replica.healthy
                                   or replica.replayed is None
                                   else max(0, primary - replica.replayed))
            if full:
                last_full = time.monotonic()
            self._wake.wait(HEALTH_S)
            self._wake.clear()
            self._stop.wait(NUDGE_S)

    def _primary_position(self) -> int | None:
        try:
            return int(self._primary_probe.one(_PRIMARY)[0])
        except psycopg.Error:
            return None

    def status(self) -> list[ReplicaStatus]:
        return [ReplicaStatus(r.shown, r.healthy, r.lag) for r in self.members]

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(CONNECT_TIMEOUT_S * 2 + 1)
        self._primary_probe.close()
        for replica in self.members:
            replica.close()


def replica_status(db: Database) -> list[ReplicaStatus]:
    """For monitoring: each replica of ``db`` with its URL (password hidden), whether it
    serves reads, and how many WAL bytes it is behind the primary (None: unknown), as of
    the last poll (at most ``HEALTH_S`` old). Empty without replicas. Does no I/O."""
    return [] if db.replicas is None else db.replicas.status()
