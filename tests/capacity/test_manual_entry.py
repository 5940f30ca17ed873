"""The referent's one-save entry of a site's figures (``capacity.manual``) when PostgreSQL
aborts its transaction to break a deadlock with a feeder writing one of its places
(store.deadlocks): the save is run again, whole, and the referent sees it done once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import psycopg
import pytest

from openror.access.caller import SYSTEM
from openror.capacity.manual import ManualEntry, PlaceCounts
from openror.fhir import capacity_indicators as ci
from openror.services.writes import WritePath
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.store.resources import read_current
from tests.capacity.feed_fixture import available, installed
from tests.conftest import wipe
from tests.services import roles_world

LOG = LogEntry(actor="test")


@pytest.fixture
def writes(database_url: str) -> Iterator[WritePath]:
    db = Database(database_url)
    wipe(db)
    made = roles_world.load(db)
    for rid in ("loc-a", "loc-shared"):
        body = _current(db, rid)
        body["extension"] = [*body.get("extension", []), installed(12), available(2)]
        made.update("Location", rid, body, LOG, caller=SYSTEM)
    yield made
    db.dispose()


def _current(db: Database, rid: str) -> dict[str, Any]:
    with db.read() as conn:
        found = read_current(conn, "Location", rid)
    assert found is not None and found.content is not None
    body: dict[str, Any] = orjson.loads(found.content)
    body["meta"]["versionId"] = found.version
    return body


def _version(db: Database, rid: str) -> int:
    return int(_current(db, rid)["meta"]["versionId"])


def test_a_save_aborted_by_a_deadlock_is_run_again_whole(writes: WritePath,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    db = writes.db
    before = {rid: _version(db, rid) for rid in ("loc-a", "loc-shared")}
    real = writes.commit_version
    calls = []

    def aborted_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[2])
        if len(calls) == 2:  # the second place of the first attempt: the cycle
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        return real(*args, **kwargs)

    monkeypatch.setattr(writes, "commit_version", aborted_once)
    places = [PlaceCounts(rid, before[rid], {len(_current(db, rid)["extension"]) - 1: 7})
              for rid in ("loc-a", "loc-shared")]
    assert ManualEntry(writes).save(places, LOG, caller=SYSTEM) == 2
    assert calls == ["loc-a", "loc-shared", "loc-a", "loc-shared"]
    for rid in ("loc-a", "loc-shared"):
        assert _version(db, rid) == before[rid] + 1  # written once: the first try left nothing
        assert [r.count for _, r in ci.records(_current(db, rid))][-1] == 7


def test_a_deadlock_three_times_in_a_row_is_an_error(writes: WritePath,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def always(*_: Any, **__: Any) -> Any:
        raise psycopg.errors.DeadlockDetected("deadlock detected")

    monkeypatch.setattr(writes, "commit_version", always)
    version = _version(writes.db, "loc-a")
    with pytest.raises(psycopg.errors.DeadlockDetected):
        ManualEntry(writes).save([PlaceCounts("loc-a", version, {0: 1})], LOG, caller=SYSTEM)
    assert _version(writes.db, "loc-a") == version
