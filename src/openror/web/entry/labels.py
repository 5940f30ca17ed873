"""How a field is named in an error summary: what it belongs to and what it is
(« Médecine générale — Cabinet du Dr Claire VALMONT : Âge minimum »)."""

from __future__ import annotations

import re
from typing import Final

from openror.web.entry import fields
from openror.web.entry.draft import Data

ATTRS: Final = {"purpose": "à quoi il sert", "channel": "moyen", "value": "numéro ou adresse",
                "description": "précision", "level": "qui peut le voir", "type": "type",
                "day": "jour", "start": "début", "end": "fin", "from": "valable du",
                "to": "valable au", "count": "nombre"}
#: the fields of « Ajouter une offre » and « Ajouter un lieu » (web.entry.additions)
ADDITIONS: Final = {"no-structure": "Nouvelle offre : structure",
                    "no-activite": "Nouvelle offre : activité",
                    "no-mode": "Nouvelle offre : mode de prise en charge",
                    "nl-offre": "Nouveau lieu : offre pratiquée dans ce lieu",
                    "nl-nom": "Nouveau lieu : nom"}
_ID = re.compile(r"^([osp])(\d+)-(?:([ceh])(\d+)-)?([a-z_]+?)(?:-(\d+))?$")


def _label(key: str) -> str:
    known = {f.key: f.label for f in fields.FIELDS}
    return known.get(key, ATTRS.get(key, key))


def describe(data: Data, field_id: str) -> str:
    if field_id == "diffusion":
        return fields.field("diffusion").label
    if field_id in ADDITIONS:
        return ADDITIONS[field_id]
    match = _ID.match(field_id)
    if match is None:
        return "Saisie"
    kind, index, row_kind, row, key, item = match.groups()
    n = int(index)
    owners = {"o": data.get("offers", []), "s": data.get("sites", []),
              "p": data.get("places", [])}[kind]
    owner = owners[n]["title"] if n < len(owners) else ""
    if row_kind == "h":
        what = f"Horaires, ligne {int(row) + 1} ({ATTRS.get(key, key)})"
    elif row_kind == "c":
        what = f"Contact {int(row) + 1} ({ATTRS.get(key, key)})"
    elif row_kind == "e":
        what = f"Équipement {int(row) + 1} ({ATTRS.get(key, key)})"
    elif item is not None and key not in ("publics", "modalities"):
        what = f"{_label(key)}, ligne {int(item) + 1}"
    else:
        what = _label(key)
    return f"{owner} : {what}" if owner else what
