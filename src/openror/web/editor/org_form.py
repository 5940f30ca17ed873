"""The basics of a site or an internal unit a referent may change (SPEC.md §1.3–1.4): its
name, its telephone and e-mail with who may see them and, for a site, its address; and the
body of a new internal unit under a site. As for offers and places, only the fields whose
value changed are written back; everything else (identifiers, FINESS data, types…) is kept.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from openror.fhir import profiles as p
from openror.terminology import Terminology
from openror.web.editor import bits, org_view
from openror.web.editor.model import SELECT, TEXT, Field, Value, Values
from openror.web.editor.vocab import Choice, Vocabulary, tre
from openror.web.entry import choices as entry_choices

Json = dict[str, Any]
R200, R283, R345 = (tre("TRE_R200-CanalCommunication"), tre("TRE_R283-NiveauConfidentialite"),
                    tre("TRE_R345-TypeIdentifiantAutre"))
#: the confidentiality levels (JDV_J222) with the plain words of the guided entry
LEVELS = Vocabulary(R283, "JDV_J222", tuple(
    Choice(code, label) for code, (label, _) in entry_choices.LEVELS.items()))
#: the channel written with a new telephone or e-mail (TRE_R200: 2 fixed line, 3 e-mail)
CHANNELS = {"phone": "2", "email": "3"}
#: the identifier type of an internal unit's OI identifier (TRE_R345)
OI_TYPE = "42"

FIELDS: tuple[Field, ...] = (
    Field("nom", "Nom", TEXT, "Le nom sous lequel la structure est connue.",
          advice="Donnez un nom à la structure.", required=True),
    Field("telephone", "Téléphone", TEXT, "Le standard ou l'accueil, par exemple "
          "03 23 06 71 71.", advice="Indiquez un numéro de téléphone."),
    Field("courriel", "Courriel", TEXT, "Par exemple accueil@exemple.fr.",
          advice="Indiquez une adresse électronique."),
    Field("niveau", "Qui peut voir le téléphone et le courriel", SELECT,
          "Visible par tous : les sites publics d'information les affichent ; réservé aux "
          "professionnels : seuls les professionnels habilités et la régulation les voient.",
          LEVELS, "Choisissez qui peut voir ces coordonnées."),
    Field("adresse", "Adresse", TEXT, "Numéro et voie, par exemple « 1 avenue Michel de "
          "l'Hospital ».", advice="Indiquez le numéro et la voie."),
    Field("code_postal", "Code postal", TEXT, advice="Indiquez un code postal à 5 chiffres."),
    Field("ville", "Ville", TEXT, advice="Indiquez la ville de l'adresse."),
)
BY_NAME = {f.name: f for f in FIELDS}
#: a unit has no address of its own: it is at its site's
SITE_ONLY = ("adresse", "code_postal", "ville")


def fields_for(kind: str) -> tuple[Field, ...]:
    return tuple(f for f in FIELDS if kind == org_view.SITE or f.name not in SITE_ONLY)


def _telecom(body: Json, system: str) -> Json | None:
    return next((t for t in bits.dicts(body.get("telecom")) if t.get("system") == system), None)


def _level(telecom: Json | None) -> str:
    found = bits.extension(telecom or {}, p.EXT_TELECOM_CONFIDENTIALITY) or {}
    return next(iter(bits.codes(found.get("valueCodeableConcept"), R283)), "")


def values_of(body: Json) -> Values:
    address = next(iter(bits.dicts(body.get("address"))), {})
    phone, email = _telecom(body, "phone"), _telecom(body, "email")
    return {
        "nom": str(body.get("name") or ""),
        "telephone": str((phone or {}).get("value") or ""),
        "courriel": str((email or {}).get("value") or ""),
        "niveau": _level(phone) or _level(email),
        "adresse": ", ".join(str(x) for x in address.get("line") or [] if isinstance(x, str)),
        "code_postal": str(address.get("postalCode") or ""),
        "ville": str(address.get("city") or ""),
    }


def apply(body: Json, values: Values) -> tuple[Json, dict[str, str]]:
    """A copy of ``body`` with the fields whose value changed, and the errors the form
    tells itself (a telephone or e-mail needs who may see it)."""
    out = copy.deepcopy(body)
    stored = values_of(body)
    changed = {name for name in stored if name in values and values[name] != stored[name]}
    if "nom" in changed:
        bits.set_or_drop(out, "name", values["nom"])
    level = str(values.get("niveau", stored["niveau"]))
    for name, system in (("telephone", "phone"), ("courriel", "email")):
        if name in changed or ("niveau" in changed and stored[name]):
            _set_telecom(out, system, str(values.get(name, stored[name])), level)
    if changed & set(SITE_ONLY):
        _set_address(out, values)
    errors = {}
    if not str(values.get("nom", stored["nom"])).strip():  # the name: said by the form
        errors["nom"] = f"Ce champ est obligatoire. {BY_NAME['nom'].advice}"
    if changed & {"telephone", "courriel", "niveau"} and not values.get("niveau") and (
            values.get("telephone") or values.get("courriel")):
        errors["niveau"] = f"Ce champ est obligatoire. {BY_NAME['niveau'].advice}"
    return out, errors


def _set_telecom(out: Json, system: str, value: str, level: str) -> None:
    """The first telecom of ``system`` gets the value and level (one is added with its
    channel, an emptied one removed); the others are kept."""
    telecoms = bits.dicts(out.get("telecom"))
    at = next((i for i, t in enumerate(telecoms) if t.get("system") == system), None)
    if not value:
        kept = [t for i, t in enumerate(telecoms) if i != at]
        bits.set_or_drop(out, "telecom", kept)
        return
    telecom = dict(telecoms[at]) if at is not None else {
        "system": system, "extension": [{"url": p.EXT_TELECOM_CHANNEL,
                                         "valueCodeableConcept": bits.concept(
                                             R200, CHANNELS[system])}]}
    telecom["value"] = value
    others = [e for e in bits.dicts(telecom.get("extension"))
              if e.get("url") != p.EXT_TELECOM_CONFIDENTIALITY]
    telecom["extension"] = [*others, {"url": p.EXT_TELECOM_CONFIDENTIALITY,
                                      "valueCodeableConcept": bits.concept(R283, level)}]
    if at is None:
        telecoms.append(telecom)
    else:
        telecoms[at] = telecom
    out["telecom"] = telecoms


def _set_address(out: Json, values: Values) -> None:
    addresses = bits.dicts(out.get("address"))
    address = dict(addresses[0]) if addresses else {}
    line = str(values.get("adresse", ""))
    if [line] != address.get("line"):
        address.pop("_line", None)  # extensions of the old line
        address.pop("text", None)  # the old address as one text
    for key, value in (("line", [line] if line else []),
                       ("postalCode", values.get("code_postal")),
                       ("city", values.get("ville"))):
        bits.set_or_drop(address, key, value)
    bits.set_or_drop(out, "address", [address, *addresses[1:]] if address else addresses[1:])


def new_unit(site: str, region: str | None) -> Json:
    """A new internal unit (ror-internal-organization) under ``site``, with its OI
    identifier ``<region>/OI-<random>`` (the write path gives offers and places theirs;
    units need one to be found by identifier)."""
    local = f"OI-{uuid.uuid4().hex[:10].upper()}"
    body: Json = {"resourceType": "Organization",
                  "meta": {"profile": [p.PROFILE_INTERNAL_ORGANIZATION]},
                  "identifier": [{"type": bits.concept(R345, OI_TYPE), "system": p.SYSTEM_OI,
                                  "value": f"{region or '00'}/{local}"}],
                  "partOf": {"reference": f"Organization/{site}"}}
    if region:
        body["meta"]["tag"] = [{"system": p.TRE_R30_REGION, "code": region}]
    return body


def locate(body: Json) -> list[tuple[str, str]]:
    base = "Organization"
    found = [(f"{base}.name", "nom"), (f"{base}.address", "adresse"),
             (f"{base}.address[0].line", "adresse"),
             (f"{base}.address[0].postalCode", "code_postal"),
             (f"{base}.address[0].city", "ville")]
    for i, telecom in enumerate(bits.dicts(body.get("telecom"))):
        name = {"phone": "telephone", "email": "courriel"}.get(str(telecom.get("system")))
        if name:
            found.append((f"{base}.telecom[{i}]", name))
            for j, ext in enumerate(bits.dicts(telecom.get("extension"))):
                if ext.get("url") == p.EXT_TELECOM_CONFIDENTIALITY:
                    found.append((f"{base}.telecom[{i}].extension[{j}]", "niveau"))
    return found


HINTS = ((p.EXT_TELECOM_CONFIDENTIALITY, "niveau"),)


def shown(name: str, value: Value, terminology: Terminology, names: dict[str, str]) -> str:
    if not value:
        return "—"
    if name == "niveau":
        return LEVELS.label(terminology, str(value))
    return str(value)


def unmanaged(body: Json) -> Json:
    """What the form does not show (the change log lists its changes apart)."""
    rest = {k: v for k, v in body.items()
            if k not in ("name", "address", "telecom", "meta", "id", "resourceType")}
    rest["telecom"] = [t for t in bits.dicts(body.get("telecom"))
                       if t is not _telecom(body, "phone") and t is not _telecom(body, "email")]
    return rest
