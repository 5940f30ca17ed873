"""Planner statistics: one refresh per interval for all the server processes on a database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from openror.store import backlog, statistics
from openror.store.database import Database


def _analysed(db: Database) -> bool:
    with db.read() as conn:
        if db.dialect == "sqlite":
            return bool(conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").scalar_one())
        return bool(conn.execute(sa.text(
            "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'resource' "
            "AND last_analyze IS NOT NULL")).scalar_one())


def test_one_process_refreshes_per_interval_the_others_skip(db: Database) -> None:
    assert statistics.refresh_if_due(db, 3600) is True
    assert _analysed(db)
    assert statistics.refresh_if_due(db, 3600) is False  # another worker, the same hour
    assert statistics.refresh_if_due(db, 0) is True  # the interval has passed


def test_the_newest_change_is_read_by_its_number_whatever_the_statistics(
        db: Database) -> None:
    """Every write reads the feed's newest change (its turn), and every search page's paging
    snapshot too. With the statistics a sampled ANALYZE left on a demo database, SQLite
    planned the obvious ``ORDER BY seq DESC LIMIT 1`` as a scan of the whole feed."""
    if db.dialect != "sqlite":
        pytest.skip("a SQLite plan")
    with db.write() as conn:
        statistics.refresh(conn)
        conn.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'change_feed'")
        conn.exec_driver_sql(  # as seen: estimates of the row count that disagree
            "INSERT INTO sqlite_stat1 VALUES ('change_feed', 'ix_change_feed_resource', "
            "'7392 1001 2 1'), ('change_feed', 'ix_change_feed_at', '5886 1'), "
            "('change_feed', 'ix_change_feed_type_seq', '13696 1001 1')")
    fresh = Database(db.url)  # statistics are read when a connection opens
    try:
        with fresh.read() as conn:
            def plan(sql: str) -> str:
                return " | ".join(row[-1] for row in conn.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {sql}"))
            assert "SCAN" in plan("SELECT seq, at FROM change_feed ORDER BY seq DESC LIMIT 1")
            assert "SCAN" not in plan(backlog.NEWEST), plan(backlog.NEWEST)
            assert backlog.feed_head(conn) == backlog.FeedHead(0, None)
    finally:
        fresh.dispose()
