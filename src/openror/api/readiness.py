"""Readiness (``GET /-/ready``): may this process take traffic? Yes when the database
answers and its schema is the one this code was written for (a server started before an
upgrade of the code, or a database restored from an older backup, is not ready). Liveness
is ``/-/health``: a process that is not ready should not be restarted for it.

The check runs on the primary's reader pool, never on the single SQLite writer connection
(a probe must not queue behind writes), and reports what is wrong without the database's
own error text, which may name hosts: that goes to the log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cache

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext

from openror.store.database import Database
from openror.store.migrate import head_revision

log = logging.getLogger("openror.api")


@dataclass(frozen=True)
class Readiness:
    expected: str
    current: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems


@cache
def expected_revision() -> str:
    """The schema revision of this code (read once: the migrations are files)."""
    return head_revision()


def check(db: Database) -> Readiness:
    expected = expected_revision()
    try:
        with db.reader.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except sa.exc.SQLAlchemyError as exc:
        log.warning("readiness: the database does not answer: %s", exc)
        return Readiness(expected, problems=["the database does not answer"])
    if current != expected:
        return Readiness(expected, current, [
            f"the database schema is at {current or 'nothing'}, this version of openror "
            f"needs {expected} ('openror db upgrade' brings an older schema up to date)"])
    return Readiness(expected, current)
