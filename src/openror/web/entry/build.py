"""Write side of the entry: the resource as it will be stored, from its current version and
the fields the person changed. Only the elements of changed fields are rebuilt; everything
else stays as stored (an element the entry does not know, a field changed meanwhile by a
referent). Values that cannot be read (« 8 h 70 », « douze ») are written as typed, so that
the validation of the write path — the API's own — says what is wrong, next to the field."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson

from openror.fhir import profiles as p
from openror.fhir.datatypes import coding, concept, position
from openror.fhir.nos_systems import TRE_R13, TRE_R200, TRE_R201, TRE_R283, TRE_R338
from openror.geo import current_gazetteer
from openror.terminology import Terminology
from openror.web.entry import fields as f
from openror.web.entry import values as v

UCUM = "http://unitsofmeasure.org"
CLOSURE_ID = "closingReopeningDate"
CLOSURE_TEXT = "Période de fermeture et de réouverture prévisionnelle"
_TIME = re.compile(r"^(\d{1,2})\s*[h:.]\s*(\d{2})?$")
_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
Body = dict[str, Any]
_TEMPLATE_ACTS = dict(f.TEMPLATE_ACTS + f.TEMPLATE_OUTSIDE_ACTS)


def _ext(url: str, **value: Any) -> dict[str, Any]:
    return {"url": url, **value}


def _coded(url: str, system: str, code: str) -> dict[str, Any]:
    return _ext(url, valueCodeableConcept=concept(system, code))


def _without(items: list[Any], test: Callable[[Any], bool]) -> list[Any]:
    return [x for x in items if not test(x)]


def replace_extension(body: Body, url: str, new: list[dict[str, Any]]) -> None:
    """Put ``new`` where the first extension of ``url`` was (at the end if none)."""
    old = body.get("extension") or []
    at = next((i for i, e in enumerate(old) if e.get("url") == url), len(old))
    kept = [e for e in old if e.get("url") != url]
    at = min(at, len(kept))
    body["extension"] = kept[:at] + new + kept[at:]


def time_of(typed: str) -> str:
    """« 8h30 », « 8:30 », « 08.30 », « 14 h » → hh:mm:ss; anything else as typed."""
    match = _TIME.match(typed.strip())
    if not match:
        return typed.strip()
    return f"{int(match.group(1)):02d}:{match.group(2) or '00'}:00"


def date_of(typed: str) -> str:
    """« 3/8/2026 » → 2026-08-03; ISO dates and anything else as typed."""
    match = _FRENCH_DATE.match(typed.strip())
    if not match:
        return typed.strip()
    day, month, year = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def number_of(typed: str) -> Any:
    """« 12 », « 0,5 » → a number; anything else as typed (validation refuses it)."""
    text = typed.strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return typed.strip()
    return int(value) if value.is_integer() else value


def integer_of(typed: str) -> Any:
    text = typed.strip()
    return int(text) if text.isdigit() else text


# -- offers ------------------------------------------------------------------------------

def build_offer(current: Body, values: dict[str, Any], changed: set[str],
                terminology: Terminology, diffusion: str, diffusion_changed: bool) -> Body:
    body: Body = orjson.loads(orjson.dumps(current))  # a private copy: nested edits below

    def display(system: str, code: str) -> str | None:
        """The terminology's label; for acts, the template's when JDV_J16 is not loaded."""
        return terminology.display(system, code) or (_TEMPLATE_ACTS.get(code)
                                                     if system == v.TRE_R210 else None)

    expertise = {c.code: c.system for c in terminology.expand("JDV_J227")}

    def system_of(name: str, code: str) -> str:
        """The system a code of a characteristic field is written with."""
        if name == "expertise":  # JDV_J227 spans TRE_R253 and TRE_R344
            return expertise.get(code, v.TRE_R344)
        return {"modalities": TRE_R338, "competences": v.TRE_R243}[name]

    _texts(body, values, changed, display)
    _characteristics(body, values, changed, display, system_of)
    if changed & {"publics", "age_min", "age_max"}:
        replace_extension(body, p.EXT_PATIENT_TYPE, [_patient_type(values)])
    if "zone" in changed:
        replace_extension(body, p.EXT_TERRITORIAL_DIVISION,
                          [zone_extension(c) for c in values["zone"]])
    _contacts(body, values, changed)
    if "hours" in changed:
        _set(body, "availableTime", [hours_entry(r) for r in values["hours"]])
    if changed & {"closure_start", "closure_end"}:
        _set(body, "notAvailable", _closure(values["closure_start"], values["closure_end"]))
    if diffusion_changed:
        replace_extension(body, p.EXT_SENSITIVE_UNIT, [_ext(
            p.EXT_SENSITIVE_UNIT, valueBoolean=diffusion == "restreint")])
    if diffusion != "oui":
        _no_public_levels(body)
    return body


def _texts(body: Body, values: dict[str, Any], changed: set[str],
           display: Callable[[str, str], str | None]) -> None:
    if "name" in changed:
        _set(body, "name", values["name"].strip())
    if "comment" in changed:
        _set(body, "comment", values["comment"].strip())
    if "activity" in changed:
        code = values["activity"]
        others = [s for s in body.get("specialty") or [] if not v.codes(s, v.TRE_R211)]
        body["specialty"] = [concept(v.TRE_R211, code, display(v.TRE_R211, code)), *others]


def _contacts(body: Body, values: dict[str, Any], changed: set[str]) -> None:
    if "contacts" in changed:
        replace_extension(body, p.EXT_HS_CONTACT,
                          [contact_extension(r) for r in values["contacts"]])
    if "mss" in changed:
        others = [t for t in body.get("telecom") or [] if t.get("system") != "email"]
        mss = [_telecom("email", values["mss"].strip(), "3", "2")] if values["mss"].strip() \
            else []
        _set(body, "telecom", others + mss)


def _set(body: Body, key: str, value: Any) -> None:
    if value in ("", [], None):
        body.pop(key, None)
    else:
        body[key] = value


def _characteristics(body: Body, values: dict[str, Any], changed: set[str],
                     display: Callable[[str, str], str | None],
                     system_of: Callable[[str, str], str]) -> None:
    managed = {"acts", "outside_acts", "competences", "expertise", "modalities"} & changed
    if not managed:
        return
    chars = _without(list(body.get("characteristic") or []),
                     lambda c: v.characteristic_field(c) in managed)
    for name in ("modalities", "acts", "outside_acts", "competences", "expertise"):
        if name not in managed:
            continue
        found = values[name] if isinstance(values[name], list) else \
            [values[name]] if values[name] else []
        for code in found:
            chars.append(_characteristic(name, code, display, system_of))
    body["characteristic"] = chars


def _characteristic(name: str, code: str, display: Callable[[str, str], str | None],
                    system_of: Callable[[str, str], str]) -> dict[str, Any]:
    if name in ("acts", "outside_acts"):
        kind = v.SPECIFIC_ACT if name == "acts" else v.OUTSIDE_ACT
        return {"extension": [_ext(p.EXT_ACT_TYPE, valueCode=kind)],
                "coding": [coding(v.TRE_R210, code, display(v.TRE_R210, code))]}
    system = system_of(name, code)
    return concept(system, code, display(system, code))


def _patient_type(values: dict[str, Any]) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [
        _coded("supportedPatientInfo", v.TRE_R239, code) for code in values["publics"]]
    ages: dict[str, Any] = {}
    for bound, key in (("low", "age_min"), ("high", "age_max")):
        if values[key].strip():
            ages[bound] = {"value": number_of(values[key]), "system": UCUM, "code": "a"}
    parts.append(_ext("ageRange", valueRange=ages))
    return _ext(p.EXT_PATIENT_TYPE, extension=parts)


def zone_extension(code: str) -> dict[str, Any]:
    """A commune (INSEE code): on an offer the profile fixes the division type to « commune »
    (TRE_R201 3). A text that is no commune is written as typed, for validation to refuse."""
    return _ext(p.EXT_TERRITORIAL_DIVISION, extension=[
        _coded("typeTerritorialDivision", TRE_R201, "3"),
        _coded("codeTerritorialDivision", TRE_R13, code)])


def _telecom(system: str, value: str, channel: str, level: str) -> dict[str, Any]:
    return {"system": system, "value": value, "extension": [
        _coded(p.EXT_TELECOM_CHANNEL, TRE_R200, channel),
        _coded(p.EXT_TELECOM_CONFIDENTIALITY, TRE_R283, level)]}


def contact_extension(row: dict[str, str]) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    if row.get("purpose"):
        parts.append(_coded("purposeContact", v.TRE_R287, row["purpose"]))
    if row.get("description", "").strip():
        parts.append(_ext("description", valueString=row["description"].strip()))
    level = row.get("level") or ""
    if level:
        parts.append(_coded(p.EXT_CONFIDENTIALITY, TRE_R283, level))
    telecom = [_coded(p.EXT_TELECOM_CHANNEL, TRE_R200, row["channel"])] \
        if row.get("channel") else []
    if level:
        telecom.append(_coded(p.EXT_TELECOM_CONFIDENTIALITY, TRE_R283, level))
    telecom.append(_ext("telecomAddress", valueString=row.get("value", "").strip()))
    parts.append(_ext(p.EXT_HS_CONTACT_TELECOM, extension=telecom))
    return _ext(p.EXT_HS_CONTACT, extension=parts)


def hours_entry(row: dict[str, str]) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    if row.get("type"):
        parts.append(_coded(p.EXT_TYPE_OF_TIME, v.TRE_R252, row["type"]))
    if row.get("day"):
        parts.append(_ext(p.EXT_DAYS_OF_WEEK, valueInteger=integer_of(row["day"])))
    period = {k: date_of(row[key]) for k, key in (("start", "from"), ("end", "to"))
              if row.get(key, "").strip()}
    if period:
        parts.append(_ext(p.EXT_EFFECTIVE_DATES, valuePeriod=period))
    entry: dict[str, Any] = {"extension": parts}
    if row.get("start", "").strip():
        entry["availableStartTime"] = time_of(row["start"])
    if row.get("end", "").strip():
        entry["availableEndTime"] = time_of(row["end"])
    return entry


def _closure(start: str, end: str) -> list[dict[str, Any]]:
    during = {k: date_of(x) for k, x in (("start", start), ("end", end)) if x.strip()}
    if not during:
        return []
    return [{"id": CLOSURE_ID, "description": CLOSURE_TEXT, "during": during}]


def _no_public_levels(body: Body) -> None:
    """« Ne pas diffuser sur les sites publics »: no contact or telecom at level 1 (the
    open data that profile 0 — public sites — reads): each becomes level 2."""
    def lower(holder: dict[str, Any], url: str) -> None:
        for ext in holder.get("extension") or []:
            if ext.get("url") == url and v.first_code(ext.get("valueCodeableConcept"),
                                                      TRE_R283) == "1":
                ext["valueCodeableConcept"] = concept(TRE_R283, "2")
    for contact in v.extensions(body, p.EXT_HS_CONTACT):
        lower(contact, p.EXT_CONFIDENTIALITY)
        for telecom in v.extensions(contact, p.EXT_HS_CONTACT_TELECOM):
            lower(telecom, p.EXT_TELECOM_CONFIDENTIALITY)
    for telecom in body.get("telecom") or []:
        lower(telecom, p.EXT_TELECOM_CONFIDENTIALITY)


# -- places ------------------------------------------------------------------------------

def build_place(current: Body, values: dict[str, Any], changed: set[str]) -> Body:
    body: Body = orjson.loads(orjson.dumps(current))
    if changed & {"line", "postal", "city"}:
        _address(body, values)
    if "description" in changed:
        _set(body, "description", values["description"].strip())
    if "equipment" in changed:
        replace_extension(body, p.EXT_EQUIPMENT, [_equipment(r) for r in values["equipment"]])
    return body


def _address(body: Body, values: dict[str, Any]) -> None:
    """The address, then its commune (ror-commune-cog, 1..1) and position from the
    gazetteer; a commune that cannot be found is left out for validation to say so."""
    old = body.get("address") if isinstance(body.get("address"), dict) else {}
    assert isinstance(old, dict)
    address = {k: x for k, x in old.items() if k not in ("line", "postalCode", "city", "text",
                                                         "district")}
    for key, typed in (("line", values["line"]), ("postalCode", values["postal"]),
                       ("city", values["city"])):
        if typed.strip():
            address[key] = [typed.strip()] if key == "line" else typed.strip()
    body["address"] = address
    commune = current_gazetteer().find(values["postal"].strip() or None, values["city"])
    extensions = [e for e in body.get("extension") or [] if e.get("url") != p.EXT_COMMUNE_COG]
    body.pop("position", None)
    if commune is not None:
        extensions.insert(0, _ext(p.EXT_COMMUNE_COG, valueCodeableConcept=concept(
            TRE_R13, commune.code, commune.name)))
        if commune.lat is not None and commune.lon is not None:
            body["position"] = position(commune.lat, commune.lon, reliable=False)
    body["extension"] = extensions


def _equipment(row: dict[str, str]) -> dict[str, Any]:
    parts = [_coded("equipmentType", v.TRE_R212, row["type"])]
    if row.get("count", "").strip():
        parts.append(_ext("nbInService", valueInteger=integer_of(row["count"])))
    return _ext(p.EXT_EQUIPMENT, extension=parts)
