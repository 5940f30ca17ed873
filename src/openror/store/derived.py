"""Rows derived from a resource: its identifiers and the references it makes.

They are replaced in the writer's transaction and can be rebuilt from the stored resources at
any time (``rebuild``), so they never drift from the record of truth.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from openror.fhir.references import literal_references
from openror.store.schema import identifier_index, reference_index, resource


@dataclass(frozen=True)
class Referrer:
    type: str
    id: str
    path: str


def _identifier_rows(rtype: str, rid: str, body: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for ident in body.get("identifier") or []:
        value = ident.get("value") if isinstance(ident, dict) else None
        if isinstance(value, str):
            system = ident.get("system")
            rows.append({"type": rtype, "id": rid, "value": value,
                         "system": system if isinstance(system, str) else ""})
    return rows


def _reference_rows(rtype: str, rid: str, body: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"source_type": rtype, "source_id": rid, "path": ref.expression,
         "target_type": ref.target_type, "target_id": ref.target_id}
        for ref in literal_references(body)
    ]


def clear(conn: sa.Connection, rtype: str, rid: str) -> None:
    conn.execute(identifier_index.delete().where(
        identifier_index.c.type == rtype, identifier_index.c.id == rid))
    conn.execute(reference_index.delete().where(
        reference_index.c.source_type == rtype, reference_index.c.source_id == rid))


def replace(conn: sa.Connection, rtype: str, rid: str, body: dict[str, Any] | None,
            *, fresh: bool = False) -> None:
    """Make the derived rows of one resource match ``body`` (None: deleted)."""
    if not fresh:
        clear(conn, rtype, rid)
    if body is None:
        return
    idents = _identifier_rows(rtype, rid, body)
    if idents:
        conn.execute(identifier_index.insert(), idents)
    refs = _reference_rows(rtype, rid, body)
    if refs:
        conn.execute(reference_index.insert(), refs)


def referrers(conn: sa.Connection, rtype: str, rid: str, limit: int = 50) -> list[Referrer]:
    ri = reference_index
    stmt = (
        sa.select(ri.c.source_type, ri.c.source_id, ri.c.path)
        .where(ri.c.target_type == rtype, ri.c.target_id == rid)
        .where(sa.not_(sa.and_(ri.c.source_type == rtype, ri.c.source_id == rid)))
        .order_by(ri.c.source_type, ri.c.source_id)
        .limit(limit)
    )
    return [Referrer(*row) for row in conn.execute(stmt)]


def existing(conn: sa.Connection, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (type, id) pairs name a live (not deleted) resource."""
    wanted = set(keys)
    if not wanted:
        return set()
    cond = sa.or_(*(sa.and_(resource.c.type == t, resource.c.id == i) for t, i in wanted))
    stmt = sa.select(resource.c.type, resource.c.id).where(cond, resource.c.deleted.is_(False))
    return {(t, i) for t, i in conn.execute(stmt)}


def find_by_identifier(conn: sa.Connection, rtype: str, system: str | None, value: str,
                       limit: int = 2) -> list[str]:
    """Ids of live resources of ``rtype`` carrying the identifier (system None = any)."""
    ii = identifier_index
    stmt = sa.select(ii.c.id).distinct().where(ii.c.type == rtype, ii.c.value == value)
    if system is not None:
        stmt = stmt.where(ii.c.system == system)
    return [row[0] for row in conn.execute(stmt.limit(limit))]


def rebuild(conn: sa.Connection, batch: int = 500) -> int:
    """Recompute every derived row from the stored resources; return the count of resources."""
    conn.execute(identifier_index.delete())
    conn.execute(reference_index.delete())
    count = 0
    stmt = sa.select(resource.c.type, resource.c.id, resource.c.content).where(
        resource.c.deleted.is_(False))
    for rtype, rid, content in conn.execute(stmt).yield_per(batch):
        replace(conn, rtype, rid, orjson.loads(content), fresh=True)
        count += 1
    return count
