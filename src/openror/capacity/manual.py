"""Manual entry of capacities: a referent updates every figure of a site in one save.

All the places of the save are written in one transaction through the write path (the
person's role decides, as for any write): either every place is updated or none. Each place
must still be at the version the page showed, or the save is refused (412) — someone else,
a bed-management feed for instance, changed it meanwhile. Every figure submitted is dated
now and marked as entered by hand (source 01): saving vouches for what the screen shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from openror.access.caller import Caller
from openror.errors import PreconditionFailed, error
from openror.fhir import capacity_indicators as ci
from openror.fhir.profiles import nos_url
from openror.services.writes import WritePath, resource_type
from openror.store.deadlocks import retried
from openror.store.feed import LogEntry
from openror.store.resources import utcnow

MANUAL = "01"
SOURCE_SYSTEM = nos_url("TRE_R335-TypeSourceCapacite")


@dataclass(frozen=True)
class PlaceCounts:
    place_id: str
    version: int  # the version the page showed
    counts: dict[int, int]  # position of the record in Location.extension -> its new count


def with_counts(body: dict[str, Any], counts: dict[int, int], now: datetime) -> dict[str, Any]:
    """``body`` with the given records' counts, dated ``now`` and entered by hand."""
    extensions = body.get("extension", [])
    for position, count in counts.items():
        record = extensions[position] if 0 <= position < len(extensions) else None
        if not isinstance(record, dict) or record.get("url") != ci.URL:
            continue  # the page was drawn from this version: cannot happen but by tampering
        record["extension"] = [_updated(part, count, now) for part in record["extension"]]
    return body


def _updated(part: dict[str, Any], count: int, now: datetime) -> dict[str, Any]:
    url = part.get("url")
    if url == "nbCapacity":
        return {"url": url, "valueInteger": count}
    if url == "capacityUpdateDate":
        return {"url": url, "valueDateTime": now.isoformat(timespec="seconds") + "Z"}
    if url == "capacitySourceType":
        return {"url": url, "valueCodeableConcept": {"coding": [
            {"system": SOURCE_SYSTEM, "code": MANUAL}]}}
    return part


class ManualEntry:
    def __init__(self, writes: WritePath) -> None:
        self.writes = writes

    @retried  # several places: may be aborted to break a deadlock with a feeder (deadlocks)
    def save(self, places: list[PlaceCounts], log: LogEntry, *, caller: Caller) -> int:
        """Write every place's counts in one transaction; return how many places changed."""
        rt = resource_type("Location", "update")
        now = utcnow()
        changed = 0
        with self.writes.db.write() as conn:
            for place in places:
                current = self.writes.live(conn, "Location", place.place_id)
                if current.version != place.version:
                    raise PreconditionFailed([error(
                        "conflict", f"Le lieu {place.place_id} a été modifié par ailleurs "
                        "depuis l'affichage de la page : rechargez-la et recommencez.")])
                assert current.content is not None
                body = with_counts(orjson.loads(current.content), place.counts, now)
                result = self.writes.commit_version(conn, rt, place.place_id, current, body,
                                                    "update", log, caller=caller)
                changed += not result.unchanged
        return changed
