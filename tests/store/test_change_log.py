"""The change feed and change log: one sequence number per write, never reused; actor,
request or batch id, reason and before/after written with the change."""

from __future__ import annotations

import orjson
import pytest

from openror.access.caller import SYSTEM
from openror.errors import InvalidInput
from openror.services.writes import WritePath
from openror.store import feed
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.terminology import default_terminology
from tests.builders import organization, parameters, patch_op


@pytest.fixture
def writes(db: Database) -> WritePath:
    return WritePath(db, default_terminology(), "11")


def test_every_write_appends_one_feed_and_log_entry(writes: WritePath, db: Database) -> None:
    log = LogEntry(actor="import run 7", batch_id="batch-7", reason="FINESS refresh")
    created = writes.create(organization(), log, caller=SYSTEM)
    rid = created.stored.id
    body = created.body
    body["name"] = "Renamed"
    writes.update("Organization", rid, body, LogEntry(actor="alice", request_id="req-1"),
                  caller=SYSTEM)
    writes.patch("Organization", rid, parameters(
        patch_op("replace", "Organization.name", value={"valueString": "Patched"})),
        LogEntry(actor="bob"), caller=SYSTEM)
    writes.delete("Organization", rid, LogEntry(actor="carol", reason="closed"), caller=SYSTEM)
    with db.read() as conn:
        records = feed.changes(conn, rtype="Organization", rid=rid)
    assert [r.action for r in records] == ["create", "update", "patch", "delete"]
    assert [r.actor for r in records] == ["import run 7", "alice", "bob", "carol"]
    seqs = [r.seq for r in records]
    assert seqs == sorted(set(seqs))
    assert records[0].batch_id == "batch-7" and records[0].reason == "FINESS refresh"
    assert records[1].request_id == "req-1"
    assert records[0].before is None
    assert orjson.loads(records[1].before or b"")["name"] == "Centre hospitalier de test"
    assert orjson.loads(records[1].after or b"")["name"] == "Renamed"
    assert records[3].after is None and records[3].reason == "closed"


def test_a_refused_write_leaves_no_trace_and_burns_no_number(writes: WritePath,
                                                             db: Database) -> None:
    writes.create(organization(), LogEntry(actor="a"), caller=SYSTEM)
    bad = organization()
    bad["telecom"] = "not a list"
    with pytest.raises(InvalidInput):
        writes.create(bad, LogEntry(actor="a"), caller=SYSTEM)
    second = writes.create(organization(), LogEntry(actor="a"), caller=SYSTEM)
    with db.read() as conn:
        seqs = [r.seq for r in feed.changes(conn)]
    assert len(seqs) == 2
    assert second.stored.version == 1
