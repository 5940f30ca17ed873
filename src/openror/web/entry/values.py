"""Read side of the entry: the values of its fields as a resource holds them, in the shape
the draft keeps them (strings and lists of strings, as typed in the forms).

The same functions give the draft its starting values and, at validation, the values as
they stand now: a field the person did not change keeps what was stored meanwhile
(web.entry.merge)."""

from __future__ import annotations

from typing import Any, Final

from openror.fhir import profiles as p
from openror.fhir.nos_systems import TRE_R283, TRE_R338

TRE_R210: Final = p.nos_url("TRE_R210-ActeSpecifique")
TRE_R211: Final = p.TRE_R211_OPERATIONAL_ACTIVITY
TRE_R213: Final = p.TRE_R213_CARE_MODE
TRE_R239: Final = p.nos_url("TRE_R239-PublicPrisEnCharge")
TRE_R243: Final = p.nos_url("TRE_R243-CompetenceSpecifique")
TRE_R253: Final = p.nos_url("TRE_R253-TypeMaternite")
TRE_R344: Final = p.nos_url("TRE_R344-NiveauExpertise")
TRE_R252: Final = p.nos_url("TRE_R252-TypeHoraire")
TRE_R212: Final = p.nos_url("TRE_R212-Equipement")
TRE_R287: Final = p.nos_url("TRE_R287-NatureContact")
TRE_R200: Final = p.nos_url("TRE_R200-CanalCommunication")
TRE_R202: Final = p.nos_url("TRE_R202-AccessibiliteLieu")
SPECIFIC_ACT, OUTSIDE_ACT = "specificAct", "outsideOfficeAct"
#: the characteristic slices the entry manages: system -> field (acts by their act type)
#: (JDV_J227 spans two systems: maternity types TRE_R253 and the other labels TRE_R344)
CHARACTERISTIC_FIELDS: Final = {TRE_R338: "modalities", TRE_R243: "competences",
                                TRE_R253: "expertise", TRE_R344: "expertise",
                                TRE_R213: "care_mode"}
_FHIR_DAYS: Final = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}

Values = dict[str, Any]


def codes(concept: Any, system: str | None = None) -> list[str]:
    """The codes of a CodeableConcept (of one system when given)."""
    if not isinstance(concept, dict):
        return []
    return [str(c.get("code")) for c in concept.get("coding") or []
            if isinstance(c, dict) and c.get("code") is not None
            and (system is None or c.get("system") == system)]


def first_code(concept: Any, system: str | None = None) -> str:
    found = codes(concept, system)
    return found[0] if found else ""


def extensions(holder: Any, url: str) -> list[dict[str, Any]]:
    if not isinstance(holder, dict):
        return []
    return [e for e in holder.get("extension") or [] if isinstance(e, dict) and e.get("url") == url]


def sub(holder: Any, url: str) -> dict[str, Any] | None:
    found = extensions(holder, url)
    return found[0] if found else None


def act_type(characteristic: dict[str, Any]) -> str | None:
    found = sub(characteristic, p.EXT_ACT_TYPE)
    return str(found.get("valueCode")) if found else None


def characteristic_field(characteristic: Any) -> str | None:
    """Which field of the entry a characteristic belongs to (None: one it leaves alone)."""
    if not isinstance(characteristic, dict):
        return None
    kind = act_type(characteristic)
    if kind == SPECIFIC_ACT:
        return "acts"
    if kind == OUTSIDE_ACT:
        return "outside_acts"
    systems = {c.get("system") for c in characteristic.get("coding") or [] if isinstance(c, dict)}
    for system, name in CHARACTERISTIC_FIELDS.items():
        if system in systems:
            return name
    return None


def number(value: Any) -> str:
    """A decimal as a person types it (a comma, no needless ``.0``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text.replace(".", ",")


def hhmm(value: Any) -> str:
    return str(value)[:5] if isinstance(value, str) else ""


def date_part(value: Any) -> str:
    return str(value)[:10] if isinstance(value, str) else ""


# -- offers ------------------------------------------------------------------------------

def offer_values(body: dict[str, Any]) -> Values:
    chars = [c for c in body.get("characteristic") or [] if isinstance(c, dict)]
    by_field: dict[str, list[str]] = {}
    for char in chars:
        name = characteristic_field(char)
        if name is not None:
            by_field.setdefault(name, []).extend(codes(char))
    patient = sub(body, p.EXT_PATIENT_TYPE) or {}
    ages = (sub(patient, "ageRange") or {}).get("valueRange") or {}
    return {
        "name": str(body.get("name") or ""),
        "activity": next((first_code(s, TRE_R211) for s in body.get("specialty") or []
                          if first_code(s, TRE_R211)), ""),
        "acts": by_field.get("acts", []),
        "outside_acts": by_field.get("outside_acts", []),
        "competences": by_field.get("competences", []),
        "expertise": (by_field.get("expertise") or [""])[0],
        "publics": sorted(c for e in extensions(patient, "supportedPatientInfo")
                          for c in codes(e.get("valueCodeableConcept"))),
        "age_min": number((ages.get("low") or {}).get("value")),
        "age_max": number((ages.get("high") or {}).get("value")),
        "comment": str(body.get("comment") or ""),
        "modalities": sorted(by_field.get("modalities", [])),
        "zone": zone_codes(body),
        "hours": [hours_row(t) for t in body.get("availableTime") or [] if isinstance(t, dict)],
        **closure(body),
        "contacts": contact_rows(body),
        "mss": mss(body),
        "sensitive": bool((sub(body, p.EXT_SENSITIVE_UNIT) or {}).get("valueBoolean")),
    }


def zone_codes(body: dict[str, Any]) -> list[str]:
    found = []
    for zone in extensions(body, p.EXT_TERRITORIAL_DIVISION):
        code = first_code((sub(zone, "codeTerritorialDivision") or {}).get(
            "valueCodeableConcept"))
        if code:
            found.append(code)
    return found


def hours_row(entry: dict[str, Any]) -> dict[str, str]:
    kind = first_code((sub(entry, p.EXT_TYPE_OF_TIME) or {}).get("valueCodeableConcept"))
    day = (sub(entry, p.EXT_DAYS_OF_WEEK) or {}).get("valueInteger")
    if day is None and entry.get("daysOfWeek"):
        day = _FHIR_DAYS.get(str(entry["daysOfWeek"][0]))
    period = (sub(entry, p.EXT_EFFECTIVE_DATES) or {}).get("valuePeriod") or {}
    return {"type": kind, "day": "" if day is None else str(day),
            "start": hhmm(entry.get("availableStartTime")),
            "end": hhmm(entry.get("availableEndTime")),
            "from": date_part(period.get("start")), "to": date_part(period.get("end"))}


def closure(body: dict[str, Any]) -> dict[str, str]:
    during = next((n.get("during") or {} for n in body.get("notAvailable") or []
                   if isinstance(n, dict)), {})
    return {"closure_start": date_part(during.get("start")),
            "closure_end": date_part(during.get("end"))}


def level_of(holder: Any, url: str) -> str:
    return first_code((sub(holder, url) or {}).get("valueCodeableConcept"), TRE_R283)


def contact_rows(body: dict[str, Any]) -> list[dict[str, str]]:
    """One row per telecom of each ``ror-healthcareservice-contact`` (a contact without
    telecom: one row without a value)."""
    rows = []
    for contact in extensions(body, p.EXT_HS_CONTACT):
        base = {"purpose": first_code((sub(contact, "purposeContact") or {}).get(
                    "valueCodeableConcept")),
                "description": str((sub(contact, "description") or {}).get("valueString")
                                   or ""),
                "level": level_of(contact, p.EXT_CONFIDENTIALITY)}
        telecoms = extensions(contact, p.EXT_HS_CONTACT_TELECOM)
        for telecom in telecoms or [{}]:
            rows.append({**base, "channel": first_code((sub(telecom, p.EXT_TELECOM_CHANNEL)
                                                        or {}).get("valueCodeableConcept")),
                         "value": str((sub(telecom, "telecomAddress") or {}).get("valueString")
                                      or ""),
                         "level": level_of(telecom, p.EXT_TELECOM_CONFIDENTIALITY)
                         or base["level"]})
    return rows


def mss(body: dict[str, Any]) -> str:
    return next((str(t.get("value") or "") for t in body.get("telecom") or []
                 if isinstance(t, dict) and t.get("system") == "email"), "")


def public_levels(body: dict[str, Any]) -> bool:
    """Whether any contact or telecom of the offer is visible to everyone (level 1)."""
    for contact in extensions(body, p.EXT_HS_CONTACT):
        if level_of(contact, p.EXT_CONFIDENTIALITY) == "1" or any(
                level_of(t, p.EXT_TELECOM_CONFIDENTIALITY) == "1"
                for t in extensions(contact, p.EXT_HS_CONTACT_TELECOM)):
            return True
    return any(level_of(t, p.EXT_TELECOM_CONFIDENTIALITY) == "1"
               for t in body.get("telecom") or [])


# -- places ------------------------------------------------------------------------------

def place_values(body: dict[str, Any], accessibility: str = "") -> Values:
    address = body.get("address") if isinstance(body.get("address"), dict) else {}
    assert isinstance(address, dict)
    return {
        "line": " ".join(str(x) for x in address.get("line") or []),
        "postal": str(address.get("postalCode") or ""),
        "city": str(address.get("city") or ""),
        "description": str(body.get("description") or ""),
        "accessibility": accessibility,
        "equipment": [{"type": first_code((sub(e, "equipmentType") or {}).get(
                           "valueCodeableConcept")),
                       "count": number((sub(e, "nbInService") or {}).get("valueInteger"))}
                      for e in extensions(body, p.EXT_EQUIPMENT)],
    }


def commune_of(body: dict[str, Any]) -> str:
    return first_code((sub(body, p.EXT_COMMUNE_COG) or {}).get("valueCodeableConcept"))


def accessibility_of(organisation: dict[str, Any] | None) -> str:
    return first_code((sub(organisation, p.EXT_ORG_ACCESSIBILITY) or {}).get(
        "valueCodeableConcept")) if organisation else ""

