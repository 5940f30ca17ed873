"""Write rights in the write path, on both back-ends: a region-scoped caller writes in its
region only, cannot move a resource across regions, and importers' batches are checked too."""

from __future__ import annotations

from typing import Any

import pytest

from openror.access.caller import ANONYMOUS, SYSTEM, Caller
from openror.errors import Forbidden, Unauthorized
from openror.services.authorise import authorise_write
from openror.services.batch import ID_KEY, Batch, Upsert
from openror.services.bulk import BulkWriter
from openror.services.metadata import REGION_SYSTEM
from openror.services.writes import WritePath
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.terminology import default_terminology
from tests.builders import organization, parameters, patch_op

AISNE = Caller("client:aisne", 1, writes=frozenset({"region:32"}))
READER = Caller("client:reader", 1)
LOG = LogEntry(actor="test")


def in_region(body: dict[str, Any], region: str) -> dict[str, Any]:
    body["meta"] = {"tag": [{"system": REGION_SYSTEM, "code": region}]}
    return body


@pytest.fixture
def writes(db: Database) -> WritePath:
    return WritePath(db, default_terminology(), "11")


def test_the_rule() -> None:
    authorise_write(SYSTEM, "Organization/x", "11", "32")
    authorise_write(AISNE, "Organization/x", "32")
    authorise_write(AISNE, "Organization/x", "32", "32")
    with pytest.raises(Forbidden, match="'region:11'"):
        authorise_write(AISNE, "Organization/x", "11")
    with pytest.raises(Forbidden, match="would move from region 32 to region 11"):
        authorise_write(AISNE, "Organization/x", "11", "32")
    with pytest.raises(Forbidden, match="would move from region 11 to region 32"):
        authorise_write(AISNE, "Organization/x", "32", "11")
    with pytest.raises(Forbidden, match="client:reader lacks"):
        authorise_write(READER, "Organization/x", "32")
    with pytest.raises(Unauthorized, match="POST /auth/token"):
        authorise_write(ANONYMOUS, "Organization/x", "32")


def test_a_region_scoped_caller_writes_in_its_region(writes: WritePath) -> None:
    created = writes.create(in_region(organization(), "32"), LOG, caller=AISNE)
    rid = created.stored.id
    body = created.body | {"name": "Renommé"}
    writes.update("Organization", rid, body, LOG, caller=AISNE)
    writes.patch("Organization", rid, parameters(
        patch_op("replace", "Organization.name", value={"valueString": "Patché"})), LOG,
        caller=AISNE)
    writes.delete("Organization", rid, LOG, caller=AISNE)


def test_elsewhere_it_is_refused_and_nothing_is_written(writes: WritePath, db: Database) -> None:
    with pytest.raises(Forbidden, match="belongs to region 11"):
        writes.create(organization(), LOG, caller=AISNE)  # the instance's region by default
    other = writes.create(organization(), LOG, caller=SYSTEM)
    rid = other.stored.id
    with pytest.raises(Forbidden):
        writes.update("Organization", rid, other.body | {"name": "x"}, LOG, caller=AISNE)
    with pytest.raises(Forbidden):
        writes.patch("Organization", rid, parameters(
            patch_op("replace", "Organization.name", value={"valueString": "x"})), LOG,
            caller=AISNE)
    with pytest.raises(Forbidden):
        writes.delete("Organization", rid, LOG, caller=AISNE)
    with db.read() as conn:
        assert conn.exec_driver_sql("SELECT version FROM resource").scalars().all() == [1]


def test_a_resource_cannot_move_into_or_out_of_the_callers_region(writes: WritePath) -> None:
    ours = writes.create(in_region(organization(), "32"), LOG, caller=AISNE)
    with pytest.raises(Forbidden, match="would move from region 32 to region 11"):
        writes.update("Organization", ours.stored.id, in_region(ours.body, "11"), LOG,
                      caller=AISNE)
    theirs = writes.create(organization(finess="010000002"), LOG, caller=SYSTEM)
    with pytest.raises(Forbidden, match="would move from region 11 to region 32"):
        writes.update("Organization", theirs.stored.id, in_region(theirs.body, "32"), LOG,
                      caller=AISNE)


def test_batches_are_checked_record_by_record_and_in_bulk(writes: WritePath,
                                                          db: Database) -> None:
    item = Upsert(organization() | {"id": "org-b"}, ID_KEY, "org-b", frozenset({"name"}))
    with pytest.raises(Forbidden), db.write() as conn:
        Batch(writes, conn, LOG, caller=AISNE).upsert(item)
    with pytest.raises(Forbidden), db.write() as conn:
        BulkWriter(writes, conn, LOG, caller=AISNE).upsert_all([item])
    with db.write() as conn:
        BulkWriter(writes, conn, LOG, caller=SYSTEM).upsert_all([item])
