"""An update rewrites only the derived tables whose rows change; what it leaves must be
exactly what a rebuild from the stored resources gives. Both back-ends."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from openror.access.caller import SYSTEM
from openror.services.writes import WritePath
from openror.store import derived
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.store.schema import identifier_index, metadata, reference_index
from openror.store.search_rows import changed_group
from openror.store.search_tables import INDEX_TABLES
from openror.terminology import default_terminology
from tests.api.search_fixture import equipment
from tests.builders import healthcare_service, organization
from tests.capacity.feed_fixture import available, installed, place


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    tables = [metadata.tables[t] for t in INDEX_TABLES] + [identifier_index, reference_index]
    with db.read() as conn:
        return {t.name: sorted(tuple(str(v) for v in row) for row in conn.execute(sa.select(t)))
                for t in tables}


def test_updates_leave_the_rows_a_rebuild_gives(db: Database) -> None:
    writes = WritePath(db, default_terminology(), "32")
    log = LogEntry(actor="test")
    writes.update("Organization", "eg", {**organization(), "id": "eg"}, log, caller=SYSTEM)
    writes.update("Organization", "eg2", {**organization("Autre", "020000029"), "id": "eg2"},
                  log, caller=SYSTEM)
    unit = place("u1", "1020000261/UF0001", installed(20), available(2))
    writes.update("Location", "u1", unit, log, caller=SYSTEM)
    offer = {**healthcare_service("Organization/eg", "Location/u1"), "id": "hs"}
    writes.update("HealthcareService", "hs", offer, log, caller=SYSTEM)
    changes = [
        ("Location", {**unit, "extension": [*unit["extension"][:-1], available(5)]}),
        ("Location", {**unit, "name": "Réanimation B", "identifier": unit["identifier"][:1]}),
        ("HealthcareService", {**offer, "providedBy": {"reference": "Organization/eg2"},
                               "name": "Autre offre"}),
        ("HealthcareService", offer),
    ]
    for rtype, body in changes:
        writes.update(rtype, body["id"], body, log, caller=SYSTEM)
        after_update = snapshot(db)
        with db.write() as conn:
            derived.rebuild(conn)
        assert snapshot(db) == after_update, f"{rtype} update"


def test_an_update_after_a_rolled_back_one_leaves_the_rows_a_rebuild_gives(db: Database
                                                                            ) -> None:
    """Each write remembers the rows it derived (store.row_prints); a write rolled back
    leaves the previous rows in the tables, and the next update must compare with those."""
    writes = WritePath(db, default_terminology(), "32")
    log = LogEntry(actor="test")
    unit = place("u1", "1020000261/UF0001", installed(20), available(2))
    writes.update("Location", "u1", unit, log, caller=SYSTEM)
    writes.update("Location", "u1", {**unit, "name": "Réanimation A"}, log, caller=SYSTEM)

    def refuse(*_args: Any) -> None:
        raise RuntimeError("rolled back")

    writes.after_write.append(refuse)
    lost = {**unit, "name": "Réanimation A", "extension": [*unit["extension"][:-1],
                                                           available(7)]}
    with pytest.raises(RuntimeError):
        writes.update("Location", "u1", lost, log, caller=SYSTEM)
    writes.after_write.remove(refuse)
    writes.update("Location", "u1", lost, log, caller=SYSTEM)
    after_update = snapshot(db)
    with db.write() as conn:
        derived.rebuild(conn)
    assert snapshot(db) == after_update


def test_capacity_updates_rewrite_their_records_rows_as_a_rebuild_gives(db: Database) -> None:
    """A write that changes only a place's capacity records derives and rewrites only the
    rows of the records that changed (search_rows.changed_group)."""
    writes = WritePath(db, default_terminology(), "32")
    log = LogEntry(actor="test")
    head = place("u1", "1020000261/UF0001")["extension"]
    women, men = available(2, "01"), available(3, "02")
    unit = place("u1", "1020000261/UF0001", installed(20), women, men)
    writes.update("Location", "u1", unit, log, caller=SYSTEM)
    records = [
        [installed(20), available(5, "01"), men],  # a count
        [installed(20), available(5, "01"), men, available(1, "03")],  # a record added
        [installed(20), available(1, "03")],  # records removed in the middle: ranks shift
        [installed(20), available(1, "04")],  # a code
        [],  # none left
        [men],
        [men, equipment("088", ("001", 250, "kg"))],  # another group: equipment
        [men, equipment("088", ("001", 250, "kg"), ("001", 300, "kg"))],  # a limit added
        [men, equipment("088", ("001", 200, "kg"), ("001", 300, "kg"))],  # a limit's value
    ]
    stored = unit
    for n, kept in enumerate(records):
        body = {**unit, "extension": [*head, *kept]}
        assert changed_group("Location", stored, body) == ("capacity" if n < 6 else
                                                           "equipment"), n
        writes.update("Location", "u1", body, log, caller=SYSTEM)
        stored = body
        after_update = snapshot(db)
        with db.write() as conn:
            derived.rebuild(conn)
        assert snapshot(db) == after_update, f"change {n}"


def test_a_change_is_scoped_to_a_group_only_when_nothing_else_changed() -> None:
    unit = place("u1", "1020000261/UF0001", installed(20), available(2))
    fed = {**unit, "extension": [*unit["extension"][:-1], available(5)],
           "meta": {**unit["meta"], "versionId": "7", "lastUpdated": "2026-11-27T10:00:00Z"}}
    assert changed_group("Location", unit, fed) == "capacity"
    assert changed_group("Location", unit, {**fed, "name": "Autre"}) is None
    assert changed_group("Location", unit, unit) is None
    moved = place("u1", "1020000261/UF0001", installed(20), available(2), commune="02408")
    assert changed_group("Location", unit, moved) is None
    tagged = {**fed, "meta": {**fed["meta"], "tag": []}}
    assert changed_group("Location", unit, tagged) is None
