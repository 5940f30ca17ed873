"""Equipment, a hard criterion on the offer's places: one of them has an asked equipment
(``ror-location-equipment``, type TRE_R212) in service (``nbInService`` absent or above 0)
and, when a weight is asked, a maximum weight (nested ``ror-location-equipment-limit`` of
feature TRE_R340 ``001``) at least that weight. The limit is a UCUM Quantity: kg, g, t and
pounds are compared; another unit is not.

Places are read only when equipment is asked, and then only those of the offers the search
engine found with the equipment type on one of their places (``search_pairs``): the check
here is the exact one (in service, the weight), the search a cheap superset."""

from __future__ import annotations

from typing import Any

from openror.fhir.profiles import EXT_EQUIPMENT, EXT_EQUIPMENT_LIMIT
from openror.search.orientation.model import EquipmentNeed, Json
from openror.search.orientation.model import french_number as _n

EQUIPMENT_SYSTEMS = ("TRE_R212", "JDV_J18")
MAX_WEIGHT = "001"  # TRE_R340
_KG = {"kg": 1.0, "g": 0.001, "t": 1000.0, "[lb_av]": 0.45359237}


def search_pairs(need: EquipmentNeed) -> list[tuple[str, str]]:
    return [("location.equipment-type", ",".join(k.code for k in need.kinds))]


def kilograms(quantity: Any) -> float | None:
    """A UCUM mass Quantity in kg (None: no value, or a unit that is not a mass)."""
    if not isinstance(quantity, dict) or not isinstance(quantity.get("value"), int | float):
        return None
    factor = _KG.get(str(quantity.get("code") or quantity.get("unit") or ""))
    return float(quantity["value"]) * factor if factor is not None else None


def check(need: EquipmentNeed, places: list[Json]) -> tuple[bool, str]:
    """(passes, French text: what matched, or why not)."""
    asked = {k.code: k.label for k in need.kinds}
    found: list[tuple[str, dict[str, Any]]] = [
        (code, parts) for place in places for code, parts in _equipment(place) if code in asked]
    working = [(code, parts) for code, parts in found if _in_service(parts)]
    if not working:
        labels = " ou ".join(asked.values())
        if found:
            return False, f"l'équipement demandé est hors service ({labels})"
        return False, f"aucun de ses lieux n'a l'équipement demandé ({labels})"
    if need.min_kg is None:
        return True, f"équipement : {asked[working[0][0]]}"
    limits = [(kg, code) for code, parts in working for kg in _weights(parts)]
    fit = max(((kg, code) for kg, code in limits if kg >= need.min_kg), default=None)
    if fit is not None:
        return True, f"équipement : {asked[fit[1]]}, jusqu'à {_n(fit[0])} kg"
    if not limits:
        return False, f"limite de poids de l'équipement non renseignée ({_n(need.min_kg)} kg " \
                      "demandés)"
    return False, f"l'équipement supporte au plus {_n(max(limits)[0])} kg, " \
                  f"{_n(need.min_kg)} kg demandés"


def _equipment(place: Json) -> list[tuple[str, dict[str, Any]]]:
    """(TRE_R212 code, sub-extensions by url, the limits as a list) of each equipment."""
    found = []
    for ext in place.get("extension") or []:
        if not isinstance(ext, dict) or ext.get("url") != EXT_EQUIPMENT:
            continue
        parts: dict[str, Any] = {"limits": []}
        for part in ext.get("extension") or []:
            if isinstance(part, dict) and part.get("url") == EXT_EQUIPMENT_LIMIT:
                parts["limits"].append(part)
            elif isinstance(part, dict):
                parts[str(part.get("url"))] = part
        code = _code(parts.get("equipmentType"), EQUIPMENT_SYSTEMS)
        if code is not None:
            found.append((code, parts))
    return found


def _in_service(parts: dict[str, Any]) -> bool:
    count = (parts.get("nbInService") or {}).get("valueInteger")
    return not isinstance(count, int) or count > 0


def _weights(parts: dict[str, Any]) -> list[float]:
    found = []
    for limit in parts["limits"]:
        sub = {p.get("url"): p for p in limit.get("extension") or [] if isinstance(p, dict)}
        if _code(sub.get("equipmentFeature"), ("TRE_R340", "JDV_J228")) == MAX_WEIGHT:
            kg = kilograms((sub.get("limitValue") or {}).get("valueQuantity"))
            if kg is not None:
                found.append(kg)
    return found


def _code(ext: Any, systems: tuple[str, ...]) -> str | None:
    """The code of an extension's CodeableConcept in one of ``systems`` (or without one)."""
    concept = (ext or {}).get("valueCodeableConcept") if isinstance(ext, dict) else None
    for coding in (concept or {}).get("coding") or []:
        system = str(coding.get("system") or "")
        if isinstance(coding.get("code"), str) and \
                (not system or any(s in system for s in systems)):
            return str(coding["code"])
    return None
