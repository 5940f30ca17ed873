"""Capacity records (``ror-location-supported-capacity``) and equipment
(``ror-location-equipment``) of a place, in the valid indicator combinations of SPEC §4:

* installed (J188 01): beds or places, current, no gender;
* available (02): current, split by gender (J190 01 women, 02 men, 04 undetermined) for beds;
* occupied (03), closed (05, with a J191 closing type), supplementary (06, with a J192 bed
  type and a J194 crisis type), and an available forecast at 24 h (J189 03).

Every record of one place shares the update date and the source (manual entry, or the
bed-management feed for hospital units), as a feed would write them.
"""

from __future__ import annotations

import random
from typing import Any

from openror.datasets import codes as c
from openror.fhir import profiles as p

INSTALLED, AVAILABLE, OCCUPIED, CLOSED, SUPPLEMENTARY = "01", "02", "03", "05", "06"
CURRENT, FORECAST_24H = "01", "03"
WOMEN, MEN, UNDETERMINED = "01", "02", "04"
MANUAL, BED_MANAGEMENT = "01", "02"
#: bariatric equipment -> its weight limit (J228 TRE_R340 "001" poids maximum), in kg
WEIGHT_LIMITS = {"089": 350, "090": 450, "072": 300, "088": 250, "091": 250, "092": 350,
                 "083": 250, "084": 300, "189": 250, "190": 350, "191": 450, "197": 350}


def _sub(url: str, system: str, code: str) -> dict[str, Any]:
    return c.ext_concept(url, system, code)


def record(kind: str, status: str, count: int, updated: str, source: str,
           temporality: str = CURRENT, **extra: tuple[str, str]) -> dict[str, Any]:
    """One indicator; ``extra`` holds the optional sub-extensions as (system, code)."""
    parts = [
        _sub("capacityType", c.TRE_R329, kind),
        _sub("capacityStatus", c.TRE_R330, status),
        _sub("temporalityCapacity", c.TRE_R331, temporality),
        {"url": "nbCapacity", "valueInteger": count},
        _sub("capacitySourceType", c.TRE_R335, source),
        {"url": "capacityUpdateDate", "valueDateTime": updated},
        _sub("temporaryAssignement", c.TRE_R337, "01"),
    ]
    parts += [_sub(name, system, code) for name, (system, code) in extra.items()]
    return {"url": p.EXT_SUPPORTED_CAPACITY, "extension": parts}


def capacities(rng: random.Random, kind: str, installed: int, updated: str,
               hospital: bool) -> list[dict[str, Any]]:
    """The capacity records of a unit with ``installed`` beds ("01") or places ("02")."""
    source = BED_MANAGEMENT if hospital and rng.random() < 0.6 else MANUAL
    closed = rng.randint(1, max(1, installed // 8)) if rng.random() < 0.25 else 0
    available = rng.randint(0, max(0, (installed - closed) // 5))
    found = [record(kind, INSTALLED, installed, updated, source)]
    found += _available(rng, kind, available, updated, source)
    if hospital:
        occupied = installed - closed - available
        found.append(record(kind, OCCUPIED, occupied, updated, source))
    if closed:
        found.append(record(kind, CLOSED, closed, updated, source,
                            capacityClosingType=(c.TRE_R333, rng.choice(("01", "01", "02")))))
    if hospital and kind == "01" and rng.random() < 0.3:
        found.append(record(kind, SUPPLEMENTARY, rng.randint(1, 4), updated, source,
                            additionalBedType=(c.TRE_R334, rng.choice(("02", "03"))),
                            crisisType=(c.TRE_R336, "02")))
    if rng.random() < 0.2:
        found.append(record(kind, AVAILABLE, max(0, available + rng.randint(-2, 3)), updated,
                            source, temporality=FORECAST_24H))
    return found


def _available(rng: random.Random, kind: str, available: int, updated: str,
               source: str) -> list[dict[str, Any]]:
    if kind != "01":
        return [record(kind, AVAILABLE, available, updated, source)]
    women = rng.randint(0, available)
    men = rng.randint(0, available - women)
    return [record(kind, AVAILABLE, count, updated, source,
                   genderCapacityAvailable=(c.TRE_R332, gender))
            for gender, count in ((WOMEN, women), (MEN, men),
                                  (UNDETERMINED, available - women - men))]


def equipment(code: str, count: int) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [_sub("equipmentType", c.TRE_R212, code),
                                   {"url": "nbInService", "valueInteger": count}]
    if code in WEIGHT_LIMITS:
        parts.append({"url": p.EXT_EQUIPMENT_LIMIT, "extension": [
            _sub("equipmentFeature", c.TRE_R340, "001"),
            {"url": "limitValue", "valueQuantity": {
                "value": WEIGHT_LIMITS[code], "unit": "kg", "system": c.UCUM, "code": "kg"}},
        ]})
    return {"url": p.EXT_EQUIPMENT, "extension": parts}
