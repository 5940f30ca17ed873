"""What differs between a migrated database and the tables of store/schema.py."""

from __future__ import annotations

import warnings
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from openror.store.database import Database
from openror.store.schema import metadata

#: indexes on an expression, which SQLAlchemy cannot reflect from SQLite (Alembic skips them
#: there, with a warning): checked by name
EXPRESSION_INDEXES = {"ix_search_geo_cell"}


def schema_diff(db: Database) -> list[Any]:
    with db.writer.connect() as conn, warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*expression-based index")
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        if conn.dialect.name == "sqlite":
            names = {row[0] for row in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index'")}
            diff += [("missing expression index", name)
                     for name in sorted(EXPRESSION_INDEXES - names)]
    return list(diff)
