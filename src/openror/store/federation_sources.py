"""The federation sources this instance follows (store.federation_tables): add, list, remove,
and what a run records (cursor, counts, last error)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from openror.errors import Conflict, NotFound, error
from openror.store.federation_tables import (
    federation_conflict,
    federation_owner,
    federation_source,
)


@dataclass(frozen=True)
class SourceRow:
    name: str
    url: str
    client_id: str
    secret_file: str
    cert_file: str | None
    key_file: str | None
    precedence: int
    cursor: int
    applied: int
    added_at: datetime
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    epoch: str | None = None  # the source's feed epoch the cursor belongs to


def add(conn: sa.Connection, row: SourceRow) -> None:
    if get(conn, row.name) is not None:
        raise Conflict([error("duplicate", f"a source named {row.name!r} exists already: "
                              "choose another --name or remove it first", "name")])
    conn.execute(federation_source.insert().values(**row.__dict__))


def get(conn: sa.Connection, name: str) -> SourceRow | None:
    found = conn.execute(sa.select(federation_source)
                         .where(federation_source.c.name == name)).mappings().first()
    return None if found is None else SourceRow(**found)


def need(conn: sa.Connection, name: str) -> SourceRow:
    found = get(conn, name)
    if found is None:
        known = ", ".join(s.name for s in all_sources(conn)) or "none"
        raise NotFound([error("not-found", f"no federation source named {name!r} "
                              f"(known: {known})", "name")])
    return found


def all_sources(conn: sa.Connection) -> list[SourceRow]:
    rows = conn.execute(sa.select(federation_source)
                        .order_by(federation_source.c.precedence.desc(),
                                  federation_source.c.name)).mappings()
    return [SourceRow(**row) for row in rows]


def precedences(conn: sa.Connection) -> dict[str, int]:
    return {name: int(p) for name, p in conn.execute(
        sa.select(federation_source.c.name, federation_source.c.precedence))}


def remove(conn: sa.Connection, name: str) -> int:
    """Forget a source; the resources it brought stay, as local ones. Returns how many."""
    need(conn, name)
    kept = conn.execute(federation_owner.delete()
                        .where(federation_owner.c.source == name)).rowcount
    conn.execute(federation_conflict.delete().where(federation_conflict.c.source == name))
    conn.execute(federation_source.delete().where(federation_source.c.name == name))
    return int(kept)


def advance(conn: sa.Connection, name: str, cursor: int, applied: int, now: datetime) -> None:
    """After a page: the new cursor (never backwards) and the count, in the page's
    transaction."""
    s = federation_source
    conn.execute(s.update().where(s.c.name == name).values(
        cursor=sa.case((s.c.cursor > cursor, s.c.cursor), else_=cursor),
        applied=s.c.applied + applied, last_run_at=now, last_success_at=now, last_error=None))


def rebase(conn: sa.Connection, name: str, cursor: int, epoch: str | None) -> None:
    """The source's feed was renumbered (a new epoch): follow it from ``cursor`` of
    ``epoch`` on, backwards if need be."""
    s = federation_source
    conn.execute(s.update().where(s.c.name == name).values(cursor=cursor, epoch=epoch))


def record_run(conn: sa.Connection, name: str, now: datetime, failure: str | None) -> None:
    s = federation_source
    values: dict[str, object] = {"last_run_at": now, "last_error": failure}
    if failure is None:
        values["last_success_at"] = now
    conn.execute(s.update().where(s.c.name == name).values(**values))


def counts(conn: sa.Connection, name: str) -> tuple[int, int]:
    """(resources owned, changes not applied) of a source."""
    owned = conn.execute(sa.select(sa.func.count()).select_from(federation_owner)
                         .where(federation_owner.c.source == name)).scalar_one()
    held = conn.execute(sa.select(sa.func.count()).select_from(federation_conflict)
                        .where(federation_conflict.c.source == name)).scalar_one()
    return int(owned), int(held)
