"""A batch of import upserts written with one statement per table.

The same steps as the per-record write path (``WritePath.prepare`` does the stamping,
attribution, comparison and validation), but the reads are gathered before and the writes
after: current versions and logical references are fetched with one query per type, change-feed
numbers are reserved in one go, and versions, feed, log and derived rows are inserted with
``executemany``. On PostgreSQL this turns a dozen round trips per record into a few per batch.

Any error raises: the caller redoes the batch record by record (``services.batch.Batch``), which
refuses the faulty record alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlalchemy as sa

from openror.access.caller import Caller
from openror.errors import InvalidInput, error
from openror.fhir.references import may_refer_logically
from openror.services.batch import ID_KEY, Upsert, resolve_references, tag_key
from openror.services.reconcile import reconcile
from openror.services.writes import Prepared, WritePath, WriteResult, resource_type, restamp
from openror.store import (
    capacity_history,
    derive_process,
    feed_order,
    offer_capacity,
    rawsql,
    search_index,
)
from openror.store.derived import existing, identifier_rows, reference_rows
from openror.store.dialect import among
from openror.store.feed import LogEntry
from openror.store.resources import StoredResource, restamp_currents, stored_from_row
from openror.store.schema import identifier_index, resource

# the rows a batch inserts (rawsql.insert_many: by COPY on PostgreSQL): table, columns
_FEED = ("change_feed", ("seq", "type", "id", "version", "action", "at"))
_LOG = ("change_log", ("seq", "actor", "at", "request_id", "batch_id", "reason",
                       "before_version", "after_version"))
_VERSION = ("resource_version", ("type", "id", "version", "last_updated", "deleted", "seq",
                                 "content"))
_CURRENT = ("resource", ("type", "id", "version", "last_updated", "deleted", "region",
                         "content"))
_IDENTIFIER = ("identifier_index", ("type", "id", "system", "value"))
_REFERENCE = ("reference_index", ("source_type", "source_id", "target_type", "target_id"))
_UPDATE_CURRENT = ("UPDATE resource SET version = :version, last_updated = :last_updated, "
                   "deleted = :deleted, region = :region, content = :content "
                   "WHERE type = :type AND id = :id AND version = :previous")
_CLEAR_IDENTIFIERS = "DELETE FROM identifier_index WHERE type = :type AND id = :id"
_CLEAR_REFERENCES = "DELETE FROM reference_index WHERE source_type = :type AND source_id = :id"
_RESERVE = ("INSERT INTO counter (name, value) VALUES (:name, :n) ON CONFLICT (name) "
            "DO UPDATE SET value = counter.value + :n RETURNING value")


@dataclass
class _Numbers:
    """Functional-identifier numbers reserved a block at a time (gaps allowed, no reuse)."""

    conn: sa.Connection
    block: int
    ranges: dict[str, list[int]] = field(default_factory=dict)

    def __call__(self, name: str) -> int:
        free = self.ranges.get(name)
        if not free:
            top = int(rawsql.run(self.conn, _RESERVE, {"name": name, "n": self.block})
                      .fetchone()[0])
            free = self.ranges[name] = list(range(top - self.block + 1, top + 1))
        return free.pop(0)


class BulkWriter:
    def __init__(self, writes: WritePath, conn: sa.Connection, log: LogEntry, *,
                 caller: Caller) -> None:
        self.writes, self.conn, self.log, self.caller = writes, conn, log, caller
        self.dialect = conn.dialect.name
        #: (type, system, value) -> id, for keys and logical references
        self.ids: dict[tuple[str, str, str], str] = {}

    def upsert_all(self, items: list[Upsert]) -> list[WriteResult]:
        currents = self._prefetch_currents(items)
        # serialised once per record for the test (the bodies do not change until _one)
        logical = [i for i in items if not i.replace and _may_refer_logically(i.resource)]
        self._prefetch_identifiers(_logical_keys(logical))
        refers = {id(i) for i in logical}
        numbers = _Numbers(self.conn, len(items))
        results: list[WriteResult] = []
        prepared: list[Prepared] = []
        for item in items:
            found = self._one(item, currents, numbers, id(item) in refers)
            if isinstance(found, WriteResult):
                results.append(found)
                continue
            prepared.append(found)
            results.append(found.result)
            self._remember(found)
        derived = _Derived(prepared)  # in the helper process meanwhile, during a bulk run
        self._check_references(prepared)
        settled = {id(p.result): s.result for p, s in zip(prepared,
                                                           self._flush(prepared, derived),
                                                           strict=True)}
        return [settled.get(id(result), result) for result in results]

    # -- per record ----------------------------------------------------------------------

    def _one(self, item: Upsert, currents: dict[tuple[str, str], StoredResource],
             numbers: _Numbers, refers: bool) -> Prepared | WriteResult:
        """``refers``: the record may hold logical references (``_may_refer_logically``)."""
        rtype = str(item.resource["resourceType"])
        rt = resource_type(rtype, "create")
        # The items are private (decoded from the staging table for this batch): no copy.
        incoming = item.resource
        if refers:
            resolve_references(incoming, self._lookup)
        tag_key(incoming, item)
        rid = self._id_of(item, rtype)
        current = currents.get((rtype, rid)) if rid else None
        owned = frozenset(e for e in item.owned if e in incoming)
        if current is None or current.content is None:
            return self.writes.prepare(rt, rid or str(uuid.uuid4()), current, incoming,
                                       "create", self.log, owned, item.checked, numbers,
                                       caller=self.caller, conn=self.conn)
        merged = incoming if item.replace else reconcile(
            orjson.loads(current.content), incoming, item.owned, item.owned_extensions)
        return self.writes.prepare(rt, current.id, current, merged, "update", self.log, owned,
                                   item.checked, numbers, caller=self.caller,
                                   conn=self.conn)

    def _id_of(self, item: Upsert, rtype: str) -> str | None:
        if item.key_system == ID_KEY:
            return item.key_value
        return self.ids.get((rtype, item.key_system, item.key_value))

    def _lookup(self, rtype: str, ident: dict[str, Any], path: str) -> str:
        key = (rtype, str(ident.get("system")), str(ident.get("value")))
        if key not in self.ids:
            raise InvalidInput([error("not-found", f"no {rtype} with identifier "
                                      f"{key[1]}|{key[2]}", path)])
        return self.ids[key]

    def _remember(self, prepared: Prepared) -> None:
        for row in identifier_rows(prepared.new.type, prepared.new.id, prepared.body):
            self.ids[(row["type"], row["system"], row["value"])] = row["id"]

    # -- reads, gathered -------------------------------------------------------------------

    def _prefetch_currents(self, items: list[Upsert]) -> dict[tuple[str, str], StoredResource]:
        self._prefetch_identifiers(
            (str(i.resource["resourceType"]), i.key_system, i.key_value)
            for i in items if i.key_system != ID_KEY)
        wanted: dict[str, set[str]] = {}
        for item in items:
            rtype = str(item.resource["resourceType"])
            rid = self._id_of(item, rtype)
            if rid:
                wanted.setdefault(rtype, set()).add(rid)
        found: dict[tuple[str, str], StoredResource] = {}
        for rtype, ids in sorted(wanted.items()):
            stmt = sa.select(resource.c.id, resource.c.version, resource.c.last_updated,
                             resource.c.deleted, resource.c.content).where(
                resource.c.type == rtype, among(self.conn, resource.c.id, sorted(ids)))
            if self.dialect == "postgresql":
                # locked now, in one order for every writer, not once the feed's turn is
                # held (store.feed_order): a writer holding a row and waiting for the
                # turn would otherwise deadlock with this one
                stmt = stmt.order_by(resource.c.id).with_for_update()
            for rid, *row in self.conn.execute(stmt):
                found[(rtype, rid)] = stored_from_row(rtype, rid, row)
        return found

    def _prefetch_identifiers(self, keys: Iterable[tuple[str, str, str]]) -> None:
        by_type: dict[str, set[str]] = {}
        for rtype, _system, value in keys:
            by_type.setdefault(rtype, set()).add(value)
        ii = identifier_index
        for rtype, values in by_type.items():
            stmt = sa.select(ii.c.system, ii.c.value, ii.c.id).where(
                ii.c.type == rtype, among(self.conn, ii.c.value, sorted(values)))
            seen: dict[tuple[str, str], set[str]] = {}
            for system, value, rid in self.conn.execute(stmt):
                seen.setdefault((system, value), set()).add(rid)
            for (system, value), ids in seen.items():
                if len(ids) > 1:
                    raise InvalidInput([error("multiple-matches", f"several {rtype} carry "
                                              f"{system}|{value}", rtype)])
                self.ids[(rtype, system, value)] = next(iter(ids))

    def _check_references(self, prepared: list[Prepared]) -> None:
        made = {(p.new.type, p.new.id) for p in prepared}
        wanted = {target for p in prepared for target in p.targets} - made
        missing = wanted - existing(self.conn, wanted)
        if missing:  # the record-by-record retry names the element of each
            raise InvalidInput([error("not-found", f"{rtype}/{rid} does not exist")
                                for rtype, rid in sorted(missing)])

    # -- writes, gathered ------------------------------------------------------------------

    def _flush(self, prepared: list[Prepared], derived: _Derived) -> list[Prepared]:
        """Store the batch; return it with the times settled under the feed's turn.

        What depends neither on the change numbers nor on the times is written before the
        turn (``store.feed_order``), which is then held to commit: derived rows, and the
        current rows with the times settled against the feed as it is now (most of the
        changes that commit while a batch is prepared have done so by then); under the
        turn, only the rows overtaken since get their time again."""
        if not prepared:
            return prepared
        self._replace_derived(prepared)
        head = feed_order.newest(self.conn).at
        prepared = [restamp(p, head) for p in prepared]
        self._write_currents(prepared)
        search_index.insert_tuples(self.conn, derived.rows())
        offer_capacity.refresh_written(self.conn, [(p.new.type, p.new.id) for p in prepared])
        floor = feed_order.take_turn(self.conn)  # from here to commit, one writer at a time
        settled = [restamp(p, floor) for p in prepared]
        restamp_currents(self.conn, [s.new for p, s in zip(prepared, settled, strict=True)
                                     if s is not p])
        self._number(settled)
        self._record_capacities(settled)
        return settled

    def _write_currents(self, prepared: list[Prepared]) -> None:
        inserts, updates = [], []
        for p in prepared:
            new = p.new
            current = {"type": new.type, "id": new.id, "version": new.version,
                       "last_updated": rawsql.db_time(new.last_updated, self.dialect),
                       "deleted": False, "region": new.region, "content": new.content}
            if p.current is None:
                inserts.append(current)
            else:
                updates.append({**current, "previous": p.current.version})
        rawsql.insert_many(self.conn, *_CURRENT, inserts)
        self._update_currents(updates)

    def _number(self, prepared: list[Prepared]) -> None:
        """The feed, log and version rows, under the turn."""
        seqs = self._reserve_seqs(len(prepared))
        feed, logs, versions = [], [], []
        for seq, p in zip(seqs, prepared, strict=True):
            new, at = p.new, rawsql.db_time(p.new.last_updated, self.dialect)
            feed.append({"seq": seq, "type": new.type, "id": new.id, "version": new.version,
                         "action": new.action, "at": at})
            logs.append({"seq": seq, "actor": self.log.actor, "at": at, "request_id": None,
                         "batch_id": self.log.batch_id, "reason": self.log.reason,
                         "before_version": new.version - 1 if new.version > 1 else None,
                         "after_version": new.version})
            versions.append({"type": new.type, "id": new.id, "version": new.version,
                             "last_updated": at, "deleted": False, "seq": seq,
                             "content": new.content})
        for (table, columns), rows in ((_FEED, feed), (_LOG, logs), (_VERSION, versions)):
            rawsql.insert_many(self.conn, table, columns, rows)

    def _reserve_seqs(self, count: int) -> list[int]:
        feed_order.lock(self.conn)  # numbering order = commit order (store.feed_order)
        if self.dialect == "postgresql":
            sql = ("SELECT nextval(pg_get_serial_sequence('change_feed', 'seq')) "
                   "FROM generate_series(1, :n)")
            return [int(r[0]) for r in rawsql.run(self.conn, sql, {"n": count}).fetchall()]
        # SQLite: this transaction holds the write lock, so the next numbers are ours.
        row = rawsql.run(self.conn, "SELECT seq FROM sqlite_sequence WHERE name = "
                         "'change_feed'", {}).fetchone()
        start = int(row[0]) if row else 0
        return list(range(start + 1, start + count + 1))

    def _update_currents(self, updates: list[dict[str, Any]]) -> None:
        for row in updates:  # one by one: each must still hold the version it was read at
            if rawsql.run(self.conn, _UPDATE_CURRENT, row).rowcount != 1:
                raise InvalidInput([error("conflict", f"{row['type']}/{row['id']} changed "
                                          "during the import; run it again")])

    def _replace_derived(self, prepared: list[Prepared]) -> None:
        old = [{"type": p.new.type, "id": p.new.id} for p in prepared if p.current is not None]
        rawsql.run_many(self.conn, _CLEAR_IDENTIFIERS, old)
        rawsql.run_many(self.conn, _CLEAR_REFERENCES, old)
        search_index.clear_many(self.conn, old)
        rawsql.insert_many(self.conn, *_IDENTIFIER, [
            row for p in prepared for row in identifier_rows(p.new.type, p.new.id, p.body)])
        rawsql.insert_many(self.conn, *_REFERENCE, [
            row for p in prepared for row in reference_rows(p.new.type, p.new.id, p.targets)])

    def _record_capacities(self, prepared: list[Prepared]) -> None:
        capacity_history.record(self.conn, [
            row for p in prepared if p.new.type == "Location"
            for row in capacity_history.write_rows(
                p.new.id, p.new.version, p.new.last_updated, p.new.region,
                p.current.content if p.current else None, p.body, p.previous)])


class _Derived:
    """The search index rows of a batch: by the helper process during a bulk run
    (``store.derive_process``), else in-line when asked for."""

    def __init__(self, prepared: list[Prepared]) -> None:
        self.prepared = prepared
        self.coming = derive_process.submit([(p.new.type, p.new.id, p.new.content)
                                             for p in prepared if p.new.content is not None])

    def rows(self) -> search_index.TupleRows:
        if self.coming is not None:
            try:
                return self.coming.result()
            except Exception:  # the helper died: derived here (a fault of the rows
                pass  # themselves is then raised by this process)
        return derive_process.derive_parsed((p.new.type, p.new.id, p.body)
                                            for p in self.prepared)


def _logical_keys(items: list[Upsert]) -> list[tuple[str, str, str]]:
    """The logical references of ``items`` (those that may hold some)."""
    found: list[tuple[str, str, str]] = []

    def walk(node: Any) -> None:
        if type(node) is list:
            for value in node:
                walk(value)
        elif type(node) is dict:
            ident, rtype = node.get("identifier"), node.get("type")
            if type(ident) is dict and type(rtype) is str and "reference" not in node:
                found.append((rtype, str(ident.get("system")), str(ident.get("value"))))
                return
            for value in node.values():
                if type(value) in (dict, list):
                    walk(value)

    for item in items:
        walk(item.resource)
    return found


def _may_refer_logically(body: dict[str, Any]) -> bool:
    return may_refer_logically(orjson.dumps(body))
