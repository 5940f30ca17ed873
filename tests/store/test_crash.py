"""A write interrupted mid-transaction (process killed) leaves no partial version, feed entry,
log entry or derived row — and the database takes writes again afterwards."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import sqlalchemy as sa

from openror.access.caller import SYSTEM
from openror.config import Settings
from openror.services.container import Services
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.store.schema import metadata
from tests.builders import organization

CHILD = textwrap.dedent("""
    import os, signal, sys
    from openror.access.caller import SYSTEM
    from openror.config import Settings
    from openror.services import writes
    from openror.services.container import Services
    from openror.store.feed import LogEntry

    def die(*args, **kwargs):
        # The version, feed and log rows are written; the derived rows are next.
        os.kill(os.getpid(), signal.SIGKILL)

    writes.derived.replace = die
    services = Services.open(Settings(database_url=sys.argv[1]))
    body = {"resourceType": "Organization", "name": "x", "identifier": [
        {"system": "https://finess.esante.gouv.fr", "value": "010000001"}]}
    services.writes.create(body, LogEntry(actor="crash-test"), caller=SYSTEM)
    print("not killed")
""")


def _counts(db: Database) -> dict[str, int]:
    with db.read() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables}


def test_killed_writer_leaves_nothing_behind(db: Database, database_url: str) -> None:
    child = subprocess.run([sys.executable, "-c", CHILD, database_url], capture_output=True,
                           text=True, timeout=60, check=False)
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr
    assert all(count == 0 for count in _counts(db).values()), _counts(db)
    services = Services.open(Settings(database_url=database_url))
    try:
        result = services.writes.create(organization(), LogEntry(actor="after-crash"),
                                        caller=SYSTEM)
    finally:
        services.close()
    assert result.stored.version == 1
    counts = _counts(db)
    assert counts["resource"] == counts["resource_version"] == counts["change_feed"] == 1
