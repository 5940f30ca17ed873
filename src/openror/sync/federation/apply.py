"""Apply one page of a source's changes in one transaction, through the write path (the
bulk path of the importers), and move the source's cursor in that same transaction: a page
is applied whole or not at all, and applying it again changes nothing (an unchanged version
makes no new one; changes at or below the cursor are skipped)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from openror.access.caller import SYSTEM
from openror.errors import OpenRORError
from openror.services.batch import ID_KEY, Upsert
from openror.services.bulk import BulkWriter
from openror.services.writes import WritePath, WriteResult
from openror.store import deadlocks, federation_sources, rawsql
from openror.store.federation_tables import federation_conflict, federation_owner
from openror.store.feed import LogEntry
from openror.sync.federation.feed_page import FEDERATED_TYPES, Change
from openror.sync.federation.precedence import Judge, Key, Verdict

_OWN = ("INSERT INTO federation_owner (type, id, source, seq) VALUES (:type, :id, :source, "
        ":seq) ON CONFLICT (type, id) DO UPDATE SET source = excluded.source, "
        "seq = excluded.seq")
_SETTLED = "DELETE FROM federation_conflict WHERE source = :source AND type = :type AND id = :id"


@dataclass
class Tally:
    written: int = 0  # new versions made here
    unchanged: int = 0  # offered again as they are: nothing to do
    deleted: int = 0
    held: int = 0  # not applied: see federation_conflict
    skipped: int = 0  # not federated types, already applied, or not ours to delete

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def __str__(self) -> str:
        return (f"{self.written} written, {self.unchanged} unchanged, {self.deleted} deleted, "
                f"{self.held} held, {self.skipped} skipped")


def log_entry(source: str, batch: str) -> LogEntry:
    """The change log names the source as the actor of what federation writes."""
    return LogEntry(actor=f"federation:{source}", batch_id=f"federation:{source}:{batch}",
                    reason=f"change from federation source {source}")


def latest(changes: list[Change], cursor: int | None) -> tuple[list[Change], int]:
    """The last change of each resource of the federated types, after ``cursor`` (None: all),
    in the order of their first changes; and how many changes that leaves out."""
    kept: dict[Key, Change] = {}
    for change in changes:
        if change.type not in FEDERATED_TYPES:
            continue
        if cursor is not None and change.seq is not None and change.seq <= cursor:
            continue
        kept[(change.type, change.id)] = change  # at its first place: targets come first
    return list(kept.values()), len(changes) - len(kept)


class PageWriter:
    """Writes pages of one source through ``writes`` (with its after-write hooks)."""

    def __init__(self, writes: WritePath, source: str) -> None:
        self.writes, self.source = writes, source

    @deadlocks.retried  # the whole page again: its transaction left nothing behind
    def apply(self, changes: list[Change], next_after: int | None, now: datetime,
              *, repair: bool = False) -> Tally:
        """One transaction: the page's changes, then the cursor (``next_after``; None:
        unchanged). ``repair``: the changes are current versions re-fetched by verify, not
        feed entries (no cursor to compare with)."""
        with self.writes.db.write() as conn:
            row = federation_sources.need(conn, self.source)
            chosen, skipped = latest(changes, None if repair else row.cursor)
            tally = Tally(skipped=skipped)
            batch = f"{row.cursor}-{next_after}" if not repair else f"repair-{now.isoformat()}"
            log = log_entry(self.source, batch)
            judge = Judge(conn, self.source, federation_sources.precedences(conn), chosen)
            verdicts = [judge.verdict(change) for change in chosen]
            self._write(conn, verdicts, log, tally)
            self._record(conn, verdicts, now)
            if next_after is not None:
                federation_sources.advance(conn, self.source, next_after,
                                           tally.written + tally.deleted, now)
        return tally

    def _write(self, conn: sa.Connection, verdicts: list[Verdict], log: LogEntry,
               tally: Tally) -> None:
        for verdict in verdicts:
            for twin in verdict.displace if verdict.take else ():
                self._delete(conn, verdict, twin, log)
        upserts = [v for v in verdicts if v.take and v.change.body is not None]
        for verdict, result in self._upsert(conn, upserts, log):
            if result is not None:
                tally.unchanged += result.unchanged
                tally.written += not result.unchanged
                if self.writes.after_write:
                    body = result.body  # parsed once: the write path hands its hooks one body
                    for hook in self.writes.after_write:
                        hook(conn, verdict.change.type, verdict.change.id, body)
        for verdict in verdicts:
            if verdict.take and verdict.change.body is None:
                change = verdict.change
                tally.deleted += self._delete(conn, verdict, (change.type, change.id), log)
            elif not verdict.take:
                tally.skipped += verdict.reason == ""
        tally.held += sum(1 for v in verdicts if not v.take and v.reason)

    def _upsert(self, conn: sa.Connection, verdicts: list[Verdict], log: LogEntry
                ) -> list[tuple[Verdict, WriteResult | None]]:
        """All in one bulk write; if the write path refuses one, each alone in a savepoint,
        so that only the refused ones are held."""
        items = [_item(v.change) for v in verdicts]
        try:
            with _savepoint(conn, "federation_page"):
                results = BulkWriter(self.writes, conn, log, caller=SYSTEM).upsert_all(items)
            return list(zip(verdicts, results, strict=True))
        except OpenRORError:
            pass
        done: list[tuple[Verdict, WriteResult | None]] = []
        for verdict in verdicts:
            try:
                with _savepoint(conn, "federation_change"):
                    writer = BulkWriter(self.writes, conn, log, caller=SYSTEM)
                    done.append((verdict, writer.upsert_all([_item(verdict.change)])[0]))
            except OpenRORError as exc:
                _refused(verdict, exc)
                done.append((verdict, None))
        return done

    def _delete(self, conn: sa.Connection, verdict: Verdict, key: Key, log: LogEntry) -> bool:
        try:
            with _savepoint(conn, "federation_change"):
                self.writes.delete_in(conn, key[0], key[1], log, caller=SYSTEM)
        except OpenRORError as exc:
            _refused(verdict, exc)
            return False
        conn.execute(federation_owner.delete().where(federation_owner.c.type == key[0],
                                                     federation_owner.c.id == key[1]))
        return True

    def _record(self, conn: sa.Connection, verdicts: list[Verdict], now: datetime) -> None:
        """Owners of what was written, and the changes held (the latest per resource)."""
        owned = [{"type": v.change.type, "id": v.change.id, "source": self.source,
                  "seq": v.change.seq or 0}
                 for v in verdicts if v.take and v.change.body is not None]
        rawsql.run_many(conn, _OWN, owned)
        fc = federation_conflict
        if conn.execute(sa.select(fc.c.seq).where(fc.c.source == self.source).limit(1)
                        ).first() is not None:  # most sources never have any
            rawsql.run_many(conn, _SETTLED, [
                {"source": self.source, "type": v.change.type, "id": v.change.id}
                for v in verdicts if v.take or not v.reason])
        held = [{"source": self.source, "type": v.change.type, "id": v.change.id,
                 "seq": v.change.seq or 0, "at": now, "reason": v.reason[:1000]}
                for v in verdicts if not v.take and v.reason]
        if held:
            insert = _insert(conn, fc)
            conn.execute(insert.on_conflict_do_update(
                index_elements=["source", "type", "id"],
                set_={"seq": insert.excluded.seq, "at": insert.excluded.at,
                      "reason": insert.excluded.reason}), held)


def _item(change: Change) -> Upsert:
    assert change.body is not None
    body = dict(change.body)  # the page's own copy: the writer may change it
    return Upsert(body, ID_KEY, change.id, frozenset(), replace=True, checked=True)


def _refused(verdict: Verdict, exc: OpenRORError) -> None:
    verdict.take = False
    verdict.reason = f"refused here: {exc.message}"


def _insert(conn: sa.Connection, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


@contextmanager
def _savepoint(conn: sa.Connection, name: str) -> Iterator[None]:
    rawsql.run(conn, f"SAVEPOINT {name}", {})
    try:
        yield
    except BaseException:
        rawsql.run(conn, f"ROLLBACK TO SAVEPOINT {name}", {})
        rawsql.run(conn, f"RELEASE SAVEPOINT {name}", {})
        raise
    rawsql.run(conn, f"RELEASE SAVEPOINT {name}", {})
