"""The Alembic migrations create exactly the tables of store/schema.py, on both back-ends."""

from __future__ import annotations

from openror.store.database import Database
from openror.store.migrate import current_revision, ensure_current, head_revision
from tests.schema_diff import schema_diff


def test_migrated_schema_matches_the_tables(db: Database) -> None:
    diff = schema_diff(db)
    assert diff == []
    assert current_revision(db) == head_revision()
    ensure_current(db)
