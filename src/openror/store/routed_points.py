"""Point reads (``store.point_reads``) served by a replica when one may serve the request
under way (``store.replicas``), by the primary otherwise. A point read is one statement:
when the replica fails it, the primary answers it instead, and the caller sees no error.

``primary`` is the primary's reader, for the reads that must be current whatever the
request (authentication: a revoked client is refused at once).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import psycopg

from openror.store.point_reads import PointReader
from openror.store.replica import Replica
from openror.store.replicas import Replicas
from openror.store.resources import StoredResource

T = TypeVar("T")


class RoutedPoints:
    def __init__(self, primary: PointReader, replicas: Replicas | None) -> None:
        self.primary = primary
        self.replicas = replicas

    def _read(self, read: Callable[[PointReader], T]) -> T:
        replica = self.replicas.choose() if self.replicas is not None else None
        if replica is not None:
            try:
                return read(replica.points)
            except psycopg.Error as exc:
                _failed(replica, exc)
        return read(self.primary)

    async def _aread(self, read: Callable[[PointReader], Awaitable[T]]) -> T:
        replica = await self.replicas.achoose() if self.replicas is not None else None
        if replica is not None:
            try:
                return await read(replica.points)
            except psycopg.Error as exc:
                _failed(replica, exc)
        return await read(self.primary)

    def current(self, rtype: str, rid: str) -> StoredResource | None:
        return self._read(lambda p: p.current(rtype, rid))

    def version(self, rtype: str, rid: str, version: int) -> StoredResource | None:
        return self._read(lambda p: p.version(rtype, rid, version))

    def row(self, sql: str, params: dict[str, Any]) -> Any:
        return self._read(lambda p: p.row(sql, params))

    async def acurrent(self, rtype: str, rid: str) -> StoredResource | None:
        return await self._aread(lambda p: p.acurrent(rtype, rid))

    async def aversion(self, rtype: str, rid: str, version: int) -> StoredResource | None:
        return await self._aread(lambda p: p.aversion(rtype, rid, version))

    async def arow(self, sql: str, params: dict[str, Any]) -> Any:
        return await self._aread(lambda p: p.arow(sql, params))

    def _all(self) -> list[PointReader]:
        replicas = self.replicas.members if self.replicas is not None else []
        return [self.primary, *(r.points for r in replicas)]

    async def open_async(self, size: int) -> None:
        for reader in self._all():
            await reader.open_async(size)

    async def close_async(self) -> None:
        for reader in self._all():
            await reader.close_async()

    def close(self) -> None:
        for reader in self._all():
            reader.close()


def _failed(replica: Replica, exc: psycopg.Error) -> None:
    """A replica that lost its connection or is shutting down is left aside; one that
    refused a statement (cancelled by a recovery conflict…) stays: the primary answers this
    read alone."""
    if exc.sqlstate is None or exc.sqlstate.startswith(("08", "57P")):
        replica.failed(exc)
