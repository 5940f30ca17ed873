"""The draft of an entry: what the person typed, step by step, next to the values the
entry started from (``base``), so that validation changes only what they changed.

Shape (JSON, store.entry_drafts)::

    offers  [{id, title, place, site}]    the offers they may change, in order
    places  [{id, title, editable, provider}]
    sites   [{key, title, offers}]        where contacts are entered: one per place
    base / values  {"o:<offer>": …, "p:<place>": …, "s:<site>": …, "g": …}
    errors  {field id: French message}    from the last check of the steps
    extra   {row group id: number of empty rows to show}
    reported [{item, task, at}]           anomalies the person raised from step 1
"""

from __future__ import annotations

from typing import Any

from openror.terminology import Terminology
from openror.web.entry import values as v
from openror.web.entry.practice import Held, Practice, place_of, provider_of

Data = dict[str, Any]
#: offer values entered per site rather than per offer (web.entry.merge)
SITE_KEYS = ("contacts", "mss")


def start(practice: Practice, terminology: Terminology) -> Data:
    """A new draft from what the directory holds now."""
    offers = sorted((o for o in practice.offers if o.editable),
                    key=lambda o: _order(practice, o, terminology))
    data: Data = {"practitioner": practice.practitioner.rid, "offers": [], "places": [],
                  "sites": [], "base": {}, "errors": {}, "extra": {}, "reported": []}
    base = data["base"]
    for offer in offers:
        place, provider = place_of(offer), provider_of(offer)
        site = place or f"org-{provider}"
        data["offers"].append({"id": offer.rid, "title": _title(offer, practice, terminology),
                               "place": place, "site": site})
        base[f"o:{offer.rid}"] = v.offer_values(offer.body)
        if not any(s["key"] == site for s in data["sites"]):
            data["sites"].append({"key": site, "title": _site_title(practice, place, provider),
                                  "offers": []})
            base[f"s:{site}"] = {k: base[f"o:{offer.rid}"][k] for k in SITE_KEYS}
        next(s for s in data["sites"] if s["key"] == site)["offers"].append(offer.rid)
        held = practice.place(place) if place else None
        if held is not None and not any(p["id"] == held.rid for p in data["places"]):
            org = practice.organisations.get(provider or "")
            data["places"].append({"id": held.rid, "title": _place_title(held),
                                   "editable": held.editable, "provider": provider})
            base[f"p:{held.rid}"] = v.place_values(held.body, v.accessibility_of(
                org.body if org else None))
    base["g"] = {"diffusion": diffusion_of([o.body for o in offers])}
    data["values"] = _copy(base)
    return data


def _order(practice: Practice, offer: Held, terminology: Terminology) -> tuple[bool, str, str]:
    """Their own places first (those they describe), then by structure and activity."""
    place = practice.place(place_of(offer) or "")
    provider = practice.organisations.get(provider_of(offer) or "")
    name = str(provider.body.get("name") or "") if provider else ""
    return (place is None or not place.editable, name, v.offer_values(offer.body)["activity"])


def diffusion_of(bodies: list[dict[str, Any]]) -> str:
    """The standing request, as the offers hold it: sensitive units → « restreint »; no
    contact visible to everyone → « non-public »; else « oui »."""
    if any(v.offer_values(b)["sensitive"] for b in bodies):
        return "restreint"
    with_contacts = [b for b in bodies if v.contact_rows(b) or v.mss(b)]
    if with_contacts and not any(v.public_levels(b) for b in with_contacts):
        return "non-public"
    return "oui"


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(x) for k, x in value.items()}
    if isinstance(value, list):
        return [_copy(x) for x in value]
    return value


def _title(offer: Held, practice: Practice, terminology: Terminology) -> str:
    code = v.offer_values(offer.body)["activity"]
    activity = terminology.display(v.TRE_R211, code) or str(offer.body.get("name") or code)
    provider = practice.organisations.get(provider_of(offer) or "")
    where = str(provider.body.get("name") or "") if provider else ""
    return f"{activity} — {where}" if where else activity


def _place_title(place: Held) -> str:
    values = v.place_values(place.body)
    name = str(place.body.get("name") or place.rid)
    return f"{name}, {values['city'].title()}" if values["city"] else name


def _site_title(practice: Practice, place: str | None, provider: str | None) -> str:
    held = practice.place(place) if place else None
    if held is not None:
        return _place_title(held)
    org = practice.organisations.get(provider or "")
    return str(org.body.get("name") or provider) if org else str(provider)


# -- reading a draft ---------------------------------------------------------------------

def offer_index(data: Data, rid: str) -> int:
    return next(i for i, o in enumerate(data["offers"]) if o["id"] == rid)


def site_index(data: Data, key: str) -> int:
    return next(i for i, s in enumerate(data["sites"]) if s["key"] == key)


def place_index(data: Data, rid: str) -> int:
    return next(i for i, p in enumerate(data["places"]) if p["id"] == rid)


def offer_values(data: Data, rid: str) -> dict[str, Any]:
    """What the person entered for the offer, site fields included."""
    site = next(o["site"] for o in data["offers"] if o["id"] == rid)
    return {**data["values"][f"o:{rid}"], **data["values"][f"s:{site}"]}
