"""The Alembic migrations create exactly the tables of store/schema.py, on both back-ends; on
PostgreSQL, JSON bodies are stored lz4-compressed and the planner knows how many token rows
carry a common code."""

from __future__ import annotations

import importlib

import pytest
import sqlalchemy as sa

from openror.store.database import Database
from openror.store.migrate import current_revision, ensure_current, head_revision
from openror.store.resources import utcnow
from openror.store.schema import resource
from openror.store.search_tables import search_token
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


def test_planner_estimates_a_common_code_on_postgresql(db: Database) -> None:
    """The combined statistics of token rows (migrations 0009, 0029, 0031): a code that only
    one type, param and system carry is estimated at about its count (333); the four columns
    taken as independent would be estimated at a fifth of it."""
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL's extended statistics")
    rows = []
    for n in range(5000):
        rtype = ("HealthcareService", "Location")[n % 2]
        param, system = (("specialty", "s1"), ("type", "s2"))[n % 3 == 0]
        code = "293" if n % 10 == 0 and param == "specialty" else f"c{n}"
        rows.append({"type": rtype, "id": str(n), "param": param, "grp": 0,
                     "system": system, "code": code})
    actual = sum(1 for r in rows if (r["type"], r["param"], r["code"], r["system"])
                 == ("HealthcareService", "specialty", "293", "s1"))
    with db.write() as conn:
        conn.execute(search_token.insert(), rows)
        conn.exec_driver_sql("ANALYZE search_token")
        plan = conn.exec_driver_sql(
            "EXPLAIN SELECT id FROM search_token WHERE type = 'HealthcareService' AND "
            "param = 'specialty' AND code = '293' AND system = 's1'").scalars().first()
    estimated = int(str(plan).split("rows=")[1].split()[0])
    assert 0.8 * actual <= estimated <= 1.25 * actual, plan
