"""The offer's form (HealthcareService, SPEC.md §1.5): its fields with their NOS
vocabularies, read from a stored version and written back onto it.

Writing back changes only the fields whose value differs from the stored version's, and
keeps everything the form does not show (contacts, hours, zones, competences…): a form that
is sent unchanged makes an unchanged body, which the write path stores as no version at all.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from openror.fhir import profiles as p
from openror.terminology import Terminology, default_terminology
from openror.web.editor import bits, model, offer_rows
from openror.web.editor.model import (
    CHECKBOX,
    CHECKBOXES,
    DATE,
    NUMBER,
    SEARCH,
    SEARCHES,
    SELECT,
    TEXT,
    TEXTAREA,
    Field,
    Value,
    Values,
)
from openror.web.editor.vocab import Vocabulary, tre

Json = dict[str, Any]

R227, R211, R244 = (tre("TRE_R227-ChampActivite"), tre("TRE_R211-ActiviteOperationnelle"),
                    tre("TRE_R244-CategorieOrganisation"))
R213, R338, R240 = (tre("TRE_R213-ModePriseEnCharge"), tre("TRE_R338-ModaliteAccueil"),
                    tre("TRE_R240-TemporaliteAccueil"))
R239, R210, R286 = (tre("TRE_R239-PublicPrisEnCharge"), tre("TRE_R210-ActeSpecifique"),
                    tre("TRE_R286-TypeFermeture"))
R243, R253, R344 = (tre("TRE_R243-CompetenceSpecifique"), tre("TRE_R253-TypeMaternite"),
                    tre("TRE_R344-NiveauExpertise"))
SPECIFIC_ACT = "specificAct"
CLOSING_SLICE = "closingReopeningDate"
CLOSING_DESCRIPTION = "Période de fermeture et de réouverture prévisionnelle"
PROVISIONAL, DEFINITIVE = "PRO", "DEF"

#: JDV_J185 (TRE_R286: PRO provisional, DEF definitive), bundled (terminology/data)
CLOSING = Vocabulary(R286, "JDV_J185")
ACTIVITY = Vocabulary(R211, "JDV_J17")
#: JDV_J227 gathers two code systems: maternity types (TRE_R253, 01-04) and the other
#: expertise labels (TRE_R344); a code is written with the system the value set gives it
EXPERTISE = Vocabulary(R344, "JDV_J227")

FIELDS: tuple[Field, ...] = (
    Field("nom", "Nom de l'offre", TEXT, "Le nom sous lequel les professionnels connaissent "
          "l'offre, par exemple « Consultations de cardiologie ».",
          advice="Donnez un nom à l'offre.", required=True),
    Field("champ", "Champ d'activité", SELECT, vocabulary=Vocabulary(R227, "JDV_J20"),
          advice="Choisissez le champ d'activité dans la liste.", required=True),
    Field("activite", "Activité opérationnelle", SEARCH, "Tapez quelques lettres puis "
          "choisissez dans la liste (nomenclature des activités opérationnelles).",
          ACTIVITY, "Choisissez l'activité dans la liste proposée.", required=True),
    Field("mode", "Mode de prise en charge", SELECT, vocabulary=Vocabulary(R213, "JDV_J19"),
          advice="Choisissez un mode de prise en charge dans la liste.", required=True),
    Field("categorie", "Type d'offre", SEARCH, "Catégorie d'organisation (facultatif), par "
          "exemple « Unité d'hospitalisation ».", Vocabulary(R244, "JDV_J238"),
          "Choisissez le type d'offre dans la liste, ou laissez le champ vide."),
    Field("modalites", "Modalités d'accueil", CHECKBOXES,
          vocabulary=Vocabulary(R338, "JDV_J226"),
          advice="Cochez les modalités d'accueil proposées."),
    Field("temporalite", "Temporalité d'accueil", SELECT,
          vocabulary=Vocabulary(R240, "JDV_J30"),
          advice="Choisissez la temporalité d'accueil dans la liste."),
    Field("publics", "Publics pris en charge", CHECKBOXES,
          vocabulary=Vocabulary(R239, "JDV_J29"),
          advice="Cochez les publics pris en charge."),
    Field("age_min", "Âge minimum (ans)", NUMBER, "0 s'il n'y a pas d'âge minimum.",
          advice="Indiquez l'âge minimum en années, par exemple 0 ou 18.", required=True),
    Field("age_max", "Âge maximum (ans)", NUMBER, "150 s'il n'y a pas d'âge maximum.",
          advice="Indiquez l'âge maximum en années, au moins l'âge minimum (150 s'il n'y a "
                 "pas de limite).", required=True),
    Field("actes", "Actes spécifiques", SEARCHES, "Un acte par ligne : tapez quelques "
          "lettres (par exemple « écho » ou « ECG ») puis choisissez dans la liste ; videz "
          "une ligne pour retirer l'acte.", Vocabulary(R210, "JDV_J16"),
          "Choisissez chaque acte dans la liste proposée (nomenclature des actes "
          "spécifiques)."),
    Field("competences", "Compétences spécifiques", SEARCHES, "Une compétence par ligne "
          "(langue des signes, neuropsychologue…) : tapez quelques lettres puis choisissez.",
          Vocabulary(R243, "JDV_J33"),
          "Choisissez chaque compétence dans la liste proposée."),
    Field("expertise", "Niveaux d'expertise", SEARCHES, "Seulement un niveau reconnu "
          "(type de maternité, centre de référence ou de compétences labellisé…).", EXPERTISE,
          "Choisissez chaque niveau d'expertise dans la liste proposée."),
    Field("sensible", "Unité sensible", CHECKBOX, "Une unité sensible n'est visible que des "
          "régulateurs et des gestionnaires de crise.",
          advice="Cochez la case si l'unité est sensible."),
    Field("lieux", "Lieux de réalisation", CHECKBOXES, "Les lieux où l'offre est réalisée.",
          advice="Choisissez parmi les lieux de l'établissement."),
    *offer_rows.FIELDS,
    Field("commentaire", "Commentaire", TEXTAREA,
          advice="Le commentaire est un texte libre."),
    Field("fermeture_type", "Type de fermeture", SELECT, "Laissez « Offre ouverte » si l'offre "
          "fonctionne.", CLOSING, "Choisissez le type de fermeture dans la liste."),
    Field("fermeture_debut", "Date de fermeture", DATE,
          advice="Indiquez une date au format jj/mm/aaaa."),
    Field("fermeture_fin", "Réouverture prévue le", DATE, "Facultatif.",
          advice="Indiquez une date au format jj/mm/aaaa, après la date de fermeture."),
)
BY_NAME = {f.name: f for f in FIELDS}
ROW_FIELDS = frozenset(f.name for f in offer_rows.FIELDS)


def read(form: Mapping[str, str], terminology: Terminology) -> Values:
    """The values of a posted offer form, rows of hours and contacts and zones included."""
    return {**model.read(FIELDS, form, terminology), **offer_rows.read(form)}

#: characteristic slices the form manages: field -> its code systems
_CHARACTERISTICS = {"mode": (R213,), "modalites": (R338,), "temporalite": (R240,),
                    "actes": (R210,), "competences": (R243,), "expertise": (R253, R344),
                    "fermeture_type": (R286,)}


def _characteristic_field(item: Json) -> str | None:
    for name, systems in _CHARACTERISTICS.items():
        if any(bits.has_system(item, system) for system in systems):
            if name == "actes" and _act_type(item) not in (None, SPECIFIC_ACT):
                return None  # an act outside the office: not this form's
            return name
    return None


def _act_type(item: Json) -> str | None:
    found = bits.extension(item, p.EXT_ACT_TYPE)
    return None if found is None else str(found.get("valueCode"))


def values_of(body: Json) -> Values:
    chars = bits.dicts(body.get("characteristic"))

    def char_codes(name: str) -> list[str]:
        return [c for item in chars if _characteristic_field(item) == name
                for system in _CHARACTERISTICS[name] for c in bits.codes(item, system)]

    patients = bits.extension(body, p.EXT_PATIENT_TYPE)
    ages = (bits.part(patients, "ageRange") or {}).get("valueRange") or {}
    closing = _closing(body) or {}
    sensitive = bits.extension(body, p.EXT_SENSITIVE_UNIT) or {}
    return {
        "nom": str(body.get("name") or ""),
        "champ": _first(bits.codes(body.get("type"), R227)),
        "activite": _first(bits.codes(body.get("specialty"), R211)),
        "categorie": _first(bits.codes(body.get("category"), R244)),
        "mode": _first(char_codes("mode")),
        "modalites": tuple(sorted(set(char_codes("modalites")))),
        "temporalite": _first(char_codes("temporalite")),
        "publics": tuple(sorted({c for e in bits.dicts((patients or {}).get("extension"))
                                 if e.get("url") == "supportedPatientInfo"
                                 for c in bits.codes(e.get("valueCodeableConcept"), R239)})),
        "age_min": bits.number_text((ages.get("low") or {}).get("value")),
        "age_max": bits.number_text((ages.get("high") or {}).get("value")),
        "actes": tuple(dict.fromkeys(char_codes("actes"))),
        "competences": tuple(dict.fromkeys(char_codes("competences"))),
        "expertise": tuple(dict.fromkeys(char_codes("expertise"))),
        "sensible": "oui" if sensitive.get("valueBoolean") is True else "",
        "lieux": tuple(sorted(set(bits.reference_ids(body.get("location"), "Location")))),
        "commentaire": str(body.get("comment") or ""),
        "fermeture_type": _first(char_codes("fermeture_type")),
        "fermeture_debut": str((closing.get("during") or {}).get("start") or "")[:10],
        "fermeture_fin": str((closing.get("during") or {}).get("end") or "")[:10],
        **offer_rows.values_of(body),
    }


def _first(found: list[str]) -> str:
    return found[0] if found else ""


def _closing(body: Json) -> Json | None:
    return next((n for n in bits.dicts(body.get("notAvailable"))
                 if n.get("id") == CLOSING_SLICE), None)


# -- writing ------------------------------------------------------------------------------

def apply(body: Json, values: Values) -> tuple[Json, dict[str, str]]:
    """A copy of ``body`` with the fields whose value changed; and the fields whose text
    cannot be written at all (a number that is not one), by field name."""
    out = copy.deepcopy(body)
    stored = values_of(body)
    errors: dict[str, str] = {}
    todo = [f.name for f in FIELDS if values.get(f.name, "") != stored[f.name]]
    for name in todo:
        value = values.get(name, "")
        if name in _CHARACTERISTICS:
            _set_characteristic(out, name, value)
        elif name in ("publics", "age_min", "age_max"):
            if (error := _set_patients(out, name, value)) is not None:
                errors[name] = error
        elif name.startswith("fermeture_"):
            _set_closing(out, name, str(value))
        elif name in ROW_FIELDS:
            offer_rows.apply(out, name, value)
        else:
            _SETTERS[name](out, value)
    return out, errors


def _set_characteristic(out: Json, name: str, value: Value) -> None:
    kept = [c for c in bits.dicts(out.get("characteristic")) if _characteristic_field(c) != name]
    codes = value if isinstance(value, tuple) else ((value,) if value else ())
    added = [bits.concept(_system_of(name, code), code) for code in codes]
    if name == "actes":
        added = [{"extension": [{"url": p.EXT_ACT_TYPE, "valueCode": SPECIFIC_ACT}], **a}
                 for a in added]
    bits.set_or_drop(out, "characteristic", kept + added)


def _system_of(name: str, code: str) -> str:
    """The code system a code of the field is written with (JDV_J227 spans two)."""
    if name == "expertise":
        return expertise_systems().get(code, R344)
    return _CHARACTERISTICS[name][0]


@functools.cache
def expertise_systems() -> dict[str, str]:
    """Code -> system of the bundled JDV_J227 (the release an offer is checked against)."""
    return {c.code: c.system for c in default_terminology().expand("JDV_J227")}


def _set_patients(out: Json, name: str, value: Value) -> str | None:
    extensions = bits.dicts(out.get("extension"))
    found = bits.extension(out, p.EXT_PATIENT_TYPE)
    if found is None:
        found = {"url": p.EXT_PATIENT_TYPE, "extension": []}
        extensions.append(found)
    parts = bits.dicts(found.get("extension"))
    if name == "publics":
        parts = [e for e in parts if e.get("url") != "supportedPatientInfo"] + [
            {"url": "supportedPatientInfo", "valueCodeableConcept": bits.concept(R239, c)}
            for c in value]
    else:
        bound = "low" if name == "age_min" else "high"
        number = bits.parse_number(str(value)) if value else None
        if value and number is None:
            return BY_NAME[name].advice
        ages = bits.part(found, "ageRange")
        if ages is None:
            ages = {"url": "ageRange", "valueRange": {}}
            parts.append(ages)
        ages["valueRange"] = {k: v for k, v in (ages.get("valueRange") or {}).items()
                              if k != bound}
        if number is not None:
            ages["valueRange"][bound] = {"value": number, "system": bits.UCUM, "code": "a"}
        parts = [e for e in parts if e.get("url") != "ageRange" or e["valueRange"]]
    bits.set_or_drop(found, "extension", parts)
    out["extension"] = [e for e in extensions if e.get("url") != p.EXT_PATIENT_TYPE
                        or e.get("extension")]
    return None


def _set_closing(out: Json, name: str, value: str) -> None:
    others = [n for n in bits.dicts(out.get("notAvailable")) if n.get("id") != CLOSING_SLICE]
    during = dict((_closing(out) or {}).get("during") or {})
    key = "start" if name == "fermeture_debut" else "end"
    bits.set_or_drop(during, key, value)
    slices = [{"id": CLOSING_SLICE, "description": CLOSING_DESCRIPTION,
               "during": during}] if during else []
    bits.set_or_drop(out, "notAvailable", others + slices)


def _set_text(key: str) -> Any:
    def setter(out: Json, value: Value) -> None:
        bits.set_or_drop(out, key, value)
    return setter


def _set_coded(key: str, system: str, first: bool = False) -> Any:
    """Replace the CodeableConcept of ``system`` in a list element, keeping the others."""
    def setter(out: Json, value: Value) -> None:
        kept = [c for c in bits.dicts(out.get(key)) if not bits.has_system(c, system)]
        added = [bits.concept(system, str(value))] if value else []
        bits.set_or_drop(out, key, added + kept if first else kept + added)
    return setter


def _set_sensitive(out: Json, value: Value) -> None:
    flag = {"url": p.EXT_SENSITIVE_UNIT, "valueBoolean": value == "oui"}
    extensions = bits.dicts(out.get("extension"))
    if bits.extension(out, p.EXT_SENSITIVE_UNIT) is None:
        out["extension"] = [*extensions, flag]
    else:
        out["extension"] = [flag if e.get("url") == p.EXT_SENSITIVE_UNIT else e
                            for e in extensions]


def _set_places(out: Json, value: Value) -> None:
    wanted = list(value) if isinstance(value, tuple) else []
    kept = [r for r in bits.dicts(out.get("location"))
            if str(r.get("reference") or "").removeprefix("Location/") in wanted]
    have = set(bits.reference_ids(kept, "Location"))
    added = [{"reference": f"Location/{rid}"} for rid in wanted if rid not in have]
    bits.set_or_drop(out, "location", kept + added)


_SETTERS = {
    "nom": _set_text("name"),
    "commentaire": _set_text("comment"),
    "champ": _set_coded("type", R227, first=True),
    "activite": _set_coded("specialty", R211, first=True),
    "categorie": _set_coded("category", R244, first=True),
    "sensible": _set_sensitive,
    "lieux": _set_places,
}


def new_offer(provider: str, region: str | None) -> Json:
    """The body a new offer starts from: its provider, and what every offer carries."""
    body: Json = {"resourceType": "HealthcareService",
                  "providedBy": {"reference": f"Organization/{provider}"},
                  "extension": [{"url": p.EXT_SENSITIVE_UNIT, "valueBoolean": False}]}
    if region:
        body["meta"] = {"tag": [{"system": p.TRE_R30_REGION, "code": region}]}
    return body


def copy_of(source: Json) -> Json:
    """A new offer like ``source`` (its hours, contacts, zones… too), without what makes
    ``source`` itself: id, version, functional identifier, creation date, closure."""
    body = {k: copy.deepcopy(v) for k, v in source.items()
            if k not in ("id", "identifier", "notAvailable")}
    meta = body.get("meta") or {}
    body["meta"] = {"tag": meta["tag"]} if meta.get("tag") else {}
    if not body["meta"]:
        del body["meta"]
    body["extension"] = [e for e in bits.dicts(body.get("extension"))
                         if e.get("url") != p.EXT_CREATION_DATE]
    body["characteristic"] = [c for c in bits.dicts(body.get("characteristic"))
                              if _characteristic_field(c) != "fermeture_type"]
    return body


# -- where errors go ----------------------------------------------------------------------

def locate(body: Json) -> list[tuple[str, str]]:
    """(element path, field) for the validation's ``expression`` of each issue."""
    base = "HealthcareService"
    found = [(f"{base}.name", "nom"), (f"{base}.type", "champ"),
             (f"{base}.specialty", "activite"), (f"{base}.category", "categorie"),
             (f"{base}.characteristic$", "mode"), (f"{base}.location", "lieux"),
             (f"{base}.comment", "commentaire"), (f"{base}.notAvailable$", "fermeture_debut")]
    found += offer_rows.locate(body)
    for i, item in enumerate(bits.dicts(body.get("characteristic"))):
        name = _characteristic_field(item)
        if name:
            found.append((f"{base}.characteristic[{i}]", name))
    for i, closing in enumerate(bits.dicts(body.get("notAvailable"))):
        if closing.get("id") == CLOSING_SLICE:
            found.append((f"{base}.notAvailable[{i}]", "fermeture_debut"))
            found.append((f"{base}.notAvailable[{i}].during.end", "fermeture_fin"))
    for i, ext in enumerate(bits.dicts(body.get("extension"))):
        if ext.get("url") == p.EXT_SENSITIVE_UNIT:
            found.append((f"{base}.extension[{i}]", "sensible"))
        if ext.get("url") != p.EXT_PATIENT_TYPE:
            continue
        found.append((f"{base}.extension[{i}]", "age_min"))
        for j, sub in enumerate(bits.dicts(ext.get("extension"))):
            where = f"{base}.extension[{i}].extension[{j}]"
            if sub.get("url") == "supportedPatientInfo":
                found.append((where, "publics"))
            elif sub.get("url") == "ageRange":
                found.append((f"{where}.valueRange.high", "age_max"))
    return found


#: fields told by what an expression names (the quality rules' paths, the care mode slice)
HINTS = ((p.EXT_PATIENT_TYPE, "age_min"), (p.EXT_SENSITIVE_UNIT, "sensible"),
         (R213, "mode"), (R211, "activite"), (R240, "temporalite"), (R210, "actes"),
         (R243, "competences"), (R344, "expertise"), (R253, "expertise"))


# -- what a version says ------------------------------------------------------------------

def shown(name: str, value: Value, terminology: Terminology, names: dict[str, str]) -> str:
    """A field's value in words, for the change log (« — » when empty)."""
    if name in ROW_FIELDS:
        return offer_rows.shown(name, value, terminology)
    return _shown(name, value, terminology, names)


def _shown(name: str, value: Value, terminology: Terminology, names: dict[str, str]) -> str:
    f = BY_NAME[name]
    items = value if isinstance(value, tuple) else ((value,) if value else ())
    if not items:
        return "—"
    if name == "lieux":
        return ", ".join(names.get(i, i) for i in items)
    if f.kind == CHECKBOX:
        return "oui"
    if f.kind == DATE:
        return _french_date(str(value))
    if f.vocabulary is not None:
        return ", ".join(f.vocabulary.described(terminology, c) for c in items)
    return ", ".join(items)


def _french_date(text: str) -> str:
    try:
        return date.fromisoformat(text[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return text


#: the elements the form does not show, as the change log names them
OTHER_ELEMENTS = {
    "telecom": "messageries de l'offre", "availableTime": "horaires",
    "coverageArea": "zone desservie", "active": "offre active",
    "characteristic": "autres caractéristiques (spécialisations, actes hors cabinet…)",
    "specialty": "famille d'activité", "identifier": "identifiant de l'offre",
    "providedBy": "structure de rattachement", "notAvailable": "autres indisponibilités",
    p.EXT_HS_CONTACT: "contacts", p.EXT_TERRITORIAL_DIVISION: "zone d'intervention",
    p.EXT_PSY_SECTOR: "secteur psychiatrique",
    p.EXT_NO_CONSENT: "habilitation aux soins sans consentement",
    p.EXT_TEMPLATE: "modèle de saisie",
}


def unmanaged(body: Json) -> Json:
    """What of ``body`` the form does not show (the change log lists its changes apart)."""
    rest = {k: v for k, v in body.items()
            if k not in ("name", "type", "category", "location", "comment", "meta", "id",
                         "resourceType", "availableTime")}
    rest["specialty"] = [s for s in bits.dicts(body.get("specialty"))
                         if not bits.has_system(s, R211)]
    rest["characteristic"] = [c for c in bits.dicts(body.get("characteristic"))
                              if _characteristic_field(c) is None]
    rest["notAvailable"] = [n for n in bits.dicts(body.get("notAvailable"))
                            if n.get("id") != CLOSING_SLICE]
    rest["extension"] = [e for e in bits.dicts(body.get("extension")) if e.get("url") not in (
        p.EXT_PATIENT_TYPE, p.EXT_SENSITIVE_UNIT, p.EXT_CREATION_DATE, p.EXT_HS_CONTACT,
        p.EXT_TERRITORIAL_DIVISION)]
    return rest


# -- open or closed -----------------------------------------------------------------------

@dataclass(frozen=True)
class Status:
    closed: bool
    text: str  # « ouverte », « fermée depuis le 01/12/2026 (provisoire) », …


def status(body: Json, today: date) -> Status:
    values = values_of(body)
    start, end = values["fermeture_debut"], values["fermeture_fin"]
    kind = {PROVISIONAL: " (provisoire)", DEFINITIVE: " (définitive)"}.get(
        str(values["fermeture_type"]), "")
    if body.get("active") is False:
        return Status(True, "inactive")
    if isinstance(start, str) and start:
        day = today.isoformat()
        if start > day:
            return Status(False, f"fermeture prévue le {_french_date(start)}{kind}")
        if not end or str(end) > day:
            until = f", réouverture prévue le {_french_date(str(end))}" if end else ""
            return Status(True, f"fermée depuis le {_french_date(start)}{kind}{until}")
    return Status(False, "ouverte")
