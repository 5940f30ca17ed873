"""The Alembic migrations create exactly the tables of store/schema.py, on both back-ends."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from openror.store.database import Database
from openror.store.migrate import current_revision, ensure_current, head_revision
from openror.store.schema import metadata

#: indexes on an expression, which SQLAlchemy cannot reflect from SQLite (Alembic skips them
#: there, with a warning): checked by name
EXPRESSION_INDEXES = {"ix_search_geo_cell"}


def test_migrated_schema_matches_the_tables(db: Database) -> None:
    with db.writer.connect() as conn, warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*expression-based index")
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        if conn.dialect.name == "sqlite":
            names = {row[0] for row in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index'")}
            assert names >= EXPRESSION_INDEXES
    assert diff == []
    assert current_revision(db) == head_revision()
    ensure_current(db)
