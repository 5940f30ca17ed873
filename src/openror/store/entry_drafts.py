"""Drafts of the professionals' guided entry (web.entry): one per person, saved at every
step so that the entry can be resumed. A draft is a person's work in progress, not data of
the directory: it makes no resource version and nothing reads it but its owner's pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

from openror.store import rawsql
from openror.store.quality_confirmations import upsert
from openror.store.schema import metadata

entry_draft = sa.Table(
    "entry_draft", metadata,
    sa.Column("person", sa.String(200), primary_key=True),  # the actor, "user:<login>"
    sa.Column("practitioner_id", sa.String(64), nullable=False),
    sa.Column("step", sa.Integer, nullable=False),  # the furthest step reached, 1 to 6
    sa.Column("data", sa.Text, nullable=False),  # the steps' values, as JSON
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)


@dataclass(frozen=True)
class Draft:
    person: str
    practitioner_id: str
    step: int
    data: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def load(conn: sa.Connection, person: str) -> Draft | None:
    row = conn.execute(sa.select(entry_draft).where(entry_draft.c.person == person)).first()
    if row is None:
        return None
    return Draft(row.person, row.practitioner_id, row.step, orjson.loads(row.data),
                 rawsql.py_time(row.created_at), rawsql.py_time(row.updated_at))


def save(conn: sa.Connection, person: str, practitioner_id: str, step: int,
         data: dict[str, Any], now: datetime) -> None:
    """Create or replace the person's draft (its creation time stays)."""
    table = entry_draft
    stmt = upsert(conn, table).values(person=person, practitioner_id=practitioner_id,
                                      step=step, data=orjson.dumps(data).decode(),
                                      created_at=now, updated_at=now)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[table.c.person],
        set_={"practitioner_id": stmt.excluded.practitioner_id, "step": stmt.excluded.step,
              "data": stmt.excluded.data, "updated_at": stmt.excluded.updated_at}))


def delete(conn: sa.Connection, person: str) -> None:
    conn.execute(entry_draft.delete().where(entry_draft.c.person == person))
