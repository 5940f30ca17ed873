"""Step 3 — ways of working and places: the reception modalities of each offer (in the
office, home visits with their intervention zone, teleconsultation, tele-expertise), and
the address, commune, way in and accessibility of each place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from openror.geo import current_gazetteer
from openror.web.entry import choices as c
from openror.web.entry import ids, rows
from openror.web.entry.draft import Data

STEP = 3


def groups(data: Data) -> list[str]:
    return [ids.offer(i, "zone") for i in range(len(data["offers"]))]


def modalities(lists: c.Lists, stored: list[str]) -> list[str]:
    """The modalities drawn as checkboxes: the template's, and any the offer holds."""
    codes = [x.code for x in lists.modalities]
    return codes + [x for x in stored if x not in codes]


def parse(form: Mapping[str, str], data: Data, lists: c.Lists) -> None:
    for i, offer in enumerate(data["offers"]):
        values = data["values"][f"o:{offer['id']}"]
        offered = modalities(lists, data["base"][f"o:{offer['id']}"]["modalities"])
        values["modalities"] = sorted(
            code for code in offered if form.get(f"{ids.offer(i, 'modalities')}-{code}") == "1")
        typed = rows.read_values(form, ids.offer(i, "zone"),
                                 partial(ids.offer_row, i, "zone"))
        values["zone"] = [c.read_commune(x) for x in typed]
    for m, place in enumerate(data["places"]):
        if place["editable"]:
            values = data["values"][f"p:{place['id']}"]
            for key in ("line", "postal", "city", "description", "accessibility"):
                values[key] = form.get(ids.place(m, key), "").strip()


@dataclass(frozen=True)
class Found:
    """The commune an address leads to, as the step shows it."""

    code: str
    name: str
    lat: float | None
    lon: float | None


def commune(postal: str, city: str) -> Found | None:
    found = current_gazetteer().find(postal.strip() or None, city)
    return None if found is None else Found(found.code, found.name, found.lat, found.lon)


def departements(data: Data) -> list[str]:
    """The départements of the places: their communes fill the zone's list."""
    found = []
    for place in data["places"]:
        values = data["values"][f"p:{place['id']}"]
        where = commune(values["postal"], values["city"])
        if where is not None:
            dep = current_gazetteer().commune(where.code)
            if dep is not None and dep.departement not in found:
                found.append(dep.departement)
    return found
