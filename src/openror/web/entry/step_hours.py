"""Step 5 — hours, day by day, with or without appointment (JDV_J41 07 / 06, 01 opening
hours); exceptions (rows valid between two dates) and a temporary closure."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from openror.web.entry import build, ids, rows
from openror.web.entry import choices as c
from openror.web.entry.draft import Data

STEP = 5
ATTRS = ("type", "day", "start", "end", "from", "to")
#: a new row: consultations on appointment, the most common kind
EMPTY = {"type": "07", "day": "", "start": "", "end": "", "from": "", "to": ""}


def groups(data: Data) -> list[str]:
    return [ids.offer(i, "h") for i in range(len(data["offers"]))]


def parse(form: Mapping[str, str], data: Data, lists: c.Lists) -> None:
    for i, offer in enumerate(data["offers"]):
        values = data["values"][f"o:{offer['id']}"]
        found = rows.read_rows(form, ids.offer(i, "h"), partial(ids.hour, i), ATTRS,
                               ("start", "end", "from", "to"))
        values["hours"] = [{**r, "start": hhmm(r["start"]), "end": hhmm(r["end"]),
                            "from": build.date_of(r["from"]), "to": build.date_of(r["to"])}
                           for r in found]
        for key in ("closure_start", "closure_end"):
            values[key] = build.date_of(form.get(ids.offer(i, key), ""))


def hhmm(typed: str) -> str:
    """« 8h30 » → 08:30 (as stored times are shown); anything else as typed."""
    found = build.time_of(typed)
    return found[:5] if found != typed.strip() else found


def french_date(iso: str) -> str:
    """2026-08-01 → 01/08/2026, as the form shows dates; anything else as it is."""
    parts = iso.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        return f"{parts[2]}/{parts[1]}/{parts[0]}"
    return iso
