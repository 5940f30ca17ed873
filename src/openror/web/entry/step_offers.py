"""Step 2 — the offers and what distinguishes them: name, activity, specific acts,
competences, expertise, publics and ages, practical information; the equipment of the
places the person may change."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from openror.web.entry import choices as c
from openror.web.entry import ids, rows
from openror.web.entry.draft import Data

STEP = 2
REPEATED = ("acts", "outside_acts", "competences")


def groups(data: Data) -> list[str]:
    """The row groups of this step (« Ajouter des lignes » names one)."""
    found = [ids.offer(i, key) for i in range(len(data["offers"])) for key in REPEATED]
    return found + [ids.place(m, "e") for m, p in enumerate(data["places"]) if p["editable"]]


def parse(form: Mapping[str, str], data: Data, lists: c.Lists) -> None:
    for i, offer in enumerate(data["offers"]):
        values = data["values"][f"o:{offer['id']}"]
        for key in ("name", "age_min", "age_max", "comment", "expertise"):
            values[key] = form.get(ids.offer(i, key), "").strip()
        values["activity"] = c.read_code(lists.activities,
                                         form.get(ids.offer(i, "activity"), ""))
        for key, known in (("acts", lists.acts), ("outside_acts", lists.outside_acts),
                           ("competences", lists.competences)):
            typed = rows.read_values(form, ids.offer(i, key),
                                     partial(ids.offer_row, i, key))
            values[key] = [c.read_code(known, x) for x in typed]
        offered = publics(lists, data["base"][f"o:{offer['id']}"]["publics"])
        values["publics"] = sorted(code for code in offered
                                   if form.get(f"{ids.offer(i, 'publics')}-{code}") == "1")
    for m, place in enumerate(data["places"]):
        if place["editable"]:
            found = rows.read_rows(form, ids.place(m, "e"),
                                   partial(ids.equipment, m),
                                   ("type", "count"), ("type",))
            data["values"][f"p:{place['id']}"]["equipment"] = [
                {"type": c.read_code(lists.equipment, r["type"]), "count": r["count"]}
                for r in found]


def publics(lists: c.Lists, stored: list[str]) -> list[str]:
    """The publics drawn as checkboxes: the value set's, and any the offer holds besides."""
    codes = [x.code for x in lists.publics]
    return codes + [x for x in stored if x not in codes]
