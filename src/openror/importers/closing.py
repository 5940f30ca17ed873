"""Closing what vanished: resources a registry created earlier whose key is no longer in the
newer file, within the scopes (e.g. départements) that file covers. Never deleted; the
registry's reference rows (``KeepsReference``) are marked the same way, never deleted either."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson
import sqlalchemy as sa

from openror.access.caller import SYSTEM
from openror.importers.base import KeepsReference, Key
from openror.services.batch import Batch
from openror.store import imports
from openror.store.feed import LogEntry
from openror.store.resources import read_current
from openror.store.schema import identifier_index

if TYPE_CHECKING:
    from openror.importers.run import ImportRun


def vanished(conn: sa.Connection, run: ImportRun, scopes: list[str]
             ) -> list[tuple[str, str]]:
    """(type, id) of resources keyed by this source, in scope, absent from the run's file."""
    if not run.source.key_systems() or not scopes:
        return []
    present = imports.staged_keys(conn, run.run_id)
    ii = identifier_index
    stmt = sa.select(ii.c.type, ii.c.id, ii.c.system, ii.c.value).where(
        ii.c.system.in_(sorted(run.source.key_systems())))
    wanted = set(scopes)
    return sorted({
        (rtype, rid) for rtype, rid, system, value in conn.execute(stmt)
        if (rtype, system, value) not in present
        and run.source.scope_of_key(Key(system, value)) in wanted
    })


def close_vanished(run: ImportRun, scopes: list[str], log: LogEntry, chunk: int = 500) -> None:
    db = run.services.db
    with db.read() as conn:
        targets = vanished(conn, run, scopes)
    for start in range(0, len(targets), chunk):
        with db.write() as conn:
            batch = Batch(run.services.writes, conn, log, caller=SYSTEM)
            for rtype, rid in targets[start:start + chunk]:
                current = read_current(conn, rtype, rid)
                if current is None or current.content is None:
                    continue
                closed = run.source.close(orjson.loads(current.content))
                if closed is not None and not batch.close(rtype, rid, closed).unchanged:
                    run.summary.closed += 1


def mark_vanished_references(run: ImportRun, scopes: list[str]) -> None:
    """The reference rows of keys absent from the run's files, within its scopes, in one
    transaction (a reference row is small: no need to chunk)."""
    source = run.source
    if not isinstance(source, KeepsReference) or not scopes:
        return
    with run.services.db.write() as conn:
        present = {(rtype, Key(system, value))
                   for rtype, system, value in imports.staged_keys(conn, run.run_id)}
        source.mark_vanished_references(conn, present, scopes)
