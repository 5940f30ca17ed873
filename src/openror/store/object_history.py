"""The change log of one resource, newest first, with the versions before and after each
change (the editor's « historique » and its « modifié entre-temps par … » message), and the
names of the people and systems the log records as actors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from openror.store.people_tables import user_account
from openror.store.schema import api_client, change_feed, change_log, resource_version


@dataclass(frozen=True)
class Change:
    version: int  # the version the change made
    action: str  # create, update, patch, delete
    at: datetime
    actor: str  # "user:<login>", "client:<id>", "system", …
    reason: str | None
    before: bytes | None  # None: a creation
    after: bytes | None  # None: a deletion


def changes(conn: sa.Connection, rtype: str, rid: str, *, after_version: int = 0,
            limit: int = 50) -> list[Change]:
    """The latest ``limit`` changes of ``rtype/rid`` that made a version above
    ``after_version``, newest first. Versions are read from ``resource_version`` (the log
    points at them rather than copying them)."""
    cf, cl = change_feed, change_log
    before = resource_version.alias("before")
    after = resource_version.alias("after")
    stmt = (
        sa.select(cf.c.version, cf.c.action, cl.c.at, cl.c.actor, cl.c.reason,
                  before.c.content, after.c.content)
        .join(cl, cl.c.seq == cf.c.seq)
        .join(after, after.c.seq == cf.c.seq)
        .outerjoin(before, sa.and_(before.c.type == cf.c.type, before.c.id == cf.c.id,
                                   before.c.version == cl.c.before_version))
        .where(cf.c.type == rtype, cf.c.id == rid, cf.c.version > after_version)
        .order_by(cf.c.seq.desc())
        .limit(limit)
    )
    return [Change(int(v), str(action), at, str(actor), reason, old, new)
            for v, action, at, actor, reason, old, new in conn.execute(stmt)]


def count(conn: sa.Connection, rtype: str, rid: str) -> int:
    stmt = sa.select(sa.func.count()).select_from(change_feed).where(
        change_feed.c.type == rtype, change_feed.c.id == rid)
    return int(conn.execute(stmt).scalar_one())


def actor_names(conn: sa.Connection, actors: Iterable[str]) -> dict[str, str]:
    """actor -> the name to show: a person's display name, an API client's name; actors
    that name neither are left out (the caller shows them as they are)."""
    wanted = set(actors)
    logins = {a.removeprefix("user:") for a in wanted if a.startswith("user:")}
    clients = {a.removeprefix("client:") for a in wanted if a.startswith("client:")}
    names: dict[str, str] = {}
    if logins:
        rows = conn.execute(sa.select(user_account.c.login, user_account.c.display_name)
                            .where(user_account.c.login.in_(sorted(logins))))
        names.update({f"user:{login}": str(name) for login, name in rows})
    if clients:
        rows = conn.execute(sa.select(api_client.c.client_id, api_client.c.name)
                            .where(api_client.c.client_id.in_(sorted(clients))))
        names.update({f"client:{cid}": str(name) for cid, name in rows})
    return names


def version_content(conn: sa.Connection, rtype: str, rid: str, version: int) -> bytes | None:
    """The stored bytes of one version (None: no such version, or a deletion)."""
    rv = resource_version
    found = conn.execute(sa.select(rv.c.content).where(
        rv.c.type == rtype, rv.c.id == rid, rv.c.version == version)).first()
    return None if found is None else found[0]
