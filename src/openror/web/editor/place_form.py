"""The place's form (Location, SPEC.md §1.6): name, address, commune, coordinates, status
and specific equipment with their limits. Capacities have their own page (the site's
capacity screen). As for offers, only the fields whose value changed are written back."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openror.fhir import profiles as p
from openror.geo import Gazetteer
from openror.terminology import Terminology
from openror.web.editor import bits, model
from openror.web.editor.model import (
    CHECKBOX,
    NUMBER,
    ROWS,
    SELECT,
    TEXT,
    TEXTAREA,
    Field,
    Value,
    Values,
)
from openror.web.editor.vocab import Choice, Vocabulary, code_of, tre

Json = dict[str, Any]

R13, R203, R212, R340 = (tre("TRE_R13-CommuneOM"), tre("TRE_R203-StatutLieu"),
                         tre("TRE_R212-Equipement"), tre("TRE_R340-TypeCaracteristiqueEquipement"))
COMMUNE = Vocabulary(R13, "JDV_J124")
EQUIPMENT = Vocabulary(R212, "JDV_J18")
#: the bundled NOS files lack JDV_J228; SPEC.md §1.12 gives its code for weight
FEATURE = Vocabulary(R340, "JDV_J228", (Choice("001", "Poids maximum"),))
UNITS = (("kg", "kg"), ("g", "g"), ("t", "t"), ("cm", "cm"), ("m", "m"))
#: equipment rows: at most this many are read from a form
MAX_ROWS = 40

FIELDS: tuple[Field, ...] = (
    Field("nom", "Nom du lieu", TEXT, "Par exemple « Bâtiment B, 2e étage ».",
          advice="Donnez un nom au lieu."),
    Field("description", "Comment s'y rendre", TEXTAREA, "Facultatif.",
          advice="La description est un texte libre."),
    Field("statut", "Statut", SELECT, vocabulary=Vocabulary(R203, "JDV_J224"),
          advice="Choisissez le statut dans la liste."),
    Field("adresse", "Adresse", TEXT, "Numéro et voie, par exemple « 1 rue de l'Hôpital ».",
          advice="Indiquez le numéro et la voie."),
    Field("code_postal", "Code postal", TEXT, advice="Indiquez un code postal à 5 chiffres."),
    Field("ville", "Ville", TEXT, advice="Indiquez la ville de l'adresse."),
    Field("commune", "Commune (code officiel géographique)", model.COMMUNE, "Tapez le nom puis "
          "choisissez dans la liste ; laissée vide, elle est déduite du code postal et de la "
          "ville.", COMMUNE, "Choisissez la commune dans la liste (nom et code INSEE).",
          required=True),
    Field("latitude", "Latitude", NUMBER, "En degrés décimaux (WGS 84), par exemple 49,8486.",
          advice="Indiquez la latitude en degrés décimaux, entre -90 et 90."),
    Field("longitude", "Longitude", NUMBER, "Par exemple 3,2876.",
          advice="Indiquez la longitude en degrés décimaux, entre -180 et 180."),
    Field("fiables", "Coordonnées fiables", CHECKBOX, "Cochez si les coordonnées sont celles "
          "du bâtiment (et non le centre de la commune).",
          advice="Cochez la case si les coordonnées sont exactes."),
    Field("equipements", "Équipements spécifiques", ROWS, vocabulary=EQUIPMENT,
          advice="Choisissez l'équipement dans la liste."),
)
BY_NAME = {f.name: f for f in FIELDS}


# -- equipment rows -----------------------------------------------------------------------

@dataclass
class Limit:
    feature: str = ""
    value: str = ""
    unit: str = "kg"


@dataclass
class Equipment:
    type: str = ""
    count: str = ""
    limits: list[Limit] = field(default_factory=list)

    def encode(self) -> str:
        limits = ";".join(f"{lim.feature}:{lim.value}:{lim.unit}" for lim in self.limits)
        return f"{self.type}|{self.count}|{limits}"

    @classmethod
    def decode(cls, text: str) -> Equipment:
        kind, count, limits = [*text.split("|"), "", ""][:3]
        found = [Limit(*[*part.split(":"), "", "", ""][:3]) for part in limits.split(";")
                 if part]
        return cls(kind, count, found)


def equipment_rows(form: Mapping[str, str], terminology: Terminology) -> tuple[str, ...]:
    """The equipment rows of a posted form (``eq<i>-…``), blank ones left out."""
    rows = []
    for i in range(MAX_ROWS):
        prefix = f"eq{i}-"
        if not any(k.startswith(prefix) for k in form):
            continue
        row = Equipment(code_of(EQUIPMENT, terminology, form.get(f"{prefix}type", "")),
                        form.get(f"{prefix}nombre", "").strip())
        for j in range(MAX_ROWS):
            lim = f"{prefix}lim{j}-"
            if not any(k.startswith(lim) for k in form):
                continue
            value = form.get(f"{lim}valeur", "").strip()
            feature = form.get(f"{lim}carac", "").strip()
            if value or feature:
                row.limits.append(Limit(feature, value, form.get(f"{lim}unite", "kg").strip()))
        if row.type or row.count or row.limits:
            rows.append(row.encode())
    return tuple(rows)


def row_fields(rows: int, limits: int = 4) -> dict[str, Field]:
    """The parts of the equipment rows as fields: their labels for the error summary and
    what to do when one is refused."""
    found = {}
    for i in range(rows):
        name = f"Équipement {i + 1}"
        found[f"eq{i}-type"] = Field(f"eq{i}-type", f"{name} — type", TEXT,
                                     advice="Choisissez l'équipement dans la liste.")
        found[f"eq{i}-nombre"] = Field(f"eq{i}-nombre", f"{name} — nombre en service", NUMBER,
                                       advice="Indiquez un nombre entier, positif ou nul.")
        for j in range(limits):
            found[f"eq{i}-lim{j}-carac"] = Field(
                f"eq{i}-lim{j}-carac", f"{name} — caractéristique limitée", SELECT,
                advice="Choisissez la caractéristique limitée (par exemple le poids maximum).")
            found[f"eq{i}-lim{j}-valeur"] = Field(
                f"eq{i}-lim{j}-valeur", f"{name} — valeur limite", NUMBER,
                advice="Indiquez la valeur limite et son unité, par exemple 250 kg.")
    return found


def _equipment_of(ext: Json) -> Equipment:
    kind = bits.part(ext, "equipmentType") or {}
    count = bits.part(ext, "nbInService") or {}
    row = Equipment(next(iter(bits.codes(kind.get("valueCodeableConcept"), R212)), ""),
                    bits.number_text(count.get("valueInteger")))
    for lim in bits.dicts(ext.get("extension")):
        if lim.get("url") != p.EXT_EQUIPMENT_LIMIT:
            continue
        feature = bits.part(lim, "equipmentFeature") or {}
        quantity = (bits.part(lim, "limitValue") or {}).get("valueQuantity") or {}
        row.limits.append(Limit(next(iter(bits.codes(feature.get("valueCodeableConcept"),
                                                     R340)), ""),
                                bits.number_text(quantity.get("value")),
                                str(quantity.get("code") or quantity.get("unit") or "")))
    return row


def _equipment_json(row: Equipment, i: int, errors: dict[str, str]) -> Json:
    parts: list[Json] = []
    if row.type:
        parts.append({"url": "equipmentType",
                      "valueCodeableConcept": bits.concept(R212, row.type)})
    if row.count:
        count = bits.parse_number(row.count)
        if not isinstance(count, int):
            errors[f"eq{i}-nombre"] = "Indiquez un nombre entier d'équipements en service."
        else:
            parts.append({"url": "nbInService", "valueInteger": count})
    for j, lim in enumerate(row.limits):
        sub: list[Json] = []
        if lim.feature:
            sub.append({"url": "equipmentFeature",
                        "valueCodeableConcept": bits.concept(R340, lim.feature)})
        number = bits.parse_number(lim.value) if lim.value else None
        if lim.value and number is None:
            errors[f"eq{i}-lim{j}-valeur"] = "Indiquez la limite par un nombre, par exemple 250."
        elif number is not None:
            sub.append({"url": "limitValue", "valueQuantity": {
                "value": number, "unit": lim.unit, "system": bits.UCUM, "code": lim.unit}})
        parts.append({"url": p.EXT_EQUIPMENT_LIMIT, "extension": sub})
    return {"url": p.EXT_EQUIPMENT, "extension": parts}


# -- reading and writing ------------------------------------------------------------------

def values_of(body: Json) -> Values:
    address = body.get("address") if isinstance(body.get("address"), dict) else {}
    assert isinstance(address, dict)
    lines = [str(x) for x in address.get("line") or [] if isinstance(x, str)]
    position = body.get("position") if isinstance(body.get("position"), dict) else {}
    assert isinstance(position, dict)
    reliable = bits.extension(position, p.EXT_COORDINATE_RELIABILITY) or {}
    commune = bits.extension(body, p.EXT_COMMUNE_COG) or {}
    status = body.get("operationalStatus") if isinstance(body.get("operationalStatus"),
                                                         dict) else {}
    assert isinstance(status, dict)
    return {
        "nom": str(body.get("name") or ""),
        "description": str(body.get("description") or ""),
        "statut": str(status.get("code") or ""),
        "adresse": ", ".join(lines),
        "code_postal": str(address.get("postalCode") or ""),
        "ville": str(address.get("city") or ""),
        "commune": next(iter(bits.codes(commune.get("valueCodeableConcept"), R13)), ""),
        "latitude": bits.number_text(position.get("latitude")),
        "longitude": bits.number_text(position.get("longitude")),
        "fiables": "oui" if reliable.get("valueBoolean") is True else "",
        "equipements": tuple(_equipment_of(e).encode() for e in bits.dicts(body.get("extension"))
                             if e.get("url") == p.EXT_EQUIPMENT),
    }


def read_commune(typed: str, postal_code: str, city: str, gazetteer: Gazetteer) -> str:
    """The INSEE code of what was typed in « Commune »: « Nom (code) », a code, or a name
    (found with the postal code); empty, the commune of the postal code and city. What
    names no commune comes back as typed, for validation to refuse."""
    text = typed.strip()
    found = re.search(r"\(([0-9AB]{5})\)\s*$", text)
    if found and gazetteer.commune(found.group(1)):
        return found.group(1)
    if gazetteer.commune(text) is not None:
        return text.upper()
    commune = gazetteer.find(postal_code or None, text or city) if (text or city) else None
    return commune.code if commune is not None else text


def read(form: Mapping[str, str], terminology: Terminology, gazetteer: Gazetteer) -> Values:
    """The values of a posted place form."""
    values = model.read(FIELDS, form, terminology,
                        lambda posted: equipment_rows(posted, terminology))
    values["commune"] = read_commune(form.get("commune", ""), str(values["code_postal"]),
                                     str(values["ville"]), gazetteer)
    return values


def apply(body: Json, values: Values) -> tuple[Json, dict[str, str]]:
    """A copy of ``body`` with the fields whose value changed, and the errors of what cannot
    be written (a number that is not one), by field id."""
    out = copy.deepcopy(body)
    stored = values_of(body)
    errors: dict[str, str] = {}
    changed = {f.name for f in FIELDS if values.get(f.name, "") != stored[f.name]}
    for name in ("nom", "description"):
        if name in changed:
            bits.set_or_drop(out, "name" if name == "nom" else name, values[name])
    if "statut" in changed:
        value = str(values["statut"])
        bits.set_or_drop(out, "operationalStatus",
                         {"system": R203, "code": value} if value else None)
    if changed & {"adresse", "code_postal", "ville"}:
        _set_address(out, values)
    if "commune" in changed:
        others = [e for e in bits.dicts(out.get("extension")) if e.get("url") != p.EXT_COMMUNE_COG]
        code = str(values["commune"])
        added = [{"url": p.EXT_COMMUNE_COG, "valueCodeableConcept": bits.concept(R13, code)}
                 ] if code else []
        bits.set_or_drop(out, "extension", others + added)
    if changed & {"latitude", "longitude", "fiables"}:
        _set_position(out, values, errors)
    if "equipements" in changed:
        rows = [Equipment.decode(r) for r in values["equipements"]]
        others = [e for e in bits.dicts(out.get("extension")) if e.get("url") != p.EXT_EQUIPMENT]
        added = [_equipment_json(row, i, errors) for i, row in enumerate(rows)]
        bits.set_or_drop(out, "extension", others + added)
    return out, errors


def _set_address(out: Json, values: Values) -> None:
    address = dict(out.get("address") or {})
    line = str(values.get("adresse", ""))
    kept_lines = address.get("line") or []
    if line != ", ".join(str(x) for x in kept_lines if isinstance(x, str)):
        address.pop("_line", None)  # line extensions describe the old line
        bits.set_or_drop(address, "line", [line] if line else [])
    bits.set_or_drop(address, "postalCode", values.get("code_postal"))
    bits.set_or_drop(address, "city", values.get("ville"))
    bits.set_or_drop(out, "address", address)


def _set_position(out: Json, values: Values, errors: dict[str, str]) -> None:
    position = dict(out.get("position") or {})
    for name in ("latitude", "longitude"):
        text = str(values.get(name, ""))
        number = bits.parse_number(text) if text else None
        if text and number is None:
            errors[name] = BY_NAME[name].advice
        bits.set_or_drop(position, name, number)
    others = [e for e in bits.dicts(position.get("extension"))
              if e.get("url") != p.EXT_COORDINATE_RELIABILITY]
    flag = [{"url": p.EXT_COORDINATE_RELIABILITY, "valueBoolean": values.get("fiables") == "oui"}
            ] if "latitude" in position or "longitude" in position else []
    bits.set_or_drop(position, "extension", others + flag)
    bits.set_or_drop(out, "position", position)


def new_place(site: str, region: str | None) -> Json:
    """A place no offer uses yet belongs to its site (``managingOrganization``, SPEC §1.1)."""
    body: Json = {"resourceType": "Location",
                  "managingOrganization": {"reference": f"Organization/{site}"},
                  "operationalStatus": {"system": R203, "code": "OP"}}
    if region:
        body["meta"] = {"tag": [{"system": p.TRE_R30_REGION, "code": region}]}
    return body


# -- where errors go ----------------------------------------------------------------------

def locate(body: Json) -> list[tuple[str, str]]:
    base = "Location"
    found = [(f"{base}.name", "nom"), (f"{base}.description", "description"),
             (f"{base}.operationalStatus", "statut"), (f"{base}.address.line", "adresse"),
             (f"{base}.address.postalCode", "code_postal"), (f"{base}.address.city", "ville"),
             (f"{base}.address", "adresse"), (f"{base}.position.latitude", "latitude"),
             (f"{base}.position.longitude", "longitude"), (f"{base}.position", "latitude")]
    row = 0
    for i, ext in enumerate(bits.dicts(body.get("extension"))):
        where = f"{base}.extension[{i}]"
        if ext.get("url") == p.EXT_COMMUNE_COG:
            found.append((where, "commune"))
        if ext.get("url") != p.EXT_EQUIPMENT:
            continue
        found.append((where, f"eq{row}-type"))
        limit = 0
        for j, sub in enumerate(bits.dicts(ext.get("extension"))):
            if sub.get("url") == "nbInService":
                found.append((f"{where}.extension[{j}]", f"eq{row}-nombre"))
            elif sub.get("url") == p.EXT_EQUIPMENT_LIMIT:
                found.append((f"{where}.extension[{j}]", f"eq{row}-lim{limit}-valeur"))
                for k, item in enumerate(bits.dicts(sub.get("extension"))):
                    if item.get("url") == "equipmentFeature":
                        found.append((f"{where}.extension[{j}].extension[{k}]",
                                      f"eq{row}-lim{limit}-carac"))
                limit += 1
        row += 1
    return found


HINTS = ((p.EXT_COMMUNE_COG, "commune"), (p.EXT_EQUIPMENT, "equipements"))


# -- what a version says ------------------------------------------------------------------

def shown(name: str, value: Value, terminology: Terminology, names: dict[str, str]) -> str:
    f = BY_NAME[name]
    if name == "equipements":
        rows = [Equipment.decode(r) for r in value] if isinstance(value, tuple) else []
        return "; ".join(equipment_text(r, terminology) for r in rows) or "—"
    if not value:
        return "—"
    if f.kind == CHECKBOX:
        return "oui"
    if f.vocabulary is not None:
        return f.vocabulary.described(terminology, str(value))
    return str(value)


def equipment_text(row: Equipment, terminology: Terminology) -> str:
    text = EQUIPMENT.described(terminology, row.type) if row.type else "(sans type)"
    if row.count:
        text += f" × {row.count}"
    for lim in row.limits:
        feature = FEATURE.label(terminology, lim.feature) if lim.feature else "limite"
        text += f", {feature.lower()} : {lim.value} {lim.unit}".rstrip()
    return text


OTHER_ELEMENTS = {
    p.EXT_SUPPORTED_CAPACITY: "capacités (lits et places)", "telecom": "téléphones",
    p.EXT_RESIDENTIAL_CAPACITY: "capacités d'habitation", "identifier": "identifiants",
    "managingOrganization": "établissement gestionnaire", "partOf": "lieu parent",
    "type": "fonction du lieu", "alias": "nom de synchronisation", "status": "état",
    p.EXT_COMMENT: "commentaire", "hoursOfOperation": "horaires",
}


def unmanaged(body: Json) -> Json:
    rest = {k: v for k, v in body.items()
            if k not in ("name", "description", "operationalStatus", "address", "position",
                         "meta", "id", "resourceType")}
    rest["extension"] = [e for e in bits.dicts(body.get("extension")) if e.get("url") not in (
        p.EXT_COMMUNE_COG, p.EXT_EQUIPMENT, p.EXT_CREATION_DATE)]
    return rest
