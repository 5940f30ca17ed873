"""The owner of a subscription as a reader: its API client's row as it is now, so that a
change of profile or regions applies to the next notification and a revoked client gets
none."""

from __future__ import annotations

import sqlalchemy as sa

from openror.access.caller import Caller
from openror.store import clients


def owner_caller(conn: sa.Connection, client_id: str) -> Caller | None:
    row = clients.get(conn, client_id)
    if row is None or row.revoked_at is not None:
        return None
    return Caller(actor=f"client:{row.client_id}", profile=row.profile,
                  regions=frozenset(row.regions), writes=frozenset(row.writes),
                  client_id=row.client_id)
