"""The demo sample, loaded through the write path like any other data."""

from __future__ import annotations

from importlib import resources as package_files
from typing import Any

import orjson

from openror.config import Settings
from openror.services.container import Services
from openror.store.feed import LogEntry
from openror.store.resources import read_current


def sample_resources() -> list[dict[str, Any]]:
    raw = package_files.files("openror.services").joinpath("data/sample-core.json").read_bytes()
    items: list[dict[str, Any]] = orjson.loads(raw)
    return items


def load_sample(settings: Settings) -> int:
    """Create the sample resources that are not there yet; return how many exist."""
    services = Services.open(settings)
    log = LogEntry(actor="openror demo", batch_id="demo-sample")
    try:
        for body in sample_resources():
            with services.db.read() as conn:
                present = read_current(conn, body["resourceType"], body["id"]) is not None
            if not present:
                services.writes.update(body["resourceType"], body["id"], body, log)
    finally:
        services.close()
    return len(sample_resources())
