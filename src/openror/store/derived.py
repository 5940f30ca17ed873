"""Rows derived from a resource: its identifiers, the references it makes, its search index.

They are replaced in the writer's transaction and can be rebuilt from the stored resources at
any time (``rebuild``), so they never drift from the record of truth.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlalchemy as sa

from openror.fhir.references import literal_references, reference_targets
from openror.store import offer_capacity, rawsql, search_index
from openror.store.dialect import among
from openror.store.row_prints import LAST_WRITTEN, Prints, prints_of
from openror.store.schema import identifier_index, reference_index, resource
from openror.store.search_rows import (
    SENSITIVE_ROW,
    Rows,
    changed_group,
    changed_ranks,
    group_rows,
    index_rows,
    is_sensitive_unit,
)
from openror.store.search_tables import INDEX_TABLES


@dataclass(frozen=True)
class Referrer:
    type: str
    id: str
    path: str


#: tags under this prefix are import keys: natural keys of resources whose profile leaves no
#: room for one more identifier (an offer has exactly one, the ROR functional identifier)
KEY_TAG_PREFIX = "urn:openror:"


def identifier_rows(rtype: str, rid: str, body: dict[str, Any]) -> list[dict[str, str]]:
    rows = [
        {"type": rtype, "id": rid, "system": tag["system"], "value": tag["code"]}
        for tag in (body.get("meta") or {}).get("tag") or []
        if isinstance(tag, dict) and str(tag.get("system", "")).startswith(KEY_TAG_PREFIX)
        and isinstance(tag.get("code"), str)
    ]
    for ident in body.get("identifier") or []:
        value = ident.get("value") if isinstance(ident, dict) else None
        if isinstance(value, str):
            system = ident.get("system")
            rows.append({"type": rtype, "id": rid, "value": value,
                         "system": system if isinstance(system, str) else ""})
    return rows


_CLEAR_IDENTIFIERS = "DELETE FROM identifier_index WHERE type = :t AND id = :i"
_CLEAR_REFERENCES = "DELETE FROM reference_index WHERE source_type = :t AND source_id = :i"
_INSERT_IDENTIFIER = (
    "INSERT INTO identifier_index (type, id, system, value) VALUES (:type, :id, :system, :value)"
)
_INSERT_REFERENCE = (
    "INSERT INTO reference_index (source_type, source_id, target_type, target_id) "
    "VALUES (:source_type, :source_id, :target_type, :target_id)"
)
_IS_LIVE = "SELECT 1 FROM resource WHERE type = :t AND id = :i AND deleted = :no"


def clear(conn: sa.Connection, rtype: str, rid: str) -> None:
    """Remove the rows of a resource (deleted)."""
    _clear_rows(conn, rtype, rid)
    offer_capacity.refresh_written(conn, [(rtype, rid)])


def _clear_rows(conn: sa.Connection, rtype: str, rid: str) -> None:
    rawsql.run(conn, _CLEAR_IDENTIFIERS, {"t": rtype, "i": rid})
    rawsql.run(conn, _CLEAR_REFERENCES, {"t": rtype, "i": rid})
    search_index.clear(conn, rtype, rid)


def replace(conn: sa.Connection, rtype: str, rid: str, body: dict[str, Any] | None,
            *, fresh: bool = False, targets: frozenset[tuple[str, str]] | None = None,
            previous: bytes | None = None,
            previous_body: dict[str, Any] | None = None,
            content: bytes | None = None) -> None:
    """Make the derived rows of one resource match ``body`` (None: deleted).

    ``targets``: the (type, id) the body refers to (``reference_targets`` of its stored
    bytes), when the caller has them already. ``previous``: the stored bytes the current
    rows were derived from; with ``targets``, only the tables whose rows differ are then
    rewritten (a capacity update changes 3 of 12). ``previous_body``: those bytes parsed,
    when the caller has parsed them already. ``content``: the bytes ``body`` is stored as,
    under which this process remembers the rows' fingerprints for the next write."""
    if previous is not None and targets is not None and body is not None and not fresh:
        write_change(conn, row_change(rtype, rid, previous, previous_body, body, targets),
                     content)
        return
    _write_rows(conn, rtype, rid, body, fresh, targets)
    offer_capacity.refresh_written(conn, [(rtype, rid)])


def _write_rows(conn: sa.Connection, rtype: str, rid: str, body: dict[str, Any] | None,
                fresh: bool, targets: frozenset[tuple[str, str]] | None = None) -> None:
    """The rows derived from this resource alone (``replace``, without the offers' capacity
    rows, which depend on other resources too)."""
    if not fresh:
        _clear_rows(conn, rtype, rid)
    if body is None:
        return
    rawsql.run_many(conn, _INSERT_IDENTIFIER, identifier_rows(rtype, rid, body))
    if targets is None:
        targets = frozenset((s.target_type, s.target_id) for s in literal_references(body))
    rawsql.run_many(conn, _INSERT_REFERENCE, reference_rows(rtype, rid, targets))
    search_index.insert(conn, [index_rows(rtype, rid, body)])


@dataclass(frozen=True)
class RowChange:
    """What a new version of a resource changes in its derived rows: computed without the
    database (``row_change``), so that a writer may compute it before it takes the write
    lock, then written (``write_change``)."""

    rtype: str
    rid: str
    identifiers: list[dict[str, str]] | None  # None: as before
    references: list[dict[str, str]] | None  # None: as before
    tables: Rows  # rows to insert, per index table
    cleared: tuple[str, ...]  # index tables whose rows of the resource are deleted first
    #: per index table, the (param, grp) whose rows of the resource are deleted first
    keys: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    prints: Prints | None = None  # of every index table's new rows, when computed


def row_change(rtype: str, rid: str, stored: bytes, previous: dict[str, Any] | None,
               body: dict[str, Any], targets: frozenset[tuple[str, str]]) -> RowChange:
    """The rows of the previous version (stored as ``stored``) are recomputed rather than
    read — cheaper than a query per table, and exact as long as the rows in the tables are
    those this code derives (a migration that changes them rebuilds them; ``openror reindex``
    otherwise) — or, better, their fingerprints are remembered from the write that stored
    them (``row_prints``). When only the elements of one group changed (a capacity update),
    only that group's rows are derived, and only those of its elements that changed are
    rewritten."""
    previous = previous or orjson.loads(stored)
    identifiers = identifier_rows(rtype, rid, body)
    kept_identifiers = identifiers == identifier_rows(rtype, rid, previous)
    references = None if targets == reference_targets(stored) \
        else reference_rows(rtype, rid, targets)
    group = changed_group(rtype, previous, body)
    if group is not None:
        ranks = changed_ranks(rtype, group, previous, body)
        tables, keys = _group_change(group_rows(rtype, rid, previous, group, ranks),
                                     group_rows(rtype, rid, body, group, ranks))
        return RowChange(rtype, rid, None if kept_identifiers else identifiers, references,
                         tables, (), keys)
    new = index_rows(rtype, rid, body)
    new_prints = prints_of(new)
    old_prints = LAST_WRITTEN.get(rtype, rid, stored) \
        or prints_of(index_rows(rtype, rid, previous))
    changed = [table for table, old_print, new_print
               in zip(INDEX_TABLES, old_prints, new_prints, strict=True)
               if old_print != new_print]
    return RowChange(rtype, rid, None if kept_identifiers else identifiers, references,
                     {table: new.get(table, []) for table in changed}, tuple(changed),
                     prints=new_prints)


def _group_change(old: Rows, new: Rows) -> tuple[Rows, dict[str, list[dict[str, Any]]]]:
    """The rows to insert and the (param, grp) keys to clear first, per table: those of the
    keys whose rows differ."""
    inserted: Rows = {}
    keys: dict[str, list[dict[str, Any]]] = {}
    for table in new:
        before, after = _by_key(old[table]), _by_key(new[table])
        differ = [key for key in dict.fromkeys([*before, *after])
                  if before.get(key) != after.get(key)]
        if differ:
            keys[table] = [{"param": param, "grp": grp} for param, grp in differ]
            inserted[table] = [row for key in differ for row in after.get(key, [])]
    return inserted, keys


def _by_key(rows: list[dict[str, Any]]) -> dict[tuple[str | None, int], list[dict[str, Any]]]:
    found: dict[tuple[str | None, int], list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault((row.get("param"), row["grp"]), []).append(row)
    return found


def write_change(conn: sa.Connection, change: RowChange, content: bytes | None) -> None:
    """Write a ``row_change``; ``content``: the bytes it was computed for (``replace``)."""
    owner = {"t": change.rtype, "i": change.rid}
    with rawsql.batched(conn):  # deletes and inserts only: one round trip on PostgreSQL
        if change.identifiers is not None:
            rawsql.run(conn, _CLEAR_IDENTIFIERS, owner)
            rawsql.run_many(conn, _INSERT_IDENTIFIER, change.identifiers)
        if change.references is not None:
            rawsql.run(conn, _CLEAR_REFERENCES, owner)
            rawsql.run_many(conn, _INSERT_REFERENCE, change.references)
        search_index.clear_many(conn, [{"type": change.rtype, "id": change.rid}],
                                change.cleared)
        for table, keys in change.keys.items():
            search_index.clear_keys(conn, table, change.rtype, change.rid, keys)
        search_index.insert(conn, [change.tables])
        if offer_capacity.sources_changed(change.rtype, {*change.cleared, *change.keys,
                                                          *change.tables}):
            offer_capacity.refresh_written(conn, [(change.rtype, change.rid)])
    if content is not None and change.prints is not None:
        LAST_WRITTEN.put(change.rtype, change.rid, content, change.prints)


def reference_rows(rtype: str, rid: str, targets: Iterable[tuple[str, str]]
                   ) -> list[dict[str, str]]:
    return [{"source_type": rtype, "source_id": rid, "target_type": t, "target_id": i}
            for t, i in sorted(targets)]


def referrers(conn: sa.Connection, rtype: str, rid: str, limit: int = 50) -> list[Referrer]:
    """Live resources that refer to ``rtype/rid``, each with where it does (its path)."""
    ri = reference_index
    stmt = (
        sa.select(ri.c.source_type, ri.c.source_id, resource.c.content)
        .join(resource, sa.and_(resource.c.type == ri.c.source_type,
                                resource.c.id == ri.c.source_id))
        .where(ri.c.target_type == rtype, ri.c.target_id == rid)
        .where(sa.not_(sa.and_(ri.c.source_type == rtype, ri.c.source_id == rid)))
        .order_by(ri.c.source_type, ri.c.source_id)
        .limit(limit)
    )
    found = []
    for source_type, source_id, content in conn.execute(stmt):
        sites = literal_references(orjson.loads(content))
        paths = [s.expression for s in sites if (s.target_type, s.target_id) == (rtype, rid)]
        found += [Referrer(source_type, source_id, path) for path in paths[:1] or [""]]
    return found


#: up to this many keys, one primary-key lookup each beats building an IN query
_FEW = 8


def existing(conn: sa.Connection, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (type, id) pairs name a live (not deleted) resource: a few lookups for one write,
    one query per type for a batch."""
    wanted = set(keys)
    if len(wanted) <= _FEW:
        return {(t, i) for t, i in wanted
                if rawsql.run(conn, _IS_LIVE, {"t": t, "i": i, "no": False}).fetchone()}
    by_type: dict[str, set[str]] = {}
    for rtype, rid in wanted:
        by_type.setdefault(rtype, set()).add(rid)
    found: set[tuple[str, str]] = set()
    for rtype, ids in by_type.items():
        stmt = sa.select(resource.c.id).where(resource.c.type == rtype,
                                              among(conn, resource.c.id, sorted(ids)),
                                              resource.c.deleted.is_(False))
        found.update((rtype, rid) for (rid,) in conn.execute(stmt))
    return found


_FIND_ANY = ("SELECT DISTINCT id FROM identifier_index WHERE type = :t AND value = :v "
             "LIMIT :n")
_FIND = ("SELECT DISTINCT id FROM identifier_index WHERE type = :t AND value = :v "
         "AND system = :s LIMIT :n")


def find_by_identifier(conn: sa.Connection, rtype: str, system: str | None, value: str,
                       limit: int = 2) -> list[str]:
    """Ids of live resources of ``rtype`` carrying the identifier (system None = any)."""
    params: dict[str, Any] = {"t": rtype, "v": value, "n": limit}
    if system is None:
        return [row[0] for row in rawsql.run(conn, _FIND_ANY, params).fetchall()]
    return [row[0] for row in rawsql.run(conn, _FIND, {**params, "s": system}).fetchall()]


def _live(conn: sa.Connection, batch: int, rtype: str | None = None
          ) -> Iterator[tuple[str, str, dict[str, Any]]]:
    stmt = sa.select(resource.c.type, resource.c.id, resource.c.content).where(
        resource.c.deleted.is_(False))
    if rtype is not None:
        stmt = stmt.where(resource.c.type == rtype)
    for kind, rid, content in conn.execute(stmt).yield_per(batch):
        yield kind, rid, orjson.loads(content)


def add_access_rows(conn: sa.Connection, batch: int = 500) -> int:
    """Add the read policy's marks (``search_rows.SENSITIVE_ROW``) to the offers already
    indexed; return how many were marked."""
    marked = [{"type": kind, "id": rid, **SENSITIVE_ROW}
              for kind, rid, body in _live(conn, batch, "HealthcareService")
              if is_sensitive_unit(body)]
    search_index.insert(conn, [{"search_token": marked}])
    return len(marked)


def rebuild_search(conn: sa.Connection, batch: int = 500) -> int:
    """Recompute the search index rows only; return the count of resources."""
    return rebuild_tables(conn, INDEX_TABLES, batch=batch)


def rebuild_tables(conn: sa.Connection, tables: tuple[str, ...], rtype: str | None = None,
                   batch: int = 500) -> int:
    """Recompute some search index tables (those a migration adds or changes, which may be
    older than this code), for every live resource or those of ``rtype``; return the count of
    resources. The offers' capacity rows are made from some of them: a migration that
    changes those runs ``offer_capacity.rebuild`` after."""
    search_index.clear_all(conn, tables, rtype)
    pending: list[Rows] = []
    count = 0
    for kind, rid, body in _live(conn, batch, rtype):
        rows = index_rows(kind, rid, body)
        pending.append({table: rows[table] for table in tables})
        count += 1
        if len(pending) >= batch:
            search_index.insert(conn, pending)
            pending = []
    search_index.insert(conn, pending)
    return count


def rebuild(conn: sa.Connection, batch: int = 500) -> int:
    """Recompute every derived row from the stored resources; return the count of resources."""
    conn.execute(identifier_index.delete())
    conn.execute(reference_index.delete())
    search_index.clear_all(conn)
    count = 0
    for rtype, rid, body in _live(conn, batch):
        _write_rows(conn, rtype, rid, body, fresh=True)
        count += 1
    offer_capacity.rebuild(conn)
    return count
