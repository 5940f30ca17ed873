"""Run an export: in one snapshot (``snapshot``), for one caller, select (``select``) and
write (``files``) each type's resources.

Resources are streamed from the database in id order and written as stored; only those the
read policy changes for this caller are parsed (``store.read_policy.shown`` decides from the
bytes). Places are exported as stored, without the freshness extension a read or a search
computes for their capacity figures (its age "as of this read"): computing it parses every
place (2 ms each, 17 minutes for the national places, bench/export.py), while the records
carry their own update dates, from which a consumer gets the same ages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from openror.access.caller import Caller
from openror.search.scope import searching_as
from openror.services.metadata import fhir_instant
from openror.store import read_policy, visibility
from openror.store.database import Database
from openror.store.feed_order import SEQUENCE_URL
from openror.store.schema import resource
from openror.sync.export import select
from openror.sync.export.files import OutputFile, TypeFiles
from openror.sync.export.pipe import Pipe
from openror.sync.export.request import ExportRequest
from openror.sync.export.snapshot import Snapshot, snapshot

#: rows fetched from the database at a time
CHUNK = 2000

Progress = Callable[[str], None]


class Cancelled(Exception):
    """Raised by a progress callback to stop an export (deleted job, lease lost, shutdown)."""


@dataclass(frozen=True)
class ExportResult:
    transaction_time: datetime  # naive UTC
    files: list[OutputFile]
    feed_position: int  # the snapshot's newest change: ``_history?_after=`` goes on from it

    @property
    def count(self) -> int:
        return sum(f.count for f in self.files)


def run(db: Database, caller: Caller, request: ExportRequest, directory: Path, *,
        base: str, max_per_file: int, progress: Progress = lambda _: None) -> ExportResult:
    directory.mkdir(parents=True, exist_ok=True)
    files: list[OutputFile] = []
    with snapshot(db) as snap, searching_as(caller), Pipe() as pipe:
        chosen = select.selections(request)
        for n, rtype in enumerate(request.types):
            out = TypeFiles(directory, rtype, ndjson=request.ndjson, max_per_file=max_per_file,
                            base=base, timestamp=fhir_instant(snap.at))
            done = f"{n} of {len(request.types)} types done"
            progress(f"{rtype}: selecting ({done})")
            for page in _pages(snap, caller, request, rtype, chosen[rtype]):
                pipe.submit(partial(out.add_page, page))  # written while the next is read
                progress(f"{rtype}: {out.count:,} written ({done})")
            pipe.submit(partial(_close, out, files))
            progress(f"{n + 1} of {len(request.types)} types done")
    return ExportResult(snap.at, files, snap.seq)


def feed_extension(position: int) -> dict[str, str]:
    """A manifest's ``extension`` (the name Bulk Data 2.0 leaves to servers): the change
    feed's position of the snapshot, from which ``_history?_after=`` gives every later change
    (docs/api/sync.md). A string: the number is 64-bit."""
    return {SEQUENCE_URL: str(position)}


def _close(out: TypeFiles, files: list[OutputFile]) -> None:
    files.extend(out.close())


Page = list[tuple[str, bytes]]


def _pages(snap: Snapshot, caller: Caller, request: ExportRequest, rtype: str,
           chosen: sa.Select[Any] | None) -> Iterator[Page]:
    """Pages of (id, content as the caller may see it) of the type's resources, as of the
    snapshot."""
    r = resource.alias("exported")  # the selections' subqueries must not correlate to it
    stmt = sa.select(r.c.id, r.c.content).where(
        r.c.type == rtype, r.c.deleted.is_(False), *_visible(caller, rtype, r.c.id))
    if chosen is not None:
        stmt = stmt.where(r.c.id.in_(chosen))
    if select.since_applies(request, rtype):
        stmt = stmt.where(r.c.last_updated > request.since)
    policy = _Policy(snap.conn, caller, rtype)
    copy = snap.conn.dialect.name == "postgresql"
    for batch in (_copied if copy else _batches)(snap.conn, stmt.order_by(r.c.id)):
        if policy.keeps_all:
            yield [(rid, content) for rid, content in batch]  # the stored bytes
        else:
            yield [(rid, policy.shown(rid, bytes(content))) for rid, content in batch]


def _copied(conn: sa.Connection, stmt: sa.Select[Any]) -> Iterator[Sequence[Any]]:
    """PostgreSQL: the rows of ``stmt`` through ``COPY … TO STDOUT (FORMAT binary)`` in the
    snapshot's transaction, CHUNK at a time: 2.6 times the speed of a server-side cursor's
    FETCHes for the same rows (bench/export.py)."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY ({compiled.string}) TO STDOUT (FORMAT binary)",
                     compiled.params) as copy:
        copy.set_types(["text", "bytea"])
        batch: list[Any] = []
        for row in copy.rows():
            batch.append(row)
            if len(batch) == CHUNK:
                yield batch
                batch = []
        if batch:
            yield batch


def _batches(conn: sa.Connection, stmt: sa.Select[Any]) -> Iterator[Sequence[Any]]:
    """The rows of ``stmt``, CHUNK at a time, streamed. SQLite: the driver's own tuples,
    read from its cursor (a Row object each costs 5 µs: 12 s of a national export);
    PostgreSQL: a server-side cursor (the client would otherwise load the whole result)."""
    if conn.dialect.name == "sqlite":
        result = conn.execute(stmt)
        try:
            while batch := result.cursor.fetchmany(CHUNK):
                yield batch
        finally:
            result.close()
        return
    result = conn.execute(stmt.execution_options(yield_per=CHUNK))
    try:
        yield from result.partitions(CHUNK)
    finally:
        result.close()


def _visible(caller: Caller, rtype: str, owner: Any) -> list[sa.ColumnElement[bool]]:
    condition = visibility.visible(rtype, caller, owner)
    return [] if condition is None else [condition]


class _Policy:
    """The read policy for one type's rows, with what it depends on read once."""

    def __init__(self, conn: sa.Connection, caller: Caller, rtype: str) -> None:
        self.conn, self.caller, self.rtype = conn, caller, rtype
        self.medico_social: frozenset[str] | None = None
        ids = visibility.medico_social_ids(rtype) if caller.profile == 3 else None
        if ids is not None:
            self.medico_social = frozenset(r[0] for r in conn.execute(ids))

    @property
    def keeps_all(self) -> bool:
        """Nothing is redacted for this caller (access profile 1)."""
        return self.caller.profile == 1

    def shown(self, rid: str, content: bytes) -> bytes:
        if self.keeps_all:
            return content
        ms = rid in self.medico_social if self.medico_social is not None else False
        return read_policy.shown(self.conn, self.caller, self.rtype, rid, content, ms)
