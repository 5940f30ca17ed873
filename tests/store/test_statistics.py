"""Planner statistics: one refresh per interval for all the server processes on a database."""

from __future__ import annotations

import sqlalchemy as sa

from openror.store import statistics
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
