"""Federation (sync.federation): the sources this instance follows, which source each
federated resource came from, and the changes a source offered that were not applied.

A source's client secret is not stored: ``secret_file`` names the file that holds it (read at
each run), so that the database and its backups never carry it."""

from __future__ import annotations

import sqlalchemy as sa

from openror.store.schema import metadata

_SEQ = sa.BigInteger().with_variant(sa.Integer, "sqlite")

federation_source = sa.Table(
    "federation_source", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("url", sa.String(2000), nullable=False),  # the source's base, without /fhir
    sa.Column("client_id", sa.String(80), nullable=False),
    sa.Column("secret_file", sa.String(2000), nullable=False),
    sa.Column("cert_file", sa.String(2000), nullable=True),  # mutual TLS (profiles 1-5)
    sa.Column("key_file", sa.String(2000), nullable=True),
    sa.Column("precedence", sa.Integer, nullable=False),  # the higher wins a conflict
    sa.Column("cursor", _SEQ, nullable=False),  # the source's last change applied here
    sa.Column("applied", _SEQ, nullable=False),  # changes applied so far
    sa.Column("added_at", sa.DateTime, nullable=False),
    sa.Column("last_run_at", sa.DateTime, nullable=True),
    sa.Column("last_success_at", sa.DateTime, nullable=True),
    sa.Column("last_error", sa.String(1000), nullable=True),
    #: the source's feed epoch the cursor belongs to (store.feed_epoch); None: not seen yet
    sa.Column("epoch", sa.String(64), nullable=True),
)

#: which source each federated resource's current version came from (none: a local one)
federation_owner = sa.Table(
    "federation_owner", metadata,
    sa.Column("type", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("seq", _SEQ, nullable=False),  # the source's change applied last
)
sa.Index("ix_federation_owner_source", federation_owner.c.source, federation_owner.c.type)

#: changes a source offered that were not applied: held by a source of higher precedence or
#: by a local resource, or refused by the write path (the latest per resource)
federation_conflict = sa.Table(
    "federation_conflict", metadata,
    sa.Column("source", sa.String(64), primary_key=True),
    sa.Column("type", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("seq", _SEQ, nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("reason", sa.String(1000), nullable=False),
)
