"""A read that went well ends by committing: on PostgreSQL a rollback makes psycopg forget
the statements it prepared on the connection, which every later read would then parse and
plan again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from openror.store import rawsql
from openror.store.database import Database


def test_reads_keep_the_statements_prepared_on_their_connection(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("psycopg's prepared statements: PostgreSQL only")
    for _ in range(8):  # psycopg prepares a statement on its 5th run on one connection
        with db.read() as conn:
            conn.execute(sa.text("SELECT count(*) FROM resource WHERE type = :t"),
                         {"t": "Location"}).scalar_one()
    with db.read() as conn:
        prepared = conn.execute(sa.text("SELECT count(*) FROM pg_prepared_statements "
                                        "WHERE statement LIKE '%FROM resource WHERE type%'"))
        assert prepared.scalar_one() == 1


@pytest.mark.parametrize("autocommit", [False, True])
def test_reads_on_the_db_api_connection_keep_theirs_too(db: Database, autocommit: bool) -> None:
    """The write path reads through ``rawsql`` (the DB-API cursor), which SQLAlchemy does not
    see begin a transaction."""
    if db.dialect != "postgresql":
        pytest.skip("psycopg's prepared statements: PostgreSQL only")
    for _ in range(8):
        with db.read_primary(autocommit=autocommit) as conn:
            rawsql.run(conn, "SELECT count(*) FROM resource WHERE id = :id", {"id": "x"})
    with db.read_primary() as conn:
        prepared = conn.execute(sa.text("SELECT count(*) FROM pg_prepared_statements "
                                        "WHERE statement LIKE '%FROM resource WHERE id%'"))
        assert prepared.scalar_one() == 1


def test_a_read_that_fails_is_rolled_back(db: Database) -> None:
    with pytest.raises(sa.exc.DBAPIError), db.read() as conn:
        conn.execute(sa.text("SELECT * FROM no_such_table"))
    with db.read() as conn:  # the connection is usable again
        assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
