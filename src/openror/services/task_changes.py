"""The write path as a person changes the status of anomalies from an inbox: one Task update
per anomaly, with the person as caller (their rights and the anomaly workflow, a rule of the
write path, apply to each), guarded by the version they saw."""

from __future__ import annotations

from typing import Any

from openror.access.caller import Caller
from openror.services.writes import WritePath
from openror.store import quality_inbox
from openror.store.feed import LogEntry
from openror.store.quality_inbox import StoredTask


class PersonTaskChanges:
    """Satisfies quality.inbox.TaskChanges."""

    def __init__(self, writes: WritePath, caller: Caller, reason: str) -> None:
        self.writes = writes
        self.caller = caller
        self.log = LogEntry(caller.actor, reason=reason)

    def read(self, task_id: str) -> StoredTask | None:
        """The anomaly as it is now (the primary, not a replica that may lag), if the person
        may see it."""
        with self.writes.db.read_primary() as conn:
            return quality_inbox.task(conn, self.caller, task_id)

    def update(self, task_id: str, body: dict[str, Any], version: int) -> None:
        self.writes.update("Task", task_id, body, self.log, f'W/"{version}"',
                           caller=self.caller)
