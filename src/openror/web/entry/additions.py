"""« Ajouter une offre » (step 2) and « Ajouter un lieu » (step 3): a new offer of one of
the person's practices — an organisation where they hold a role — and a new place for one
of their offers, drafted like the rest and written at validation (web.entry.merge) through
the write path, whose rule allows exactly this (services.scopes: a professional founds an
offer together with their role in it, and a place used only by their offers).

In the draft, a new offer or place is an entry like the others (``new``: true), whose base
values are those of an empty resource: everything the person enters is then « changed »
and written."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from openror.fhir import profiles as p
from openror.fhir.datatypes import concept
from openror.fhir.nos_systems import TRE_R23, TRE_R227
from openror.web.entry import choices as c
from openror.web.entry import draft, template_use
from openror.web.entry import fields as f
from openror.web.entry import values as v
from openror.web.entry.practice import Practice

ADD_OFFER, ADD_PLACE = "nouvelle-offre", "nouveau-lieu"
#: the fields of the two small forms (their ids are also their error keys)
OFFER_PRACTICE, OFFER_ACTIVITY, OFFER_CARE = "no-structure", "no-activite", "no-mode"
PLACE_OFFER, PLACE_NAME = "nl-offre", "nl-nom"
LIBERAL = "L"  # TRE_R23 exercise mode of a new role when the practice's roles say none
FIELD_CITY = "05"  # TRE_R227: the city medicine of the liberal offers the entry edits


def practices(practice: Practice) -> list[dict[str, str]]:
    """The organisations where the person holds a liberal role, as a new offer may name
    them (services.scopes.may_found: a salaried role names the employer, whose offers its
    referent creates)."""
    found: dict[str, dict[str, str]] = {}
    for role in practice.roles:
        if _exercise_mode(role.body) != LIBERAL:
            continue
        ref = (role.body.get("organization") or {}).get("reference") or ""
        org = ref.split("/", 1)[1] if ref.startswith("Organization/") else ""
        held = practice.organisations.get(org)
        if held is not None and org not in found:
            found[org] = {"id": org, "title": str(held.body.get("name") or org),
                          "mode": _exercise_mode(role.body)}
    return sorted(found.values(), key=lambda x: x["title"])


def _exercise_mode(role: dict[str, Any]) -> str:
    ext: dict[str, Any] = next((e for e in role.get("extension") or []
                if e.get("url") == p.EXT_EXERCISE_MODE), {})
    codings = (ext.get("valueCodeableConcept") or {}).get("coding") or [{}]
    return str(codings[0].get("code") or LIBERAL)


# -- the offer ---------------------------------------------------------------------------

def add_offer(form: Mapping[str, str], data: draft.Data, lists: c.Lists) -> dict[str, str]:
    """Add the offer the small form describes; its errors (field id → French) otherwise."""
    chosen = form.get(OFFER_PRACTICE, "")
    where = next((x for x in data.get("practices", []) if x["id"] == chosen), None)
    activity = c.read_code(lists.activities, form.get(OFFER_ACTIVITY, "").strip())
    errors = {}
    if where is None:
        errors[OFFER_PRACTICE] = "Choisissez la structure où vous exercez cette activité."
    if not activity or activity not in {x.code for x in lists.activities}:
        errors[OFFER_ACTIVITY] = ("Choisissez l'activité dans la liste proposée (tapez les "
                                  "premières lettres, par exemple « médecine »).")
    care = form.get(OFFER_CARE, "") or f.CARE_MODE
    if care not in {x.code for x in lists.care_modes} | {f.CARE_MODE}:
        errors[OFFER_CARE] = "Choisissez le mode de prise en charge dans la liste."
    if errors or where is None:
        return errors
    rid = str(uuid.uuid4())
    label = next(x.label for x in lists.activities if x.code == activity)
    site = f"org-{where['id']}"
    data["offers"].append({"id": rid, "title": f"{label} — {where['title']} (nouvelle)",
                           "place": None, "site": site, "new": True,
                           "provider": where["id"], "mode": where["mode"], "care": care,
                           "role": str(uuid.uuid4()), "added_places": []})
    base = v.offer_values(skeleton_offer(rid, where["id"], care))
    data["base"][f"o:{rid}"] = base
    data["values"][f"o:{rid}"] = {**draft._copy(base), "activity": activity, "name": label}
    if not any(s["key"] == site for s in data["sites"]):
        data["sites"].append({"key": site, "title": where["title"], "offers": []})
        data["base"][f"s:{site}"] = {k: draft._copy(base[k]) for k in draft.SITE_KEYS}
        data["values"][f"s:{site}"] = {k: draft._copy(base[k]) for k in draft.SITE_KEYS}
    next(s for s in data["sites"] if s["key"] == site)["offers"].append(rid)
    _same_form_as_a_sibling(data, rid, where["id"])
    template_use.prefill(data, only=f"o:{rid}")
    return {}


def _same_form_as_a_sibling(data: draft.Data, rid: str, provider: str) -> None:
    """The new offer is entered with the template of an offer of the same practice (else
    of any of the person's offers; else the built-in list)."""
    forms = data.setdefault("forms", {})
    siblings = [o["id"] for o in data["offers"] if o["id"] != rid and o["id"] in forms]
    same = [o["id"] for o in data["offers"] if o["id"] in siblings and
            (o.get("provider") or _provider_of_site(data, o)) == provider]
    chosen = (same or siblings or [None])[0]
    if chosen is not None:
        forms[rid] = forms[chosen]


def _provider_of_site(data: draft.Data, offer: dict[str, Any]) -> str | None:
    place = next((x for x in data["places"] if x["id"] == offer.get("place")), None)
    return place.get("provider") if place else None


def skeleton_offer(rid: str, provider: str, care: str) -> dict[str, Any]:
    """A new offer before the person's values: city medicine, their practice, the care
    mode; the rest (activity, name, modalities…) is built from what they entered."""
    return {"resourceType": "HealthcareService", "id": rid, "active": True,
            "extension": [{"url": p.EXT_SENSITIVE_UNIT, "valueBoolean": False}],
            "providedBy": {"reference": f"Organization/{provider}"},
            "type": [concept(TRE_R227, FIELD_CITY)],
            "characteristic": [concept(v.TRE_R213, care)]}


def new_role(entry: dict[str, Any], practitioner: str, places: list[str]) -> dict[str, Any]:
    """The person's role in their new offer, at its practice."""
    role: dict[str, Any] = {
        "resourceType": "PractitionerRole", "id": entry["role"], "active": True,
        "extension": [{"url": p.EXT_EXERCISE_MODE, "valueCodeableConcept": concept(
            TRE_R23, entry.get("mode") or LIBERAL)}],
        "practitioner": {"reference": f"Practitioner/{practitioner}"},
        "organization": {"reference": f"Organization/{entry['provider']}"},
        "healthcareService": [{"reference": f"HealthcareService/{entry['id']}"}]}
    if places:
        role["location"] = [{"reference": f"Location/{x}"} for x in places]
    return role


# -- the place ---------------------------------------------------------------------------

def add_place(form: Mapping[str, str], data: draft.Data) -> dict[str, str]:
    """Add the place the small form names to one of the person's offers."""
    offer = next((o for o in data["offers"] if o["id"] == form.get(PLACE_OFFER)), None)
    name = form.get(PLACE_NAME, "").strip()
    errors = {}
    if offer is None:
        errors[PLACE_OFFER] = "Choisissez l'offre pratiquée dans ce lieu."
    if not name:
        errors[PLACE_NAME] = "Donnez un nom au lieu (par exemple « Cabinet secondaire »)."
    if errors or offer is None:
        return errors
    rid = str(uuid.uuid4())
    provider = offer.get("provider") or _provider_of_site(data, offer)
    data["places"].append({"id": rid, "title": name, "editable": True, "provider": provider,
                           "new": True, "name": name})
    base = v.place_values(skeleton_place(rid, name, provider))
    data["base"][f"p:{rid}"] = base
    data["values"][f"p:{rid}"] = draft._copy(base)
    offer.setdefault("added_places", []).append(rid)
    if offer["place"] is None:
        offer["place"] = rid
    return {}


def skeleton_place(rid: str, name: str, manager: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"resourceType": "Location", "id": rid, "status": "active",
                            "name": name}
    if manager:
        body["managingOrganization"] = {"reference": f"Organization/{manager}"}
    return body
