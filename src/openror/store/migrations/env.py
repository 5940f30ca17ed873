"""Alembic environment: the connection is handed over by openror.store.migrate."""

from __future__ import annotations

from alembic import context

from openror.store.schema import metadata

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
