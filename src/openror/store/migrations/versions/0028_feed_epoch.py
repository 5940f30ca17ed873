"""The change feed's epoch: a random name for the line of change numbers this database gives.

A database restored from a backup numbers its next changes again from the backup's last
one: a consumer's cursor would skip them. ``openror restore`` gives the restored database a
new epoch, the feed pages name it, and a federation follower that sees it change brings
itself level again (``sync.federation.follow``); it remembers the epoch it follows.

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-27
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    properties = sa.table("properties", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(properties.delete().where(properties.c.key == "feed_epoch"))
    op.execute(properties.insert().values(key="feed_epoch", value=uuid.uuid4().hex))
    with op.batch_alter_table("federation_source") as batch:
        batch.add_column(sa.Column("epoch", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("federation_source") as batch:
        batch.drop_column("epoch")
    op.execute("DELETE FROM properties WHERE key = 'feed_epoch'")
