"""The derived rows of a range of resources, twice: as stored, and as the code that writes
them would build them from the resources (``openror check``).

Rows are compared as tuples ``(owner type, owner id, other columns…)`` counted in a
``Counter``, so that a row stored twice counts twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from openror.fhir.references import reference_targets
from openror.store import capacity_history, offer_capacity
from openror.store.derived import identifier_rows, reference_rows
from openror.store.schema import identifier_index, metadata, reference_index, resource_version
from openror.store.search_rows import index_rows
from openror.store.search_tables import INDEX_TABLES, search_offer_capacity, search_token

Key = tuple[str, str]
Rows = Counter[tuple[Any, ...]]  # (type, id, *values) -> how many times
PLACE = "Location"  # the resources capacity_history is derived from


@dataclass(frozen=True)
class KeyRange:
    """The owners (type, id) after ``after`` (excluded) up to ``through`` (included); None:
    no bound. Consecutive ranges cover every owner, even one that has no resource row."""

    after: Key | None
    through: Key | None

    def where(self, type_col: Any, id_col: Any) -> list[sa.ColumnElement[bool]]:
        if self.after is not None and self.through is not None \
                and self.after[0] == self.through[0]:
            # most ranges: PostgreSQL estimates a row comparison by its first column alone
            # (a whole type, a scan of the table), these conditions as the few rows they are
            return [type_col == self.after[0], id_col > self.after[1],
                    id_col <= self.through[1]]
        owner = sa.tuple_(type_col, id_col)
        found = []
        if self.after is not None:
            found.append(owner > sa.tuple_(*map(sa.literal, self.after)))
        if self.through is not None:
            found.append(owner <= sa.tuple_(*map(sa.literal, self.through)))
        return found

    def where_ids(self, rtype: str, id_col: Any) -> list[sa.ColumnElement[bool]] | None:
        """The same range on the ids of one type (an id column without its type); None when
        it holds no id of ``rtype``. Type names are ASCII: Python orders them as SQL does."""
        found = []
        if self.after is not None:
            if self.after[0] > rtype:
                return None
            if self.after[0] == rtype:
                found.append(id_col > self.after[1])
        if self.through is not None:
            if self.through[0] < rtype:
                return None
            if self.through[0] == rtype:
                found.append(id_col <= self.through[1])
        return found


@dataclass(frozen=True)
class Owned:
    """A table of rows derived from one resource each, and the columns naming it."""

    table: sa.Table
    type_column: str = "type"
    id_column: str = "id"

    @property
    def name(self) -> str:
        return self.table.name

    @cached_property
    def values(self) -> list[sa.Column[Any]]:
        owner = (self.type_column, self.id_column)
        return [c for c in self.table.columns if c.name not in owner]

    @cached_property
    def names(self) -> list[str]:
        return [c.name for c in self.values]

    def stored(self, conn: sa.Connection, keys: KeyRange) -> Rows:
        t = self.table
        owner = (t.c[self.type_column], t.c[self.id_column])
        stmt = sa.select(*owner, *self.values).where(*keys.where(*owner))
        return Counter(tuple(row) for row in conn.execute(stmt))

    def as_tuples(self, key: Key, rows: Iterable[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
        names = self.names
        return ((*key, *(row.get(name) for name in names)) for row in rows)


#: every table of rows derived from one resource, in the order reports list them
OWNED = (Owned(identifier_index), Owned(reference_index, "source_type", "source_id"),
         *(Owned(metadata.tables[name]) for name in INDEX_TABLES))


@dataclass(frozen=True)
class Source:
    """What a resource's derived rows are built from: its stored bytes, and them parsed."""

    content: bytes
    body: dict[str, Any]


def derived_rows(rtype: str, rid: str, source: Source) -> dict[str, list[dict[str, Any]]]:
    """The rows ``derived.replace`` writes for a resource, by table, with the references the
    write path finds in the stored bytes (``reference_targets``)."""
    rows: dict[str, list[dict[str, Any]]] = dict(index_rows(rtype, rid, source.body))
    rows[identifier_index.name] = identifier_rows(rtype, rid, source.body)
    rows[reference_index.name] = reference_rows(rtype, rid, reference_targets(source.content))
    return rows


def expected(sources: dict[Key, Source | None]) -> dict[str, Rows]:
    """Table -> the rows of every resource of ``sources`` (None: deleted, no rows)."""
    found: dict[str, Rows] = {spec.name: Counter() for spec in OWNED}
    for key, source in sources.items():
        if source is None:
            continue
        rows = derived_rows(*key, source)
        for spec in OWNED:
            table_rows = rows.get(spec.name)
            if table_rows:
                found[spec.name].update(spec.as_tuples(key, table_rows))
    return found


# -- capacity history: derived from every version of a place ---------------------------

_HISTORY = capacity_history.capacity_history
_HISTORY_VALUES = [c for c in _HISTORY.columns if c.name not in ("seq", "place_id")]


def stored_history(conn: sa.Connection, keys: KeyRange) -> Rows:
    where = keys.where_ids(PLACE, _HISTORY.c.place_id)
    if where is None:
        return Counter()
    stmt = sa.select(_HISTORY.c.place_id, *_HISTORY_VALUES).where(*where)
    return Counter((PLACE, *row) for row in conn.execute(stmt))


def expected_history(conn: sa.Connection, keys: KeyRange) -> Rows:
    """The rows a rebuild makes from the versions of the places of the range."""
    where = keys.where_ids(PLACE, resource_version.c.id)
    if where is None:
        return Counter()
    return Counter((PLACE, row["place_id"], *(row.get(c.name) for c in _HISTORY_VALUES))
                   for row in capacity_history.place_history(conn, where))


# -- the offers' capacity rows: derived from the index rows of offers and places --------

def stored_offer_capacity(conn: sa.Connection, keys: KeyRange) -> Rows:
    t = search_offer_capacity
    where = keys.where_ids(offer_capacity.OFFER, t.c.id)
    if where is None:
        return Counter()
    stmt = sa.select(*(t.c[name] for name in offer_capacity.COLUMNS)).where(*where)
    return Counter((offer_capacity.OFFER, *row) for row in conn.execute(stmt))


def expected_offer_capacity(conn: sa.Connection, keys: KeyRange) -> Rows:
    """The rows ``offer_capacity.refresh`` makes for the offers of the range, from the index
    rows as stored (those are checked against the resources on their own)."""
    where = keys.where_ids(offer_capacity.OFFER, search_token.c.id)
    if where is None:
        return Counter()
    return Counter((offer_capacity.OFFER, *row)
                   for row in conn.execute(offer_capacity.expected(where)))
