"""The capacity feed's write transactions may run on generic plans; nothing else does: the
engines force custom plans for the searches' lists of ids (store.dialect)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from openror.store.database import Database


def _mode(conn: sa.Connection) -> str:
    return str(conn.execute(sa.text("SHOW plan_cache_mode")).scalar_one())


def test_generic_plans_end_with_the_write_that_allowed_them(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("plan_cache_mode: PostgreSQL only")
    with db.write(fixed_shape=True) as conn:
        assert _mode(conn) == "auto"
    with db.read_primary(fixed_shape=True) as conn:
        assert _mode(conn) == "auto"
    with db.write() as conn:
        assert _mode(conn) == "force_custom_plan"
    for _ in range(3):  # whichever pooled connection a read gets
        with db.read() as conn:
            assert _mode(conn) == "force_custom_plan"
        with db.read_primary(autocommit=True) as conn:
            assert _mode(conn) == "force_custom_plan"
