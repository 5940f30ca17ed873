"""A request's deadline stops its reads (store.deadline), on both databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from openror.store import deadline
from openror.store.database import Database

#: counts to a trillion: only an interruption ends it
ENDLESS = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
           "WHERE x < 1000000000000) SELECT count(*) FROM n")
#: a read of a few hundred thousand steps, well past a lingering progress handler's period
SHORT = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
         "WHERE x < 200000) SELECT count(*) FROM n")


def test_a_read_past_the_deadline_is_stopped_with_a_timeout(db: Database) -> None:
    with pytest.raises(deadline.TimedOut) as caught, deadline.within(0.3), db.read() as conn:
        conn.execute(sa.text(ENDLESS))
    assert caught.value.status == 503
    issue = caught.value.issues[0]
    assert issue.code == "timeout" and "$export" in issue.diagnostics


def test_the_connection_serves_the_next_reads_without_a_limit(db: Database) -> None:
    for _ in range(2):  # the pool hands the same connection back
        with pytest.raises(deadline.TimedOut), deadline.within(0.2), db.read() as conn:
            conn.execute(sa.text(ENDLESS))
        with db.read() as conn:
            assert conn.execute(sa.text(SHORT)).scalar() == 200000
            if db.dialect == "postgresql":
                assert conn.execute(sa.text("SHOW statement_timeout")).scalar() == "0"


def test_reads_inside_the_deadline_are_untouched(db: Database) -> None:
    with deadline.within(30), db.read() as conn:
        assert conn.execute(sa.text(SHORT)).scalar() == 200000


def test_a_streamed_read_is_stopped_too(db: Database) -> None:
    # a server-side cursor on PostgreSQL (federation digests, exports stream their rows)
    with deadline.within(30), db.read() as conn:
        streamed = conn.execution_options(stream_results=True, yield_per=100)
        assert streamed.execute(sa.text(SHORT)).scalar() == 200000
    with pytest.raises(deadline.TimedOut), deadline.within(0.2), db.read() as conn:
        conn.execution_options(stream_results=True).execute(sa.text(ENDLESS)).all()


def test_a_read_that_starts_after_the_deadline_is_refused_at_once(db: Database) -> None:
    with deadline.within(1e-9), pytest.raises(deadline.TimedOut), db.read():
        pytest.fail("the read should not start")


def test_no_limit_when_the_setting_is_zero(db: Database) -> None:
    with deadline.within(0), db.read() as conn:
        assert conn.execute(sa.text(SHORT)).scalar() == 200000
