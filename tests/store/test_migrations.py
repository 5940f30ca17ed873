"""The Alembic migrations create exactly the tables of store/schema.py, on both back-ends; on
PostgreSQL, JSON bodies are stored lz4-compressed."""

from __future__ import annotations

import importlib

import pytest
import sqlalchemy as sa

from openror.store.database import Database
from openror.store.migrate import current_revision, ensure_current, head_revision
from openror.store.resources import utcnow
from openror.store.schema import resource
from tests.schema_diff import schema_diff


def test_migrated_schema_matches_the_tables(db: Database) -> None:
    diff = schema_diff(db)
    assert diff == []
    assert current_revision(db) == head_revision()
    ensure_current(db)


def test_bodies_are_compressed_with_lz4_on_postgresql(db: Database) -> None:
    """Migration 0030 (where the server has lz4): a stored body is lz4-compressed."""
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL's column compression")
    migration = importlib.import_module("openror.store.migrations.versions.0030_lz4_content")
    body = b'{"resourceType": "Location", "name": "%d"}'
    with db.write() as conn:
        if conn.execute(sa.text(migration._HAS_LZ4)).first() is None:
            pytest.skip("this PostgreSQL server was built without lz4")
        conn.execute(resource.insert(), [
            {"type": "Location", "id": "big", "version": 1, "last_updated": utcnow(),
             "deleted": False, "region": "11",
             "content": b"".join(body % n for n in range(300))}])
        stored = conn.execute(sa.text(
            "SELECT pg_column_compression(content) FROM resource WHERE id = 'big'")).scalar_one()
    assert stored == "lz4"
