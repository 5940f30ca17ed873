"""What the rules need of each resource, read once from its body into a small record.

A quality run holds the whole directory in memory (a million offers at national scale), so a
record keeps codes and flags, never the body.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from openror.fhir import profiles as p
from openror.store import freshness

#: markers of the code systems (TRE, or the JDV some feeders send, SPEC §8) in a coding
CATEGORY = ("TRE_R66", "TRE_R02", "J55")
CARE_MODE = ("TRE_R213", "J19")
RECEPTION = ("TRE_R240", "J30")
MATERNITY = ("TRE_R253", "J227")
ORGANISATION = ("TRE_R244", "J238")
ACTIVITY = ("TRE_R211", "J17")
FIELD = ("TRE_R227", "J20")
CAPACITY_STATUS = ("TRE_R330",)
EXT_PERIOD = "http://hl7.org/fhir/StructureDefinition/organization-period"


def _dicts(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, dict)]


def codes(concepts: Any, markers: tuple[str, ...]) -> tuple[str, ...]:
    """The codes of the codings, in these concepts, whose system carries one of the markers."""
    return tuple(str(c["code"]) for concept in _dicts(concepts)
                 for c in _dicts(concept.get("coding"))
                 if c.get("code") and any(m in str(c.get("system", "")) for m in markers))


def extensions(body: dict[str, Any], url: str) -> list[dict[str, Any]]:
    return [e for e in _dicts(body.get("extension")) if e.get("url") == url]


def reference_id(value: Any) -> str | None:
    for item in _dicts(value):
        ref = str(item.get("reference") or "")
        if "/" in ref:
            return ref.rstrip("/").rsplit("/", 1)[-1]
    return None


def _identifier(body: dict[str, Any], system: str) -> str | None:
    return next((str(i["value"]) for i in _dicts(body.get("identifier"))
                 if i.get("system") == system and i.get("value")), None)


@dataclass(slots=True)
class Organization:
    id: str
    region: str | None
    kind: str  # "legal-entity", "site" or "unit"
    name: str
    parent: str | None  # partOf
    finess: str | None
    idnat: str | None
    category: str | None
    closed: bool
    closing_type: str | None  # PRO or DEF (TRE_R286) when closed
    postal_code: str | None
    last_updated: datetime


@dataclass(slots=True)
class Offer:
    id: str
    region: str | None
    provider: str | None
    name: str
    open: bool
    field: str | None  # champ d'activité (TRE_R227)
    activities: tuple[str, ...]
    care_modes: tuple[str, ...]
    organisation: str | None  # catégorie d'organisation (HealthcareService.category)
    reception: str | None  # temporalité d'accueil
    maternity: str | None  # type de maternité (TRE_R253)
    sensitive: bool
    ages: tuple[float | None, float | None] | None  # None when there is no age range at all
    contact: bool  # a contact with a function or nature, and a complete telecom
    places: tuple[str, ...]
    last_updated: datetime


@dataclass(slots=True)
class Place:
    id: str
    addressed: bool  # street or lieu-dit, city and postal code
    commune: str | None
    installed: int  # sum of the installed capacity records
    manager: str | None = None  # managingOrganization
    #: None: no availability figure; else whether one is older than its family allows
    stale: bool | None = None
    stale_detail: str | None = None


def organization(rid: str, region: str | None, body: dict[str, Any],
                 last_updated: datetime) -> Organization:
    parent = reference_id(body.get("partOf"))
    category = next(iter(codes(body.get("type"), CATEGORY)), None)
    profile = p.profile_for(body)
    if profile in (p.PROFILE_INTERNAL_ORGANIZATION, p.PROFILE_ORGANIZATION_UF):
        kind = "unit"
    else:
        kind = "site" if parent or category else "legal-entity"
    period = next((e.get("valuePeriod") or {} for e in extensions(body, EXT_PERIOD)), {})
    closing = next((c for e in extensions(body, p.EXT_ORG_CLOSING_TYPE)
                    for c in codes(e.get("valueCodeableConcept"), ("TRE_R286", "J201"))), None)
    address = next(iter(_dicts(body.get("address"))), {})
    return Organization(
        id=rid, region=region, kind=kind, name=str(body.get("name") or ""), parent=parent,
        finess=_identifier(body, p.SYSTEM_FINESS), idnat=_identifier(body, p.SYSTEM_IDNATST),
        category=category, closed=_ended(period.get("end")) or body.get("active") is False,
        closing_type=closing, postal_code=address.get("postalCode"),
        last_updated=last_updated)


def _ended(end: Any) -> bool:
    """A closure date today or past (a planned closure is not one yet)."""
    return isinstance(end, str) and bool(end) and end[:10] <= date.today().isoformat()


def _ages(body: dict[str, Any]) -> tuple[float | None, float | None] | None:
    for ext in extensions(body, p.EXT_PATIENT_TYPE):
        for part in _dicts(ext.get("extension")):
            if part.get("url") == "ageRange":
                age_range = part.get("valueRange") or {}
                return ((age_range.get("low") or {}).get("value"),
                        (age_range.get("high") or {}).get("value"))
    return None


def _complete_contact(contact: dict[str, Any]) -> bool:
    parts = _dicts(contact.get("extension"))
    role = any(x.get("url") in ("purposeContact", p.EXT_CONTACT_FUNCTION, "ror-function-contact")
               for x in parts)
    return role and any(_complete_telecom(x) for x in parts
                        if x.get("url") == p.EXT_HS_CONTACT_TELECOM)


def _complete_telecom(telecom: dict[str, Any]) -> bool:
    urls = {x.get("url") for x in _dicts(telecom.get("extension"))
            if any(k.startswith("value") and v not in (None, "") for k, v in x.items())}
    return {p.EXT_TELECOM_CHANNEL, p.EXT_TELECOM_CONFIDENTIALITY, "telecomAddress"} <= urls


def offer(rid: str, region: str | None, body: dict[str, Any], last_updated: datetime) -> Offer:
    characteristic = body.get("characteristic")
    sensitive = any(e.get("valueBoolean") is True for e in extensions(body, p.EXT_SENSITIVE_UNIT))
    return Offer(
        id=rid, region=region, provider=reference_id(body.get("providedBy")),
        name=str(body.get("name") or ""), open=body.get("active") is not False,
        field=next(iter(codes(body.get("type"), FIELD)), None),
        activities=codes(body.get("specialty"), ACTIVITY),
        care_modes=codes(characteristic, CARE_MODE),
        organisation=next(iter(codes(body.get("category"), ORGANISATION)), None),
        reception=next(iter(codes(characteristic, RECEPTION)), None),
        maternity=next(iter(codes(characteristic, MATERNITY)), None),
        sensitive=sensitive, ages=_ages(body),
        contact=any(_complete_contact(c) for c in extensions(body, p.EXT_HS_CONTACT)),
        places=tuple(ref.rsplit("/", 1)[-1] for item in _dicts(body.get("location"))
                     if "/" in (ref := str(item.get("reference") or ""))),
        last_updated=last_updated)


def _installed(body: dict[str, Any]) -> int:
    total = 0
    for record in extensions(body, p.EXT_SUPPORTED_CAPACITY):
        parts = {x.get("url"): x for x in _dicts(record.get("extension"))}
        status = codes((parts.get("capacityStatus") or {}).get("valueCodeableConcept"),
                       CAPACITY_STATUS)
        count = (parts.get("nbCapacity") or {}).get("valueInteger")
        if status == ("01",) and isinstance(count, int):
            total += count
    return total


def place(rid: str, body: dict[str, Any], family: str = freshness.DEFAULT,
          now: datetime | None = None) -> Place:
    address = body.get("address") if isinstance(body.get("address"), dict) else {}
    assert isinstance(address, dict)
    lines = [str(x) for x in address.get("line") or [] if str(x).strip()]
    commune = next((c for e in extensions(body, p.EXT_COMMUNE_COG)
                    for c in codes(e.get("valueCodeableConcept"), ("TRE_R13", "J124"))), None)
    found = Place(id=rid, addressed=bool(lines and address.get("city") and
                                         address.get("postalCode")),
                  commune=commune, installed=_installed(body),
                  manager=reference_id(body.get("managingOrganization")))
    figures = freshness.freshness(body, family, now) if now is not None else None
    if figures is not None:
        found.stale = figures.is_stale
        found.stale_detail = (f"{len(figures.stale)} chiffre(s) sur {figures.figures} plus "
                              f"ancien(s) que {_hours(figures.max_age)} h") \
            if figures.is_stale else None
    return found


def _hours(age: timedelta) -> str:
    return f"{age.total_seconds() / 3600:g}"
