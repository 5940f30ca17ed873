"""The gap-free change feed under concurrent writers (store.feed_order): a consumer paging
forward with ``_after`` while writers number changes, wait a while and then commit or roll
back, ends with exactly the committed changes, each once, in sequence order — on both
databases. And times never decrease along the sequence.

Without the feed's turn (PostgreSQL's advisory lock), a writer holding seq 5 that commits
after the writer of seq 6 is skipped by a consumer that read 6 in between: this test fails
then (checked by disabling ``feed_order.lock``)."""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openror.access.caller import SYSTEM
from openror.services import writes as writes_module
from openror.services.batch import ID_KEY, Upsert
from openror.services.bulk import BulkWriter
from openror.services.metadata import fhir_instant
from openror.services.reads import Reader
from openror.services.writes import WritePath, resource_type
from openror.store import feed, feed_order
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.store.feed_order import FEED_LOCK_KEY
from openror.store.resources import read_current
from openror.terminology import default_terminology
from tests.builders import organization, parameters, patch_op
from tests.conftest import wipe

SHARED = [f"shared-{i}" for i in range(3)]  # resources every writer updates
LOG = LogEntry(actor="feed-order test")


class _RolledBack(Exception):
    pass


@dataclass(frozen=True)
class Op:
    kind: str  # create, update, bulk, delete
    delay_ms: int  # between numbering and commit
    rollback: bool


ops = st.builds(Op, st.sampled_from(["create", "update", "bulk", "delete"]),
                st.integers(0, 25), st.sampled_from([False, False, False, True]))
schedules = st.lists(st.lists(ops, min_size=4, max_size=10), min_size=3, max_size=5)


@pytest.fixture
def writes(db: Database) -> WritePath:
    return WritePath(db, default_terminology(), "11")


def _seed(writes: WritePath) -> None:
    rt = resource_type("Organization", "create")
    with writes.db.write() as conn:
        for rid in SHARED:
            writes.commit_version(conn, rt, rid, None, organization(), "create", LOG,
                                  caller=SYSTEM)


def _apply(writes: WritePath, op: Op, mine: list[str]) -> None:
    rt = resource_type("Organization", "create")
    try:
        with writes.db.write() as conn:
            if op.kind == "create" or (op.kind == "delete" and not mine):
                rid = str(uuid.uuid4())
                writes.commit_version(conn, rt, rid, None, organization(), "create", LOG,
                                      caller=SYSTEM)
                made = rid
            elif op.kind == "update":
                target = random.choice(SHARED)
                current = read_current(conn, "Organization", target, for_update=True)
                assert current is not None and current.content is not None
                body = orjson.loads(current.content)
                body["name"] = f"Nom {uuid.uuid4().hex[:8]}"
                writes.commit_version(conn, rt, target, current, body, "update", LOG,
                                      caller=SYSTEM)
                made = ""
            elif op.kind == "bulk":
                shared = dict(organization(), name=f"Nom {uuid.uuid4().hex[:8]}")
                items = [Upsert(organization(), ID_KEY, str(uuid.uuid4()), frozenset()),
                         Upsert(shared, ID_KEY, random.choice(SHARED), frozenset({"name"}))]
                BulkWriter(writes, conn, LOG, caller=SYSTEM).upsert_all(items)
                made = ""
            else:
                writes.delete_in(conn, "Organization", mine.pop(), LOG, caller=SYSTEM)
                made = ""
            time.sleep(op.delay_ms / 1000)  # numbered, not yet committed
            if op.rollback:
                raise _RolledBack
    except _RolledBack:
        return
    if made:
        mine.append(made)


def _writer(writes: WritePath, steps: list[Op]) -> None:
    mine: list[str] = []  # what this writer created and may delete
    for op in steps:
        _apply(writes, op, mine)


def _consume(reader: Reader, stop: threading.Event, seen: list[int]) -> None:
    """Page forward as a consumer does, following next_after, until the writers are done
    and one last page came back empty."""
    cursor = 0
    while True:
        done = stop.is_set()
        page = reader.history(None, None, SYSTEM, since=None, count=3, before_seq=None,
                              after_seq=cursor)
        seen += [row.seq for row in page.rows]
        assert page.next_after is not None and page.next_after >= cursor
        cursor = page.next_after
        if done and not page.rows:
            return
        time.sleep(0.002)


def _run(writes: WritePath, schedule: list[list[Op]]) -> tuple[list[int], list[int]]:
    seen: list[int] = []
    stop = threading.Event()
    consumer = threading.Thread(target=_consume, args=(Reader(writes.db), stop, seen))
    consumer.start()
    threads = [threading.Thread(target=_writer, args=(writes, steps)) for steps in schedule]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    consumer.join(60)
    with writes.db.read() as conn:
        committed = [record.seq for record in feed.changes(conn, limit=100_000)]
    return seen, committed


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(schedule=schedules)
def test_a_consumer_paging_forward_sees_every_committed_change_once_in_order(
        writes: WritePath, schedule: list[list[Op]]) -> None:
    wipe(writes.db)
    _seed(writes)
    seen, committed = _run(writes, schedule)
    assert seen == committed


def test_times_never_decrease_along_the_sequence(writes: WritePath) -> None:
    _seed(writes)
    rng = random.Random(7)
    schedule = [[Op(rng.choice(["create", "update", "bulk"]), rng.randint(0, 10), False)
                 for _ in range(8)] for _ in range(4)]
    _run(writes, schedule)
    with writes.db.read() as conn:
        records = feed.changes(conn, limit=100_000)
        rows = feed.after(conn, 0, limit=100_000, caller=SYSTEM)
    times = [record.at for record in records]
    assert times == sorted(times)
    for row in rows:  # the version says the same time as the feed
        if row.content is not None:
            assert orjson.loads(row.content)["meta"]["lastUpdated"] == fhir_instant(row.at)


_WAITING_FOR_TURN = sa.text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
    "AND objid = :key AND database = (SELECT oid FROM pg_database "
    "WHERE datname = current_database())")


def _check_for_deadlocks_after_5_s(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute("SET deadlock_timeout = '5s'")
    dbapi_conn.commit()  # a session setting, kept when the pool rolls back


def test_a_single_write_caught_in_a_deadlock_is_run_again(writes: WritePath,
                                                          db: Database) -> None:
    """A transaction of several resources holds the turn and wants the row of a single
    writer that waits for the turn: PostgreSQL aborts the single writer, which is run
    again (store.deadlocks) and succeeds; the several-resource one goes through.

    PostgreSQL looks for a cycle once, ``deadlock_timeout`` after a transaction starts
    waiting, and aborts the one that finds it: the single writer looks after 5 s, long
    after this transaction closes the cycle even on a loaded machine, and this one never."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time: no turn to wait for")
    _seed(writes)
    first, second = SHARED[0], SHARED[1]
    rename = parameters(patch_op("replace", "Organization.name", value={"valueString": "B"}))
    late_checker = Database(db.url)
    sa.event.listen(late_checker.writer, "connect", _check_for_deadlocks_after_5_s)
    single = threading.Thread(target=WritePath(late_checker, writes.terminology, "11").patch,
                              args=("Organization", second, rename, LOG),
                              kwargs={"caller": SYSTEM})
    rt = resource_type("Organization", "update")
    with db.write() as conn:
        conn.exec_driver_sql("SET LOCAL deadlock_timeout = '10min'")
        current = read_current(conn, "Organization", first, for_update=True)
        assert current is not None and current.content is not None
        body = dict(orjson.loads(current.content), name="A")
        writes.commit_version(conn, rt, first, current, body, "update", LOG, caller=SYSTEM)
        single.start()  # locks `second`, then waits for the turn this transaction holds
        while True:
            with db.read() as probe:
                if probe.execute(_WAITING_FOR_TURN, {"key": FEED_LOCK_KEY}).scalar_one():
                    break
            time.sleep(0.01)
        other = read_current(conn, "Organization", second, for_update=True)  # the cycle
        assert other is not None and other.content is not None
        body = dict(orjson.loads(other.content), name="A too")
        writes.commit_version(conn, rt, second, other, body, "update", LOG, caller=SYSTEM)
    single.join(30)
    late_checker.dispose()
    with db.read() as conn:
        firsts, seconds = (read_current(conn, "Organization", rid) for rid in (first, second))
    assert firsts is not None and orjson.loads(firsts.content or b"")["name"] == "A"
    assert seconds is not None and orjson.loads(seconds.content or b"")["name"] == "B"
    assert seconds.version == 3  # created, renamed by the transaction, then patched


def test_a_version_stamped_before_a_committed_change_takes_its_time(
        writes: WritePath, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer overtaken between its stamp and its turn (here: a clock an hour behind)
    gets a time just after the newest committed change's, in its body, its row, its feed
    entry and the answer; on the single path, the bulk path and for a deletion."""
    first = writes.create(organization(), LOG, caller=SYSTEM)
    mark = first.stored.last_updated
    behind = mark - timedelta(hours=1)
    monkeypatch.setattr(writes_module, "utcnow", lambda: behind)
    late = writes.create(organization("Tard", "010000002"), LOG, caller=SYSTEM)
    with db.write() as conn:
        [bulk] = BulkWriter(writes, conn, LOG, caller=SYSTEM).upsert_all(
            [Upsert(organization("En lot", "010000003"), ID_KEY, "bulk-1", frozenset())])
    gone = writes.delete("Organization", first.stored.id, LOG, caller=SYSTEM)
    tick = timedelta(microseconds=1)
    expected = [mark + tick, mark + 2 * tick]
    for result, at in zip((late, bulk), expected, strict=True):
        assert result.stored.last_updated == at
        assert result.body["meta"]["lastUpdated"] == fhir_instant(at)
    assert gone.last_updated == mark + 3 * tick
    with db.read() as conn:
        records = feed.changes(conn, limit=100)
        stored = [read_current(conn, "Organization", r.stored.id) for r in (late, bulk)]
    assert sorted(record.at for record in records) == [mark + n * tick for n in range(4)]
    for row, at in zip(stored, expected, strict=True):
        assert row is not None and row.last_updated == at
        assert orjson.loads(row.content or b"")["meta"]["lastUpdated"] == fhir_instant(at)


def test_the_newest_change_read_first_starts_the_snapshot_the_read_sees(
        writes: WritePath, db: Database) -> None:
    """A search (and a page of history, an export) reads the newest change first: what it
    then reads is as of that change, not of a write committed in between."""
    writes.create(organization(), LOG, caller=SYSTEM)
    with db.read() as conn:
        head = feed_order.newest(conn)
        writes.create(organization("Entre-temps", "010000002"), LOG, caller=SYSTEM)
        seen = conn.execute(sa.text("SELECT max(seq) FROM change_feed")).scalar_one()
        if db.dialect == "postgresql":  # READ COMMITTED: each statement its own snapshot
            assert seen == head.seq + 1
        else:
            assert seen == head.seq
