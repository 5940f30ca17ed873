"""The offer's hours, contacts and intervention zone in the editor: rows of inputs without a
script (the stored rows, then a few empty ones; a row whose inputs are all emptied is
removed), read and written with the guided entry's own functions (web.entry.values reads
them from a resource, web.entry.build writes them back), so both forms store the same
elements with the ROR extensions:

- hours: ``availableTime`` with the type of time (JDV_J41), the day (1 = Monday … 7),
  start and end, and the dates between which an exception applies;
- contacts: ``ror-healthcareservice-contact`` — what it is for (JDV_J221), the channel
  (JDV_J225), the number or address, a precision and who may see it (JDV_J222, told in
  plain words: web.entry.choices.LEVELS);
- intervention zone: ``ror-territorial-division``, communes (the division type « commune »).

A row is one value of the form's field, encoded as JSON (web.editor.model: values are
strings), so that the comparison with the stored version, the change log and the merge
after a conflict treat it like any other field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from openror.fhir import profiles as p
from openror.terminology import Terminology
from openror.web.editor import bits
from openror.web.editor.model import ROWS, SELECT, TEXT, Field, Value, Values
from openror.web.entry import build, step_hours
from openror.web.entry import choices as c
from openror.web.entry import values as v

Json = dict[str, Any]
HS = "HealthcareService"
#: a field of communes typed one per input (web.entry.choices.read_commune)
COMMUNES: Final = "communes"
#: empty rows drawn under the stored ones
EMPTY_ROWS: Final = 2
#: a form never reads more rows than this (a forged name reads no further)
MAX_ROWS: Final = 100

HOURS: Final = ("type", "day", "start", "end", "from", "to")
CONTACTS: Final = ("purpose", "channel", "value", "description", "level")
#: the inputs of a row: attribute -> (input suffix, what the label says)
HOUR_INPUTS: Final = {"type": ("type", "type"), "day": ("jour", "jour"),
                      "start": ("debut", "de (hh:mm)"), "end": ("fin", "à (hh:mm)"),
                      "from": ("du", "valable du"), "to": ("au", "valable au")}
CONTACT_INPUTS: Final = {"purpose": ("nature", "à quoi il sert"), "channel": ("canal", "moyen"),
                         "value": ("valeur", "numéro ou adresse"),
                         "description": ("precision", "précision"),
                         "level": ("niveau", "qui peut le voir")}

FIELDS: Final[tuple[Field, ...]] = (
    Field("horaires", "Horaires", ROWS, "Une ligne par plage (une matinée, un après-midi) : "
          "le type, le jour, les heures (08:30 ou 8h30) ; une exception (horaires d'été) est "
          "une plage valable entre deux dates. Videz les heures d'une ligne pour la retirer.",
          advice="Indiquez le jour et les heures de début et de fin (hh:mm)."),
    Field("contacts", "Contacts", ROWS, "Les numéros et adresses pour joindre l'offre, chacun "
          "avec qui peut le voir. Videz le numéro et la précision d'une ligne pour la "
          "retirer.", advice="Indiquez le numéro ou l'adresse et qui peut le voir."),
    Field("zones", "Zone d'intervention", COMMUNES, "Les communes où l'offre se déplace "
          "(visites à domicile, équipe mobile) : tapez le nom ou le code postal puis "
          "choisissez ; videz une ligne pour retirer la commune.",
          advice="Choisissez la commune dans la liste (nom et code postal)."),
)


def encode(row: Mapping[str, str], attrs: tuple[str, ...]) -> str:
    return json.dumps({a: row.get(a, "") for a in attrs}, ensure_ascii=False,
                      sort_keys=True)


def decode(text: str, attrs: tuple[str, ...]) -> dict[str, str]:
    try:
        found = json.loads(text)
    except ValueError:
        found = {}
    return {a: str(found.get(a, "")) if isinstance(found, dict) else "" for a in attrs}


# -- reading a resource and a posted form --------------------------------------------------

def values_of(body: Json) -> Values:
    return {
        "horaires": tuple(encode(v.hours_row(t), HOURS) for t in bits.dicts(
            body.get("availableTime"))),
        "contacts": tuple(encode(r, CONTACTS) for r in v.contact_rows(body)),
        "zones": tuple(v.zone_codes(body)),
    }


def input_id(prefix: str, j: int, suffix: str) -> str:
    """The id and name of an input of a row: ``h2-debut``, ``c0-niveau``."""
    return f"{prefix}{j}-{suffix}"


def _rows(form: Mapping[str, str], prefix: str, inputs: Mapping[str, tuple[str, str]],
          filled_by: tuple[str, ...]) -> list[dict[str, str]]:
    found = []
    for j in range(MAX_ROWS):
        row = {a: form.get(input_id(prefix, j, suffix), "").strip()
               for a, (suffix, _) in inputs.items()}
        if any(row[a] for a in filled_by):
            found.append(row)
    return found


def read(form: Mapping[str, str]) -> Values:
    """The three fields of a posted offer form (the entry's readings of hours and dates)."""
    hours = [{**r, "start": step_hours.hhmm(r["start"]), "end": step_hours.hhmm(r["end"]),
              "from": build.date_of(r["from"]), "to": build.date_of(r["to"])}
             for r in _rows(form, "h", HOUR_INPUTS, ("start", "end", "from", "to"))]
    contacts = _rows(form, "c", CONTACT_INPUTS, ("value", "description"))
    prefix = "zones-"
    typed = sorted((int(k[len(prefix):]), x) for k, x in form.items()
                   if k.startswith(prefix) and k[len(prefix):].isdigit())
    zones = (c.read_commune(x) for _, x in typed if x.strip())
    return {"horaires": tuple(encode(r, HOURS) for r in hours),
            "contacts": tuple(encode(r, CONTACTS) for r in contacts),
            "zones": tuple(dict.fromkeys(zones))}


# -- writing back ------------------------------------------------------------------------

def apply(out: Json, name: str, value: Value) -> None:
    """Rebuild the elements of a changed field on ``out`` (the entry's builders)."""
    rows = value if isinstance(value, tuple) else ()
    if name == "horaires":
        bits.set_or_drop(out, "availableTime",
                         [build.hours_entry(decode(r, HOURS)) for r in rows])
    elif name == "contacts":
        build.replace_extension(out, p.EXT_HS_CONTACT,
                                [build.contact_extension(decode(r, CONTACTS)) for r in rows])
        _drop_empty_extensions(out)
    elif name == "zones":
        build.replace_extension(out, p.EXT_TERRITORIAL_DIVISION,
                                [build.zone_extension(code) for code in rows])
        _drop_empty_extensions(out)


def _drop_empty_extensions(out: Json) -> None:
    if not out.get("extension"):
        out.pop("extension", None)


# -- where errors go ------------------------------------------------------------------------

def locate(body: Json) -> list[tuple[str, str]]:
    """(element path, input id) of the rows' parts, for the validation's ``expression``."""
    found = [(f"{HS}.availableTime", "horaires")]
    for j, entry in enumerate(bits.dicts(body.get("availableTime"))):
        root = f"{HS}.availableTime[{j}]"
        found += [(root, input_id("h", j, "debut")),
                  (f"{root}.availableStartTime", input_id("h", j, "debut")),
                  (f"{root}.availableEndTime", input_id("h", j, "fin"))]
        for n, ext in enumerate(bits.dicts(entry.get("extension"))):
            attr = {p.EXT_TYPE_OF_TIME: "type", p.EXT_DAYS_OF_WEEK: "jour",
                    p.EXT_EFFECTIVE_DATES: "du"}.get(str(ext.get("url")), "debut")
            found.append((f"{root}.extension[{n}]", input_id("h", j, attr)))
            if attr == "du":
                found.append((f"{root}.extension[{n}].valuePeriod.end",
                              input_id("h", j, "au")))
    row = 0
    for n, ext in enumerate(bits.dicts(body.get("extension"))):
        root = f"{HS}.extension[{n}]"
        if ext.get("url") == p.EXT_TERRITORIAL_DIVISION:
            found.append((root, "zones"))
        elif ext.get("url") == p.EXT_HS_CONTACT:
            found += _contact(ext, root, row)
            row += max(1, len(v.extensions(ext, p.EXT_HS_CONTACT_TELECOM)))
    return found


def _contact(ext: Json, root: str, first: int) -> list[tuple[str, str]]:
    found = [(root, input_id("c", first, "valeur"))]
    row = first
    for n, part in enumerate(bits.dicts(ext.get("extension"))):
        url, here = part.get("url"), f"{root}.extension[{n}]"
        if url == p.EXT_HS_CONTACT_TELECOM:
            found.append((here, input_id("c", row, "valeur")))
            for u, bit in enumerate(bits.dicts(part.get("extension"))):
                suffix = {p.EXT_TELECOM_CHANNEL: "canal",
                          p.EXT_TELECOM_CONFIDENTIALITY: "niveau"}.get(str(bit.get("url")),
                                                                       "valeur")
                found.append((f"{here}.extension[{u}]", input_id("c", row, suffix)))
            row += 1
        else:
            suffix = {"purposeContact": "nature", "description": "precision",
                      p.EXT_CONFIDENTIALITY: "niveau"}.get(str(url), "valeur")
            found.append((here, input_id("c", first, suffix)))
    return found


def part_fields(values: Values) -> dict[str, Field]:
    """The inputs of the rows as fields: their labels in the summary of errors, and what to
    do when one is refused."""
    found: dict[str, Field] = {}
    hours = values.get("horaires", ())
    for j in range(len(hours) + EMPTY_ROWS):
        for _, (suffix, what) in HOUR_INPUTS.items():
            found[input_id("h", j, suffix)] = Field(
                input_id("h", j, suffix), f"Horaires, plage {j + 1} — {what}",
                SELECT if suffix in ("type", "jour") else TEXT, advice=_HOUR_ADVICE[suffix])
    contacts = values.get("contacts", ())
    for j in range(len(contacts) + EMPTY_ROWS):
        for _, (suffix, what) in CONTACT_INPUTS.items():
            found[input_id("c", j, suffix)] = Field(
                input_id("c", j, suffix), f"Contact {j + 1} — {what}",
                TEXT if suffix in ("valeur", "precision") else SELECT,
                advice=_CONTACT_ADVICE[suffix])
    return found


_HOUR_ADVICE: Final = {
    "type": "Choisissez le type de plage (sur rendez-vous, sans rendez-vous, ouverture).",
    "jour": "Choisissez le jour de la semaine.",
    "debut": "Indiquez l'heure de début au format hh:mm, par exemple 08:30.",
    "fin": "Indiquez l'heure de fin au format hh:mm, après l'heure de début.",
    "du": "Indiquez la date de début de l'exception au format jj/mm/aaaa.",
    "au": "Indiquez la date de fin de l'exception au format jj/mm/aaaa, après son début.",
}
_CONTACT_ADVICE: Final = {
    "nature": "Choisissez à quoi sert ce contact (accueil, prise de rendez-vous…).",
    "canal": "Choisissez le moyen (téléphone, courriel…).",
    "valeur": "Indiquez le numéro ou l'adresse, par exemple 03 23 00 00 00.",
    "precision": "La précision est un texte libre, par exemple « secrétariat ».",
    "niveau": "Choisissez qui peut voir ce contact.",
}


# -- what a version says ------------------------------------------------------------------

def shown(name: str, value: Value, terminology: Terminology) -> str:
    """A field's rows in words, for the change log (« — » when none)."""
    rows = value if isinstance(value, tuple) else ()
    if name == "zones":
        return ", ".join(c.commune_typed(code) for code in rows) or "—"
    lists = c.lists(terminology)
    if name == "horaires":
        return " ; ".join(hour_text(decode(r, HOURS), lists) for r in rows) or "—"
    return " ; ".join(contact_text(decode(r, CONTACTS), lists) for r in rows) or "—"


def hour_text(row: dict[str, str], lists: c.Lists) -> str:
    kinds = {x.code: x.label.lower() for x in lists.hour_types}
    day = c.DAYS.get(int(row["day"]), row["day"]) if row["day"].isdigit() else row["day"]
    text = f"{day or 'chaque jour'} {row['start']}–{row['end']} " \
           f"({kinds.get(row['type'], row['type'] or 'type non précisé')})"
    if row["from"] or row["to"]:
        text += f", du {step_hours.french_date(row['from']) or '…'} au " \
                f"{step_hours.french_date(row['to']) or '…'}"
    return text


def contact_text(row: dict[str, str], lists: c.Lists) -> str:
    purposes = {x.code: x.label for x in lists.purposes}
    level = c.LEVELS.get(row["level"], (row["level"] or "niveau non précisé", ""))[0]
    what = purposes.get(row["purpose"], row["purpose"])
    parts = [x for x in (what, row["value"], row["description"]) if x]
    return f"{' — '.join(parts) or '(vide)'} ({level.lower()})"
