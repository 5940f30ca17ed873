"""Synthetic places of care (Location, ror-location): one unit per bed or place offer in
hospitals, one per care mode in medico-social establishments, with capacities and equipment.

Bed and place counts come from the SAE 2020 when the establishment is in it (a domain's beds
shared between its units), otherwise from the profile's typical unit size.
"""

from __future__ import annotations

import random
from typing import Any

from openror.datasets import capacities, ids
from openror.datasets import codes as c
from openror.datasets.catalog import Profile
from openror.datasets.context import Site, label
from openror.datasets.plans import UnitPlan
from openror.datasets.sae import DOMAINS, Facts
from openror.fhir import profiles as p
from openror.fhir.datatypes import coding, concept
from openror.fhir.nos_systems import TRE_R13, TRE_R203

PLACE_TYPE_CODE = "25"  # TRE_R354: functional id of a place
#: care mode -> name of a unit shared by the offers of that mode
SHARED_NAMES = {"46": "Hébergement", "47": "Accueil de jour", "48": "Accueil de nuit",
                "28": "Hospitalisation complète", "29": "Hôpital de jour",
                "31": "Hospitalisation à domicile"}
#: J17 activity -> where the SAE imaging equipment of the establishment is installed
IMAGING_UNITS = {"054": ("068",), "094": ("504", "067", "510")}


def unit_counts(units: list[UnitPlan]) -> dict[str, int]:
    """How many units share each SAE domain key ("beds:med"), to split its beds."""
    found: dict[str, int] = {}
    for unit in units:
        key = _sae_key(unit)
        if key:
            found[key] = found.get(key, 0) + 1
    return found


def _sae_key(unit: UnitPlan) -> str:
    prefix = "beds" if unit.kind == "01" else "places"
    if unit.activity in DOMAINS:
        return f"{prefix}:{DOMAINS[unit.activity]}"
    return f"beds:{unit.activity}" if unit.kind == "01" and unit.activity else ""


def size(rng: random.Random, unit: UnitPlan, profile: Profile, facts: Facts | None,
         shares: dict[str, int]) -> int:
    key = _sae_key(unit)
    if facts is not None and key and facts.counts.get(key):
        return max(1, facts.counts[key] // shares.get(key, 1))
    low, high = profile.unit_size
    return rng.randint(low, high) if unit.kind == "01" else max(2, rng.randint(low, high) // 3)


def unit_name(unit: UnitPlan) -> str:
    if not unit.activity:
        return SHARED_NAMES.get(unit.mode, label("JDV_J19", unit.mode))
    return f"Unité {label('JDV_J17', unit.activity)} ({label('JDV_J19', unit.mode).lower()})"


def place(site: Site, unit: UnitPlan, beds: int, extensions: list[dict[str, Any]],
          rng: random.Random) -> dict[str, Any]:
    local = f"L{site.finess}-{unit.number:03d}"
    body: dict[str, Any] = {
        "resourceType": "Location", "id": ids.place_id(site.finess, unit.number),
        "meta": c.region_meta(site.region),
        "extension": [
            c.ext_concept(p.EXT_COMMUNE_COG, TRE_R13, site.commune),
            c.creation_date(site.moment),
            *capacities.capacities(rng, unit.kind, beds, site.moment, _hospital(site, unit)),
            *extensions,
        ],
        "identifier": [{"type": concept(p.TRE_R354_RESOURCE_ID_TYPE, PLACE_TYPE_CODE),
                        "value": ids.functional_value(site.region, local)}],
        "status": "active",
        "operationalStatus": coding(TRE_R203, "OP", "Opérationnel"),
        "name": unit_name(unit),
        "mode": "instance",
    }
    if _hospital(site, unit):  # the code its bed-management software feeds it by
        body["identifier"].append({
            "type": concept(p.TRE_R354_RESOURCE_ID_TYPE, p.EXTERNAL_SYNC_ID_TYPE_CODE),
            "value": external_sync_id(site.finess, unit.number)})
    if site.address:
        body["address"] = site.address
    if site.position:
        body["position"] = site.position
    if site.has_place:
        body["partOf"] = c.reference("Location", ids.finess_place_id(site.finess))
    return body


def external_sync_id(finess: str, number: int) -> str:
    """``<IdNatStruct of the site>/<external code>``, as bed-management feeds address it."""
    return f"1{finess}/UF{number:04d}"


def _hospital(site: Site, unit: UnitPlan) -> bool:
    """Hospital units (MCO, SMR, psychiatry) report occupancy and are often fed by software."""
    return bool(unit.activity) and unit.mode in ("28", "29", "34", "13", "14")


def equipment(rng: random.Random, units: list[UnitPlan], profile: Profile,
              facts: Facts | None) -> dict[int, list[dict[str, Any]]]:
    """Unit number -> its equipment extensions: the SAE imaging equipment, plus a few items
    of the profile's list in some units."""
    found: dict[int, list[dict[str, Any]]] = {}
    if not units:
        return found
    for code, count in sorted((facts.equipment if facts else {}).items()):
        where = next((u.number for u in units if u.activity in IMAGING_UNITS.get(code, ())),
                     units[0].number)
        found.setdefault(where, []).append(capacities.equipment(code, count))
    for unit in units:
        if profile.equipment and rng.random() < 0.35:
            for code in sorted(rng.sample(profile.equipment, min(2, len(profile.equipment)))):
                found.setdefault(unit.number, []).append(
                    capacities.equipment(code, rng.randint(1, 4)))
    return found
