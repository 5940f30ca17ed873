"""API clients and the server's token-signing key, as rows. The rules (who may have which
profile or scope, what a token proves) are in services.clients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from openror.store import rawsql
from openror.store.point_reads import PointReader
from openror.store.schema import api_client


@dataclass(frozen=True)
class ClientRow:
    client_id: str
    name: str
    profile: int
    regions: tuple[str, ...]  # empty: every region
    writes: tuple[str, ...]
    secret_hash: str
    cert_thumbprint: str | None
    created_at: datetime  # naive UTC, as every timestamp of the store
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None
    ror_profile: str | None = None  # Ror-* values assigned at onboarding: 'system|code'
    ror_role: str | None = None

    @property
    def secret_set_at(self) -> datetime:
        """When the secret in force was set: tokens obtained before that are void."""
        return self.rotated_at or self.created_at


_COLUMNS = ("client_id", "name", "profile", "regions", "writes", "secret_hash",
            "cert_thumbprint", "created_at", "rotated_at", "revoked_at", "ror_profile",
            "ror_role")
_SELECT_ONE = f"SELECT {', '.join(_COLUMNS)} FROM api_client WHERE client_id = :c"


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def _time(value: Any) -> datetime | None:
    return None if value is None else rawsql.py_time(value)


def _from_row(row: Any) -> ClientRow:
    (cid, name, profile, regions, writes, secret_hash, thumb, created, rotated, revoked,
     ror_profile, ror_role) = row
    created_at = _time(created)
    assert created_at is not None
    return ClientRow(cid, name, int(profile), _split(regions), _split(writes), secret_hash,
                     thumb, created_at, _time(rotated), _time(revoked), ror_profile, ror_role)


def insert(conn: sa.Connection, row: ClientRow) -> None:
    values = {name: getattr(row, name) for name in _COLUMNS}
    values.update(regions=",".join(row.regions), writes=",".join(row.writes))
    conn.execute(api_client.insert().values(**values))


def get(conn: sa.Connection, client_id: str) -> ClientRow | None:
    found = conn.execute(sa.select(*(api_client.c[n] for n in _COLUMNS))
                         .where(api_client.c.client_id == client_id)).first()
    return None if found is None else _from_row(found)


def all_clients(conn: sa.Connection) -> list[ClientRow]:
    stmt = sa.select(*(api_client.c[n] for n in _COLUMNS)).order_by(api_client.c.created_at,
                                                                     api_client.c.client_id)
    return [_from_row(row) for row in conn.execute(stmt)]


def set_secret(conn: sa.Connection, client_id: str, secret_hash: str, at: datetime) -> bool:
    stmt = api_client.update().where(api_client.c.client_id == client_id,
                                     api_client.c.revoked_at.is_(None))
    return conn.execute(stmt.values(secret_hash=secret_hash, rotated_at=at)).rowcount == 1


def revoke(conn: sa.Connection, client_id: str, at: datetime) -> bool:
    stmt = api_client.update().where(api_client.c.client_id == client_id,
                                     api_client.c.revoked_at.is_(None))
    return conn.execute(stmt.values(revoked_at=at)).rowcount == 1


# -- on every authenticated request: a point read, no transaction -------------------------

def fetch(points: PointReader, client_id: str) -> ClientRow | None:
    found = points.row(_SELECT_ONE, {"c": client_id})
    return None if found is None else _from_row(found)


async def afetch(points: PointReader, client_id: str) -> ClientRow | None:
    found = await points.arow(_SELECT_ONE, {"c": client_id})
    return None if found is None else _from_row(found)


# -- the token-signing key ----------------------------------------------------------------

SIGNING_KEY = "token-signing"
_CREATE_KEY = ("INSERT INTO auth_key (name, secret, created_at) VALUES (:name, :secret, :at) "
               "ON CONFLICT (name) DO NOTHING")
_READ_KEY = "SELECT secret FROM auth_key WHERE name = :name"


def signing_key(conn: sa.Connection, candidate: bytes, at: datetime) -> bytes:
    """The stored signing key; ``candidate`` becomes it if there is none yet. Workers racing
    to create it all end up with the one row that won."""
    rawsql.run(conn, _CREATE_KEY, {"name": SIGNING_KEY, "secret": candidate,
                                   "at": rawsql.db_time(at, conn.dialect.name)})
    return bytes(rawsql.run(conn, _READ_KEY, {"name": SIGNING_KEY}).fetchone()[0])
