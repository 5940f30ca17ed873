"""Recording reads by API clients of profiles 1–5 (``store.audit``) without slowing them:
requests add a record in memory, and a background task writes the records in batches every
second, and prunes those older than the retention period once an hour.

A crash loses at most the last second of records; that is the price of not adding a write
to every read. Records are kept in memory up to ``MAX_PENDING``; beyond, the flush is forced
from the request itself rather than records dropped.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import timedelta

from openror.access.caller import WRITE_ALL, Caller
from openror.errors import Forbidden, error
from openror.store import audit
from openror.store.audit import ReadRecord
from openror.store.database import Database
from openror.store.resources import utcnow

FLUSH_EVERY_S = 1.0
PRUNE_EVERY_S = 3600.0
MAX_PENDING = 10_000

log = logging.getLogger("openror.audit")


def audited(caller: Caller) -> bool:
    """Reads of API clients of profiles 1 to 5 are audited (profile 0 reads open data)."""
    return caller.client_id is not None and 1 <= caller.profile <= 5


def check_may_query(caller: Caller) -> None:
    if WRITE_ALL not in caller.writes:
        raise Forbidden([error("forbidden", "the read audit trail is for national "
                               "administrators (write scope 'all')")])


class ReadAudit:
    def __init__(self, db: Database, retention_days: int) -> None:
        self.db = db
        self.retention = timedelta(days=retention_days)
        self._pending: list[ReadRecord] = []
        self._lock = threading.Lock()

    def add(self, record: ReadRecord) -> None:
        with self._lock:
            self._pending.append(record)
            full = len(self._pending) >= MAX_PENDING
        if full:
            self.flush()

    def flush(self) -> int:
        with self._lock:
            batch, self._pending = self._pending, []
        if batch:
            with self.db.write() as conn:
                audit.append(conn, batch)
        return len(batch)

    def prune(self) -> int:
        with self.db.write() as conn:
            return audit.prune(conn, utcnow() - self.retention)

    async def run(self) -> None:
        """Flush every second, prune every hour, until cancelled (then flush once more)."""
        since_prune = PRUNE_EVERY_S  # prune at start: a server may have been down a while
        try:
            while True:
                since_prune = await self._tick(since_prune)
                await asyncio.sleep(FLUSH_EVERY_S)
        finally:
            await asyncio.to_thread(self.flush)

    async def _tick(self, since_prune: float) -> float:
        try:
            await asyncio.to_thread(self.flush)
            if since_prune >= PRUNE_EVERY_S:
                await asyncio.to_thread(self.prune)
                return 0.0
        except Exception:  # the next tick retries; the records of this one are lost
            log.exception("writing the read audit trail failed")
        return since_prune + FLUSH_EVERY_S
