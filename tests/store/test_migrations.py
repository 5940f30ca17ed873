"""The Alembic migrations create exactly the tables of store/schema.py, on both back-ends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from openror.store.database import Database
from openror.store.migrate import current_revision, ensure_current, head_revision
from openror.store.schema import metadata


def test_migrated_schema_matches_the_tables(db: Database) -> None:
    with db.writer.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    assert current_revision(db) == head_revision()
    ensure_current(db)
