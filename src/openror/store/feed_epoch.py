"""The change feed's epoch (migration 0028): a random name that changes when the line of
change numbers does — a restore from a backup, which numbers its next changes again from
the backup's last one. Consumers that see it change know their cursor no longer holds."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from openror.store.schema import properties

KEY = "feed_epoch"
#: the tag of the feed's ``_after`` pages that names the epoch
EPOCH_SYSTEM = "https://openror.org/fhir/CodeSystem/feed-epoch"


def current(conn: sa.Connection) -> str | None:
    """The epoch; None for a database made before migration 0028 put one in."""
    value = conn.execute(sa.select(properties.c.value)
                         .where(properties.c.key == KEY)).scalar_one_or_none()
    return None if value is None else str(value)


def renew(conn: sa.Connection) -> str:
    """A new epoch (after a restore): returns it."""
    epoch = uuid.uuid4().hex
    conn.execute(properties.delete().where(properties.c.key == KEY))
    conn.execute(properties.insert().values(key=KEY, value=epoch))
    return epoch

