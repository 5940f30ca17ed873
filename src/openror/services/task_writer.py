"""The write path as the quality run raises and closes anomalies: Task writes by the run,
with the system's rights (the anomaly's routing and workflow still apply: they are rules of
the write path, quality.task_writes)."""

from __future__ import annotations

from typing import Any

import orjson

from openror.access.caller import SYSTEM
from openror.services.writes import WritePath
from openror.store.feed import LogEntry
from openror.store.resources import read_current


class SystemTaskWriter:
    """Satisfies quality.anomalies.TaskWriter."""

    def __init__(self, writes: WritePath, actor: str) -> None:
        self.writes = writes
        self.log = LogEntry(actor)

    def create(self, body: dict[str, Any]) -> str:
        return self.writes.create(body, self.log, caller=SYSTEM).stored.id

    def read(self, task_id: str) -> dict[str, Any] | None:
        # the primary: the update that follows writes this content back without a version
        with self.writes.db.read_primary() as conn:
            current = read_current(conn, "Task", task_id)
        if current is None or current.deleted or current.content is None:
            return None
        found: dict[str, Any] = orjson.loads(current.content)
        return found

    def update(self, task_id: str, body: dict[str, Any]) -> None:
        self.writes.update("Task", task_id, body, self.log, caller=SYSTEM)
