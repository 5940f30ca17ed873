"""What the editor shows of an organisation (legal entity, site or internal unit, SPEC.md
§1.3–1.4): its kind, identifiers, address, and the fields its change log compares."""

from __future__ import annotations

from typing import Any

from openror.fhir import profiles as p
from openror.terminology import Terminology
from openror.web.editor import bits
from openror.web.editor.model import DATE, TEXT, Field, Value, Values
from openror.web.editor.vocab import Vocabulary, tre

Json = dict[str, Any]
LEGAL_ENTITY, SITE, UNIT = "legal-entity", "site", "unit"
KIND_LABELS = {LEGAL_ENTITY: "Entité juridique", SITE: "Établissement (site)",
               UNIT: "Unité interne"}
CATEGORY = Vocabulary(tre("TRE_R66-CategorieEtablissement"), "JDV_J55")
EXT_PERIOD = "http://hl7.org/fhir/StructureDefinition/organization-period"

FIELDS: tuple[Field, ...] = (
    Field("nom", "Nom", TEXT), Field("alias", "Nom d'usage", TEXT),
    Field("finess", "N° FINESS", TEXT), Field("categorie", "Catégorie", TEXT,
                                               vocabulary=CATEGORY),
    Field("adresse", "Adresse", TEXT), Field("rattachement", "Rattachée à", TEXT),
    Field("ouverture", "Date d'ouverture", DATE), Field("fermeture", "Date de fermeture", DATE),
)
BY_NAME = {f.name: f for f in FIELDS}


def kind(body: Json) -> str:
    """An internal unit by its profile, its OI identifier or its UF type (the write path
    stamps the base profile on organisations that claim none)."""
    unit_profiles = (p.PROFILE_INTERNAL_ORGANIZATION, p.PROFILE_ORGANIZATION_UF)
    if p.profile_for(body) in unit_profiles \
            or any(i.get("system") == p.SYSTEM_OI for i in bits.dicts(body.get("identifier"))) \
            or any(c.get("code") == p.V2_0203_UF for t in bits.dicts(body.get("type"))
                   for c in bits.codings(t)):
        return UNIT
    return SITE if body.get("partOf") or _category(body) else LEGAL_ENTITY


def _category(body: Json) -> str:
    return next(iter(bits.codes(body.get("type"), CATEGORY.system)), "")


def values_of(body: Json) -> Values:
    address = next(iter(bits.dicts(body.get("address"))), {})
    lines = [str(x) for x in address.get("line") or [] if isinstance(x, str)]
    period = (bits.extension(body, EXT_PERIOD) or {}).get("valuePeriod") or {}
    finess = next((str(i.get("value")) for i in bits.dicts(body.get("identifier"))
                   if i.get("system") == p.SYSTEM_FINESS), "")
    return {
        "nom": str(body.get("name") or ""),
        "alias": ", ".join(str(a) for a in body.get("alias") or [] if isinstance(a, str)),
        "finess": finess,
        "categorie": _category(body),
        "adresse": " ".join([*lines, str(address.get("postalCode") or ""),
                             str(address.get("city") or "")]).strip(),
        "rattachement": next(iter(bits.reference_ids(body.get("partOf"), "Organization")), ""),
        "ouverture": str(period.get("start") or "")[:10],
        "fermeture": str(period.get("end") or "")[:10],
    }


def shown(name: str, value: Value, terminology: Terminology, names: dict[str, str]) -> str:
    if not value:
        return "—"
    if name == "rattachement":
        return names.get(str(value), str(value))
    if name == "categorie":
        return CATEGORY.described(terminology, str(value))
    return str(value)


OTHER_ELEMENTS = {"telecom": "messageries", "contact": "contacts", "type": "types",
                  "identifier": "identifiants", "active": "active",
                  p.EXT_ORG_PRICE: "tarifs", p.EXT_TERRITORIAL_DIVISION: "territoires de santé",
                  p.EXT_ORG_CLOSING_TYPE: "type de fermeture"}


def unmanaged(body: Json) -> Json:
    rest = {k: v for k, v in body.items()
            if k not in ("name", "alias", "address", "partOf", "meta", "id", "resourceType")}
    rest["identifier"] = [i for i in bits.dicts(body.get("identifier"))
                          if i.get("system") != p.SYSTEM_FINESS]
    rest["type"] = [t for t in bits.dicts(body.get("type"))
                    if not bits.has_system(t, CATEGORY.system)]
    rest["extension"] = [e for e in bits.dicts(body.get("extension"))
                         if e.get("url") not in (EXT_PERIOD, p.EXT_CREATION_DATE)]
    return rest
