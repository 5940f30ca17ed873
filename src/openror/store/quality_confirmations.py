"""Owners' confirmations (« tout est à jour »): when each unit ("<Type>/<id>") was last
confirmed as described, and by whom. A confirmation is a record of a person's action, not a
change of the resource: it makes no version and no change-feed entry."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from openror.store import rawsql
from openror.store.quality_tables import quality_confirmation

#: units looked up per statement (a site's offers and places fit in one)
CHUNK = 500


def record(conn: sa.Connection, units: Iterable[str], at: datetime, actor: str) -> int:
    """Confirm ``units`` at ``at`` by ``actor`` (a later confirmation replaces an earlier
    one); return how many."""
    rows = [{"unit": unit, "confirmed_at": at, "actor": actor[:200]}
            for unit in dict.fromkeys(units)]
    if not rows:
        return 0
    table = quality_confirmation
    stmt = upsert(conn, table).values(rows)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[table.c.unit],
        set_={"confirmed_at": stmt.excluded.confirmed_at, "actor": stmt.excluded.actor}))
    return len(rows)


def confirmed_at(conn: sa.Connection, units: Iterable[str] | None = None
                 ) -> dict[str, datetime]:
    """unit -> last confirmation, for ``units`` (those never confirmed are left out) or, with
    None, for every confirmed unit (read as a stream, not fetched whole)."""
    table = quality_confirmation
    stmt = sa.select(table.c.unit, table.c.confirmed_at)
    found: dict[str, datetime] = {}
    if units is None:
        result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(stmt)
        found.update((unit, rawsql.py_time(at)) for unit, at in result)
        return found
    wanted = list(dict.fromkeys(units))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start:start + CHUNK]
        found.update((unit, rawsql.py_time(at))
                     for unit, at in conn.execute(stmt.where(table.c.unit.in_(chunk))))
    return found


def upsert(conn: sa.Connection, table: sa.Table) -> sa.dialects.postgresql.Insert:
    """An INSERT that can take ON CONFLICT, in the connection's dialect (both dialects'
    inserts have the same interface)."""
    from sqlalchemy.dialects import postgresql, sqlite

    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)  # type: ignore[return-value]
