"""The roles world of tests/services with owners' accounts, for freshness and reminders.

Owners: ``ref-a`` (referent of site eg-a: offer hs-a), ``ref-ej-b`` (referent of the legal
entity ej-b: offer hs-b), ``pro`` (professional pract-p: offer hs-p; not hs-a, shared with
pract-q), ``ref-b-nomail`` (referent of eg-b without an address) and ``ex-ref-a`` (disabled).
Nobody with an address owns hs-q or hs-84."""

from __future__ import annotations

from datetime import datetime, timedelta

from openror.services.users import Users
from openror.store.database import Database
from openror.store.resources import utcnow
from openror.store.schema import change_feed, resource
from tests.services import roles_world

ACCOUNTS = {
    "ref-a": ("ref-a@example.org", None, ("referent:eg-a",)),
    "ref-ej-b": ("ref-ej-b@example.org", None, ("referent:ej-b",)),
    "pro": ("pro@example.org", "pract-p", ("professional",)),
    "ref-b-nomail": (None, None, ("referent:eg-b",)),
    "ex-ref-a": ("ex@example.org", None, ("referent:eg-a",)),
}
OFFERS = ("hs-a", "hs-b", "hs-p", "hs-q", "hs-84")


def load(db: Database) -> None:
    roles_world.load(db)
    users = Users(db)
    for login, (email, practitioner, roles) in ACCOUNTS.items():
        users.add(login, login, email, practitioner, roles)
    users.disable("ex-ref-a")


def age_offers(db: Database, days: int, *offers: str) -> datetime:
    """Make the offers' last change ``days`` old (a year passing); return that moment."""
    then = utcnow() - timedelta(days=days)
    with db.write() as conn:
        conn.execute(resource.update().where(resource.c.type == "HealthcareService",
                                             resource.c.id.in_(offers or OFFERS))
                     .values(last_updated=then))
    return then


def feed_position(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(change_feed.select().with_only_columns(
            change_feed.c.seq).order_by(change_feed.c.seq.desc()).limit(1)).scalar_one())
