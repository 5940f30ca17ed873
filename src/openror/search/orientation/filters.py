"""Stage 3, filters: hard criteria. A candidate failing one is dropped, and the reason kept
(« why not »); the criteria it passes are kept for the explanation.

Hard criteria: the offer is active and not temporarily closed now; the patient's age is
inside its age range (when an age is given); it offers one of the asked care modes, one of
the asked expertise levels (maternity type…), one of the asked specific acts, takes one of
the asked publics (« tout public » takes any), one of its places has the asked equipment
(``equipment``), and it is open now by its hours (``hours``) — each only when asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openror.fhir.profiles import EXT_ACT_TYPE, nos_url
from openror.search.orientation import equipment, hours
from openror.search.orientation.model import Candidate, Coded, Dropped, Json, Need
from openror.search.orientation.model import french_number as _n  # in explanations
from openror.store.resources import naive_utc

PATIENT_TYPE = ("https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/"
                "ror-healthcareservice-patient-type")
#: exact systems: the candidate search asks for these ``system|code`` tokens (a superset of
#: what the filter keeps only if the filter is no looser)
CARE_MODE_SYSTEMS = (nos_url("TRE_R213-ModePriseEnCharge"),)
EXPERTISE_SYSTEMS = (nos_url("TRE_R253-TypeMaternite"), nos_url("TRE_R344-NiveauExpertise"))
ACT_SYSTEMS = ("TRE_R210-ActeSpecifique", "JDV_J16-ActeSpecifique")
PUBLIC_SYSTEMS = ("TRE_R239-PublicPrisEnCharge", "JDV_J29-PublicPrisEnCharge")
EVERYONE = "07"  # TRE_R239 « Tout public »
_YEARS = {"a": 1.0, "mo": 1 / 12, "wk": 7 / 365.25, "d": 1 / 365.25}


@dataclass(frozen=True)
class Check:
    criterion: str  # "active", "closed", "age", "careMode", "expertise", "act", "public",
    #                 "equipment", "openNow"
    ok: bool
    text: str  # French: what matched, or why not


def checks(need: Need, offer: Json, now: datetime, places: list[Json] | None = None
           ) -> list[Check]:
    """``places``: the offer's places, needed (read) when equipment is asked only."""
    found = [_active(offer), _open(offer, now)]
    if need.age is not None:
        found.append(_age(offer, need.age))
    if need.care_modes:
        found.append(_coded(offer, CARE_MODE_SYSTEMS, {c.code: c.label for c in need.care_modes},
                            "careMode", "mode de prise en charge"))
    if need.expertise:
        found.append(_coded(offer, EXPERTISE_SYSTEMS, {c.code: c.label for c in need.expertise},
                            "expertise", "niveau"))
    if need.acts:
        found.append(_act(offer, need.acts))
    if need.publics:
        found.append(_public(offer, need.publics))
    if need.equipment is not None:
        found.append(Check("equipment", *equipment.check(need.equipment, places or [])))
    if need.open_now:
        found.append(_open_now(offer, now))
    return found


def apply(need: Need, found: list[Candidate], now: datetime
          ) -> tuple[list[tuple[Candidate, list[Check]]], list[Dropped]]:
    kept: list[tuple[Candidate, list[Check]]] = []
    dropped: list[Dropped] = []
    for candidate in found:
        results = checks(need, candidate.body, now, candidate.places)
        failed = next((c for c in results if not c.ok), None)
        if failed is None:
            kept.append((candidate, results))
        else:
            dropped.append(Dropped(candidate.id, "filters", failed.criterion, failed.text))
    return kept, dropped


def _active(offer: Json) -> Check:
    if offer.get("active") is False:
        return Check("active", False, "l'offre est inactive")
    return Check("active", True, "offre active")


def _open(offer: Json, now: datetime) -> Check:
    for closing in offer.get("notAvailable", []):
        during = closing.get("during", {})
        start, end = _moment(during.get("start")), _moment(during.get("end"))
        if start is not None and start <= now and (end is None or now < end):
            until = f" jusqu'au {end:%d/%m/%Y}" if end else " sans date de réouverture"
            return Check("closed", False, f"l'offre est fermée depuis le {start:%d/%m/%Y}{until}")
    return Check("closed", True, "offre ouverte")


def age_range(offer: Json) -> tuple[float | None, float | None]:
    """The offer's age range in years (None: no bound)."""
    for ext in offer.get("extension", []):
        if ext.get("url") != PATIENT_TYPE:
            continue
        for part in ext.get("extension", []):
            if part.get("url") == "ageRange":
                r = part.get("valueRange", {})
                return _years(r.get("low")), _years(r.get("high"))
    return None, None


def _years(q: dict[str, Any] | None) -> float | None:
    if not q or not isinstance(q.get("value"), int | float):
        return None
    return float(q["value"]) * _YEARS.get(q.get("code") or "a", 1.0)


def _age(offer: Json, age: float) -> Check:
    low, high = age_range(offer)
    shown = f"{_n(low) if low is not None else '0'}–{_n(high) if high is not None else '…'} ans"
    if (low is not None and age < low) or (high is not None and age > high):
        return Check("age", False, f"l'offre accueille les patients de {shown}, "
                                   f"le patient a {_n(age)} ans")
    return Check("age", True, f"accueille les patients de {shown}")


def _coded(offer: Json, systems: tuple[str, ...], asked: dict[str, str], criterion: str,
           what: str) -> Check:
    has = {c.get("code") for cc in offer.get("characteristic", []) for c in cc.get("coding", [])
           if c.get("system") in systems}
    hit = next((label for code, label in asked.items() if code in has), None)
    if hit is None:
        asked_text = " ou ".join(asked.values())
        return Check(criterion, False, f"{what} demandé non proposé ({asked_text})")
    return Check(criterion, True, f"{what} : {hit}")


def _act(offer: Json, asked: tuple[Coded, ...]) -> Check:
    """A specific act (``specificAct``) or an act done outside the office (``outsideOfficeAct``,
    a liberal doctor's act in an establishment), told apart by ``ror-act-type``."""
    labels = {a.code: a.label for a in asked}
    for concept in offer.get("characteristic") or []:
        for coding in concept.get("coding") or []:
            if coding.get("code") in labels and \
                    any(s in (coding.get("system") or "") for s in ACT_SYSTEMS):
                outside = any(e.get("valueCode") == "outsideOfficeAct"
                              for e in concept.get("extension") or []
                              if e.get("url") == EXT_ACT_TYPE)
                what = "acte réalisé hors cabinet" if outside else "acte spécifique"
                return Check("act", True, f"{what} : {labels[coding['code']]}")
    return Check("act", False, f"acte demandé non proposé ({' ou '.join(labels.values())})")


def publics(offer: Json) -> set[str]:
    """The offer's publics (TRE_R239 codes of ``supportedPatientInfo``)."""
    found: set[str] = set()
    for ext in offer.get("extension") or []:
        if ext.get("url") != PATIENT_TYPE:
            continue
        for part in ext.get("extension") or []:
            if part.get("url") == "supportedPatientInfo":
                found.update(str(c.get("code")) for c in
                             (part.get("valueCodeableConcept") or {}).get("coding") or []
                             if any(s in (c.get("system") or "") for s in PUBLIC_SYSTEMS))
    return found


def _public(offer: Json, asked: tuple[Coded, ...]) -> Check:
    has = publics(offer)
    hit = next((a.label for a in asked if a.code in has), None)
    if hit is not None:
        return Check("public", True, f"public : {hit}")
    if EVERYONE in has:
        return Check("public", True, "public : tout public")
    wanted = " ou ".join(a.label for a in asked)
    if not has:
        return Check("public", False, f"public accueilli non renseigné ({wanted} demandé)")
    return Check("public", False, f"n'accueille pas ce public ({wanted})")


def _open_now(offer: Json, now: datetime) -> Check:
    found = hours.opening(offer, now)
    if found.open_now:
        return Check("openNow", True, found.text)
    if found.open_now is None:
        return Check("openNow", False, "horaires non renseignés : rien ne dit que l'offre est "
                                       "ouverte en ce moment")
    return Check("openNow", False, f"pas ouverte en ce moment ({found.text})")


def _moment(text: str | None) -> datetime | None:
    try:
        return naive_utc(text) if text else None
    except ValueError:
        return None
