"""A small directory written through the write path, and a writer that keeps changing it:
the data of the backup and consistency tests."""

from __future__ import annotations

import threading
from typing import Any

from openror.access.caller import SYSTEM
from openror.services.writes import WritePath
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.terminology import default_terminology
from tests.builders import healthcare_service, organization
from tests.capacity.feed_fixture import available, installed, place

LOG = LogEntry(actor="test")


def populate(db: Database) -> WritePath:
    """Two organisations, a place with capacities updated twice, an offer, a deleted place."""
    writes = WritePath(db, default_terminology(), "32")
    writes.update("Organization", "eg", {**organization(), "id": "eg"}, LOG, caller=SYSTEM)
    writes.update("Organization", "eg2", {**organization("Autre", "020000029"), "id": "eg2"},
                  LOG, caller=SYSTEM)
    for count in (2, 3, 4):
        writes.update("Location", "u1", unit(count), LOG, caller=SYSTEM)
    offer = {**healthcare_service("Organization/eg", "Location/u1"), "id": "hs"}
    writes.update("HealthcareService", "hs", offer, LOG, caller=SYSTEM)
    writes.update("Location", "gone", place("gone", None, installed(5)), LOG, caller=SYSTEM)
    writes.delete("Location", "gone", LOG, caller=SYSTEM)
    return writes


def unit(free: int) -> dict[str, Any]:
    return place("u1", "1020000261/UF0001", installed(20), available(free))


class Writer(threading.Thread):
    """Updates the capacity of u1 and creates places, one write at a time, until told to
    stop (or after ``limit`` writes)."""

    def __init__(self, url: str, limit: int = 400) -> None:
        super().__init__(daemon=True)
        self.url, self.limit = url, limit
        self.done = 0
        self.started_writing = threading.Event()
        self.stop = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        db = Database(self.url)
        writes = WritePath(db, default_terminology(), "32")
        try:
            while not self.stop.is_set() and self.done < self.limit:
                writes.update("Location", "u1", unit(self.done % 20), LOG, caller=SYSTEM)
                rid = f"w{self.done}"
                writes.update("Location", rid, place(rid, None, installed(self.done)), LOG,
                              caller=SYSTEM)
                self.done += 1
                if self.done >= 5:
                    self.started_writing.set()
        except BaseException as exc:  # reported by the test
            self.failure = exc
            self.started_writing.set()
        finally:
            db.dispose()
