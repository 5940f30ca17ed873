"""Wires the services of one running instance: database, terminology, write path, reader,
API clients, people's accounts."""

from __future__ import annotations

from dataclasses import dataclass

from openror.config import Settings
from openror.geo import use_gazetteer
from openror.services.clients import Clients
from openror.services.people import People
from openror.services.reads import Reader
from openror.services.writes import WritePath
from openror.store import freshness, geo_tables, nos_releases
from openror.store.database import Database
from openror.store.migrate import ensure_current
from openror.terminology import Terminology, default_terminology


def load_terminology(db: Database) -> Terminology:
    """The bundled NOS tables, with every release imported into this database on top."""
    terminology = default_terminology()
    with db.read() as conn:
        releases = nos_releases.load_all(conn)
    for release in releases:
        terminology = terminology.with_release(release)
    return terminology


@dataclass
class Services:
    settings: Settings
    db: Database
    terminology: Terminology
    writes: WritePath
    reader: Reader
    clients: Clients
    people: People

    @classmethod
    def open(cls, settings: Settings) -> Services:
        freshness.use_thresholds(settings)  # first: a wrong setting stops the start
        db = Database(settings.effective_database_url, readers=settings.sqlite_readers,
                      pool_size=settings.pool_size, replicas=settings.replica_urls)
        try:
            ensure_current(db)  # a clear message rather than "no such table"
        except Exception:
            db.dispose()
            raise
        terminology = load_terminology(db)
        with db.read() as conn:
            use_gazetteer(geo_tables.load_gazetteer(conn))
        return cls(settings, db, terminology, WritePath(db, terminology, settings.region),
                   Reader(db), Clients(db, settings), People.open(db, settings))

    def close(self) -> None:
        self.db.dispose()
