"""A search's lists of ids: one array parameter on PostgreSQL, ``IN`` elsewhere."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from openror.access.caller import SYSTEM
from openror.search.id_lists import among_ids
from openror.search.scope import searching_as
from openror.store.schema import resource

IDS = [f"place-{n}" for n in range(600)]


def _sql(condition: sa.ColumnElement[bool], dialect: sa.Dialect) -> tuple[str, int]:
    compiled = sa.select(resource.c.id).where(condition).compile(dialect=dialect)
    return str(compiled), len(compiled.construct_params())


def test_postgresql_gets_the_ids_as_one_array() -> None:
    with searching_as(SYSTEM, "postgresql"):
        condition = among_ids(resource.c.id, IDS)
    text, params = _sql(condition, postgresql.dialect())
    assert "= ANY (%(param_1)s::VARCHAR[])" in text and params == 1


def test_sqlite_and_statements_built_without_a_database_keep_in() -> None:
    with searching_as(SYSTEM, "sqlite"):
        on_sqlite = among_ids(resource.c.id, IDS)
    elsewhere = among_ids(resource.c.id, IDS)  # no database said (or no search at all)
    with searching_as(SYSTEM):
        unsaid = among_ids(resource.c.id, IDS)
    for condition in (on_sqlite, elsewhere, unsaid):
        text, _ = _sql(condition, sqlite.dialect())
        assert " IN (" in text and "ANY" not in text


def test_no_ids_match_nothing_anywhere() -> None:
    with searching_as(SYSTEM, "postgresql"):
        assert among_ids(resource.c.id, []).compare(sa.false())
