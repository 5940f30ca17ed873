"""The after-write hooks of every process that writes the directory on behalf of others:
capacity threshold alerts (``capacity.alerts``) and subscription matching
(``sync.subscriptions``). Each records, in the writer's transaction, what the server's
background loops then deliver.

The server installs them at start; so does ``openror federate``, whose changes are writes
here like any other: a subscriber or an alert's owner on a national instance must hear of a
region's change as if it had been written locally."""

from __future__ import annotations

from openror.capacity import alerts
from openror.services.writes import WritePath
from openror.sync.subscriptions import matching


def install(writes: WritePath) -> None:
    writes.after_write.append(alerts.after_place_write)
    writes.after_write.append(matching.after_write)
