"""The write path as the quality run publishes its steering indicators: Measure and
MeasureReport, read-only for clients, written by the server itself (the system caller, which
the registry's ``server_writes`` let through)."""

from __future__ import annotations

from typing import Any

from openror.access.caller import SYSTEM
from openror.services.writes import WritePath
from openror.store.feed import LogEntry


class SystemMeasureWriter:
    """Satisfies quality.measure_publish.MeasureWriter."""

    def __init__(self, writes: WritePath, actor: str = "quality") -> None:
        self.writes = writes
        self.log = LogEntry(actor)

    def upsert(self, body: dict[str, Any]) -> None:
        """Create or update by id; an unchanged body makes no new version."""
        self.writes.update(body["resourceType"], body["id"], body, self.log, caller=SYSTEM)
