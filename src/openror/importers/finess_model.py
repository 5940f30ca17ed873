"""FINESS establishments as the three layouts describe them, and their ROR resources.

Each layout reader turns its lines into :class:`LegalEntity` and :class:`Site` values; this
module alone decides what they become in FHIR (one mapping for CSV, JSON and FHIR input):

* legal entity (EJ) → Organization, key FINESS EJ, rank 0;
* site (EG/ET) → Organization ``partOf`` its EJ, key FINESS ET, rank 1;
* the site's place → Location managed by the site, key ``urn:openror:finess-place`` + FINESS ET.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openror.fhir import profiles as p
from openror.fhir.datatypes import coding, concept, position
from openror.fhir.nos_systems import TRE_G07, TRE_R13, TRE_R200, TRE_R203, TRE_R283
from openror.importers.base import Key, logical_reference

SYSTEM_FINESS = p.SYSTEM_FINESS
SYSTEM_IDNATST = p.SYSTEM_IDNATST
SYSTEM_SIRENE = "http://sirene.fr"
SYSTEM_PLACE = "urn:openror:finess-place"
TRE_R66 = p.nos_url("TRE_R66-CategorieEtablissement")
TRE_R72 = p.nos_url("TRE_R72-FinessStatutJuridique")
TRE_R286 = p.nos_url("TRE_R286-TypeFermeture")
EXT_PERIOD = "http://hl7.org/fhir/StructureDefinition/organization-period"
EXT_CLOSING_TYPE = p.EXT_ORG_CLOSING_TYPE
EXT_CREATED = p.SD + "ror-organization-creation-date"
ADXP = "http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-"

CHANNEL_MOBILE, CHANNEL_PHONE, CHANNEL_FAX = "1", "2", "6"  # TRE_R200
PUBLIC = "1"  # TRE_R283: visible to the general public (FINESS is open data)
CLOSED_DEFINITIVELY, CLOSED_PROVISIONALLY = "DEF", "PRO"  # TRE_R286
PLACE_OPEN = ("OP", "Opérationnel")  # TRE_R203
PLACE_CLOSED = ("FD", "Fermé définitivement")

#: elements and extensions this registry replaces on re-import (everything else is people's)
ORG_EXTENSIONS = frozenset({EXT_PERIOD, EXT_CLOSING_TYPE})
EJ_EXTENSIONS = ORG_EXTENSIONS | {EXT_CREATED}
SITE_OWNED = frozenset({"identifier", "name", "alias", "type", "address", "telecom", "partOf"})
#: not ``identifier``: a place also carries its functional and bed-management ids
PLACE_OWNED = frozenset({"name", "address", "position", "managingOrganization",
                         "operationalStatus"})
PLACE_EXTENSIONS = frozenset({p.EXT_COMMUNE_COG})


@dataclass(frozen=True)
class Address:
    lines: tuple[str, ...] = ()
    postal_code: str = ""
    city: str = ""
    cog: str = ""  # INSEE commune code when the layout gives it
    #: ISO 21090 parts of the first line: (houseNumber | streetNameType | streetNameBase …, value)
    parts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Point:
    """Where the layout says the site is, as it says it.

    ``kind`` is "projected" (metres, in the projection named by ``source``, FINESS's source
    label, or the territory's when it names none), "wgs84" (x longitude, y latitude) or
    "misread" (a WGS84 position computed as if from Lambert 93, see
    finess_proj.reproject_misread).
    """

    x: str
    y: str
    kind: str
    line: int  # where the coordinates are (the geolocalisation line of the historical CSV)
    field: str  # the layout's names for them, for rejects
    source: str = ""


@dataclass
class LegalEntity:
    line: int
    finess: str
    #: known only by its number (a site's nofinessej): re-seeing it is not a duplicate
    implicit: bool = False
    siren: str = ""
    name: str = ""
    legal_status: str = ""
    address: Address | None = None
    phone: str = ""
    fax: str = ""
    opened: str = ""
    closed: str = ""
    created: str = ""
    #: elements the layout describes (owned even when empty for this line)
    provides: frozenset[str] = frozenset({"identifier"})
    #: the layout's name of each field, for rejects ("nofinessej" → "pmej[2].numFinessPm")
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Site:
    line: int
    finess: str
    finess_ej: str
    name: str
    alias: str = ""
    siret: str = ""
    category: str = ""
    address: Address = field(default_factory=Address)
    territory: str = ""  # département ("01", "2A", "973") for the projection and the COG
    phone: str = ""
    fax: str = ""
    opened: str = ""
    closed: str = ""
    #: FINESS's closing type (TRE_R286 PRO, DEF…) when the layout gives it
    closing_type: str = ""
    lapsed: bool = False  # FINESS found the authorisation lapsed (caducité)
    point: Point | None = None
    names: Mapping[str, str] = field(default_factory=dict)


def field_name(names: Mapping[str, str], canonical: str) -> str:
    """The layout's name of a field (the historical CSV's name when the layout has no other)."""
    return names.get(canonical, canonical)


def finess_key(number: str) -> Key:
    return Key(SYSTEM_FINESS, number)


def place_key(number: str) -> Key:
    return Key(SYSTEM_PLACE, number)


def _identifier(type_code: str, system: str, value: str) -> dict[str, Any]:
    return {"use": "official", "type": concept(TRE_G07, type_code), "system": system,
            "value": value}


def structure_identifiers(finess: str, sirene: str, sirene_type: str) -> list[dict[str, Any]]:
    """FINESS (G07 ``1``), idNatSt = ``1`` + FINESS (G07 ``40``), SIREN ``2`` / SIRET ``3``."""
    found = [_identifier("1", SYSTEM_FINESS, finess),
             _identifier("40", SYSTEM_IDNATST, "1" + finess)]
    if sirene:
        found.append(_identifier(sirene_type, SYSTEM_SIRENE, sirene))
    return found


def telecoms(phone: str, fax: str) -> list[dict[str, Any]]:
    found = []
    if phone:
        channel = CHANNEL_MOBILE if phone.startswith(("06", "07")) else CHANNEL_PHONE
        found.append(_telecom("phone", phone, channel))
    if fax:
        found.append(_telecom("fax", fax, CHANNEL_FAX))
    return found


def _telecom(system: str, value: str, channel: str) -> dict[str, Any]:
    return {"system": system, "value": value, "use": "work", "extension": [
        {"url": p.EXT_TELECOM_CHANNEL, "valueCodeableConcept": concept(TRE_R200, channel)},
        {"url": p.EXT_TELECOM_CONFIDENTIALITY, "valueCodeableConcept": concept(TRE_R283, PUBLIC)},
    ]}


def fhir_address(address: Address) -> dict[str, Any]:
    body: dict[str, Any] = {"use": "work", "type": "both"}
    if address.lines:
        body["line"] = list(address.lines)
        if address.parts:
            body["_line"] = [{"extension": [{"url": ADXP + name, "valueString": value}
                                            for name, value in address.parts]}]
            body["_line"] += [None] * (len(address.lines) - 1)
    if address.city:
        body["city"] = address.city
    if address.postal_code:
        body["postalCode"] = address.postal_code
    return body


def period_extensions(opened: str, closed: str, closing_type: str = ""
                      ) -> list[dict[str, Any]]:
    period = {k: v for k, v in (("start", opened), ("end", closed)) if v}
    found: list[dict[str, Any]] = [{"url": EXT_PERIOD, "valuePeriod": period}] if period else []
    if closed:
        found.append(closing_type_extension(closing_type))
    return found


def closing_type_extension(closing_type: str = "") -> dict[str, Any]:
    """Provisional when FINESS says so (``PRO``), else definitive (FINESS's other types, ERR,
    NDI…, are not in the ROR's TRE_R286 binding)."""
    code = CLOSED_PROVISIONALLY if closing_type == CLOSED_PROVISIONALLY else CLOSED_DEFINITIVELY
    return {"url": EXT_CLOSING_TYPE, "valueCodeableConcept": concept(TRE_R286, code)}


def legal_entity_resource(ej: LegalEntity) -> dict[str, Any]:
    body: dict[str, Any] = {"resourceType": "Organization",
                            "identifier": structure_identifiers(ej.finess, ej.siren, "2")}
    extensions = period_extensions(ej.opened, ej.closed)
    if ej.created:
        extensions.append({"url": EXT_CREATED, "valueDate": ej.created})
    if extensions:
        body["extension"] = extensions
    if ej.name:
        body["name"] = ej.name
    if ej.legal_status:
        body["type"] = [concept(TRE_R72, ej.legal_status)]
    if ej.address is not None:
        body["address"] = [fhir_address(ej.address)]
    if ej.phone or ej.fax:
        body["telecom"] = telecoms(ej.phone, ej.fax)
    return body


def site_resource(site: Site) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "Organization",
        "identifier": structure_identifiers(site.finess, site.siret, "3"),
        "name": site.name,
        "type": [concept(TRE_R66, site.category)],
        "address": [fhir_address(site.address)],
        "partOf": logical_reference("Organization", finess_key(site.finess_ej)),
    }
    extensions = period_extensions(site.opened, site.closed, site.closing_type)
    if extensions:
        body["extension"] = extensions
    if site.alias and site.alias != site.name:
        body["alias"] = [site.alias]
    if site.phone or site.fax:
        body["telecom"] = telecoms(site.phone, site.fax)
    return body


def place_resource(site: Site, cog: str, point: tuple[float, float] | None,
                   reliable: bool | None = None) -> dict[str, Any]:
    status = PLACE_CLOSED if site.closed else PLACE_OPEN
    body: dict[str, Any] = {
        "resourceType": "Location",
        "extension": [{"url": p.EXT_COMMUNE_COG, "valueCodeableConcept": concept(TRE_R13, cog)}],
        "identifier": [{"system": SYSTEM_PLACE, "value": site.finess}],
        "operationalStatus": coding(TRE_R203, *status),
        "name": site.name,
        "address": fhir_address(site.address),
        "managingOrganization": logical_reference("Organization", finess_key(site.finess)),
    }
    if point is not None:
        body["position"] = position(*point, reliable=reliable)
    return body
