"""``openror check``: every derived row matches the resource it is derived from.

Resources are read in batches, in (type, id) order; each batch is one consistent snapshot
(a read transaction on SQLite, REPEATABLE READ on PostgreSQL) holding the resources, their
versions and every row derived from them, so memory stays bounded whatever the size of the
directory and writers may go on meanwhile. Per table, a resource's rows are compared as
multisets: rows the code would build but the table lacks are *missing*, rows the table has
but the code would not build are *extra*, and a missing row paired with an extra one of the
same resource is one *different* row. ``repair`` rebuilds the rows of exactly the resources
that differ, with the code of the write path, then checks them again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa

from openror.fhir.references import reference_targets
from openror.store import capacity_history, derived
from openror.store import consistency_rows as rows
from openror.store import consistency_versions as versions
from openror.store.consistency_rows import Key, KeyRange, Rows
from openror.store.database import Database
from openror.store.schema import resource

#: tables in the order a report lists them
TABLES = ("resource", "resource_version", *(spec.name for spec in rows.OWNED),
          "capacity_history", "search_offer_capacity")


@dataclass
class TableDiff:
    """What differs in one table: row counts, and the resources concerned."""

    missing: int = 0
    extra: int = 0
    different: int = 0
    resources: int = 0
    first: list[str] = field(default_factory=list)  # "Type/id", the first ``show`` of them


@dataclass
class Report:
    checked: int = 0  # resources (current rows) read
    tables: dict[str, TableDiff] = field(default_factory=dict)  # only those that differ
    repaired: int = 0  # resources whose rows were rebuilt
    remaining: dict[str, TableDiff] = field(default_factory=dict)  # still differing after

    @property
    def clean(self) -> bool:
        return not (self.remaining if self.repaired else self.tables)


#: table -> resource -> (missing, extra, different)
Found = dict[str, dict[Key, tuple[int, int, int]]]


def check(db: Database, *, repair: bool = False, batch: int = 1000, show: int = 10,
          progress: Callable[[int], object] = lambda n: None) -> Report:
    """Compare every derived row with its resource; ``repair``: rebuild those that differ."""
    report = Report()
    after: Key | None = None
    while True:
        with _snapshot(db) as conn:
            keys = KeyRange(after, _batch_end(conn, after, batch))
            count, found = _compare(conn, keys)
        report.checked += count
        _add(report.tables, found, show)
        if found and repair:
            report.repaired += _repair(db, found)
            with _snapshot(db) as conn:
                _add(report.remaining, _compare(conn, keys)[1], show)
        progress(count)
        if keys.through is None:
            return report
        after = keys.through


def count_resources(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(resource)).scalar_one())


@contextmanager
def _snapshot(db: Database) -> Iterator[sa.Connection]:
    """A read transaction whose statements all see the same committed state."""
    level = "REPEATABLE READ" if db.dialect == "postgresql" else None
    with db.reader.connect() as conn:
        if level is not None:
            conn.execution_options(isolation_level=level)  # for this connection's checkout
        with conn.begin():
            yield conn


def _batch_end(conn: sa.Connection, after: Key | None, size: int) -> Key | None:
    """The ``size``-th resource after ``after``; None when fewer are left (the last range
    then has no end, and takes in the rows of any resource after the last one)."""
    stmt = sa.select(resource.c.type, resource.c.id).order_by(resource.c.type, resource.c.id)
    stmt = stmt.where(*KeyRange(after, None).where(resource.c.type, resource.c.id))
    row = conn.execute(stmt.offset(size - 1).limit(1)).first()
    return None if row is None else (row[0], row[1])


def _compare(conn: sa.Connection, keys: KeyRange) -> tuple[int, Found]:
    """(how many current rows, what differs) in one range of owners."""
    held = versions.held(conn, keys.where)
    expected = rows.expected({key: h.source() for key, h in held.items()})
    found: Found = {}
    for name, (wanted, stored) in (
            ("resource", versions.current_rows(held)),
            ("resource_version", versions.version_rows(held)),
            *((spec.name, (expected[spec.name], spec.stored(conn, keys)))
              for spec in rows.OWNED),
            ("capacity_history", (rows.expected_history(conn, keys),
                                  rows.stored_history(conn, keys))),
            ("search_offer_capacity", (rows.expected_offer_capacity(conn, keys),
                                       rows.stored_offer_capacity(conn, keys)))):
        differ = _diff(wanted, stored)
        if differ:
            found[name] = differ
    return sum(1 for h in held.values() if h.current), found


def _diff(expected: Rows, stored: Rows) -> dict[Key, tuple[int, int, int]]:
    """Resource -> its rows (missing, extra, different)."""
    if dict.__eq__(expected, stored):  # the usual case, compared in C (no zero counts here)
        return {}
    missing: Counter[Key] = Counter()
    extra: Counter[Key] = Counter()
    for row, n in (expected - stored).items():
        missing[row[:2]] += n
    for row, n in (stored - expected).items():
        extra[row[:2]] += n
    found = {}
    for key in missing.keys() | extra.keys():
        different = min(missing[key], extra[key])
        found[key] = (missing[key] - different, extra[key] - different, different)
    return found


def _add(tables: dict[str, TableDiff], found: Found, show: int) -> None:
    for name, by_key in found.items():
        diff = tables.setdefault(name, TableDiff())
        for key in sorted(by_key):
            missing, extra, different = by_key[key]
            diff.missing += missing
            diff.extra += extra
            diff.different += different
            diff.resources += 1
            if len(diff.first) < show:
                diff.first.append(f"{key[0]}/{key[1]}")


def _repair(db: Database, found: Found) -> int:
    """Rebuild the rows of the resources that differ, in one write transaction, as the write
    path builds them (their current rows first, from their latest versions)."""
    keys = sorted({key for by_key in found.values() for key in by_key})
    # a history replayed from incomplete versions would lose the figures of the lost ones
    gaps = found.get("resource_version", {})
    places = sorted(key[1] for key in found.get("capacity_history", {}) if key not in gaps)
    with db.write() as conn:
        held = versions.held(conn, lambda t, i: [sa.tuple_(t, i).in_(keys)], lock=True)
        for key in keys:
            h = held.get(key)
            if h is not None:
                versions.repair_current(conn, key, h)
            source = h.source() if h is not None else None
            if source is None:
                derived.clear(conn, *key)
            else:
                derived.replace(conn, *key, source.body,
                                targets=reference_targets(source.content))
        if places:
            capacity_history.rebuild_places(conn, places)
    return len(keys)
