"""Step 6 — everything entered, in words, section by section, each line with the step that
changes it; and what validation will ask of the operator (accessibility) and do with the
« ne pas diffuser » request."""

from __future__ import annotations

from dataclasses import dataclass, field

from openror.web.entry import choices as c
from openror.web.entry import template_use
from openror.web.entry.draft import Data


@dataclass
class Section:
    title: str
    lines: list[tuple[str, str, int]] = field(default_factory=list)  # label, value, step
    anchors: dict[int, str] = field(default_factory=dict)  # step -> where on its page


def _labels(known: list[c.Choice], codes: list[str]) -> str:
    by_code = {x.code: x.label for x in known}
    return ", ".join(by_code.get(code, code) for code in codes) or "—"


def _hours(rows: list[dict[str, str]], lists: c.Lists) -> str:
    kinds = {x.code: x.label.lower() for x in lists.hour_types}
    found = []
    for row in rows:
        day = c.DAYS.get(int(row["day"]), row["day"]) if row["day"].isdigit() else row["day"]
        text = f"{day} {row['start']}–{row['end']} ({kinds.get(row['type'], row['type'])})"
        if row["from"] or row["to"]:
            text += f", du {row['from'] or '…'} au {row['to'] or '…'}"
        found.append(text)
    return " ; ".join(found) or "—"


def offer_section(data: Data, i: int, lists: c.Lists) -> Section:
    offer = data["offers"][i]
    v = data["values"][f"o:{offer['id']}"]
    closure = f"du {v['closure_start'] or '…'} au {v['closure_end'] or '…'}" \
        if v["closure_start"] or v["closure_end"] else "aucune"
    zone = ", ".join(c.commune_typed(code) for code in v["zone"]) or "—"
    return Section(offer["title"], [
        ("Nom de l'offre", v["name"] or "—", 2),
        ("Activité", _labels(lists.activities, [v["activity"]]), 2),
        ("Actes spécifiques", _labels(lists.acts, v["acts"]), 2),
        ("Actes hors du cabinet", _labels(lists.outside_acts, v["outside_acts"]), 2),
        ("Compétences spécifiques", _labels(lists.competences, v["competences"]), 2),
        ("Niveau d'expertise", _labels(lists.expertise, [v["expertise"]] if v["expertise"]
                                       else []), 2),
        ("Publics", _labels(lists.publics, v["publics"]), 2),
        ("Âges", f"de {v['age_min'] or '…'} à {v['age_max'] or '…'} ans", 2),
        ("Informations pratiques", v["comment"] or "—", 2),
        ("Modalités", _labels(lists.modalities, v["modalities"]), 3),
        ("Zone des visites à domicile", zone, 3),
        ("Horaires", _hours(v["hours"], lists), 5),
        ("Fermeture temporaire", closure, 5),
    ], {n: f"offre-{i}" for n in (2, 3, 5)})


def site_section(data: Data, k: int, lists: c.Lists) -> Section:
    site = data["sites"][k]
    v = data["values"][f"s:{site['key']}"]
    purposes = {x.code: x.label for x in lists.purposes}
    lines = [(purposes.get(r["purpose"], "Contact"),
              f"{r['value']}{' — ' + r['description'] if r['description'] else ''} "
              f"({c.LEVELS.get(r['level'], (r['level'] or 'niveau non choisi', ''))[0]})", 4)
             for r in v["contacts"]]
    lines.append(("Messagerie sécurisée", v["mss"] or "—", 4))
    return Section(f"Contacts : {site['title']}", lines, {4: f"site-{k}"})


def place_section(data: Data, m: int, lists: c.Lists) -> Section:
    place = data["places"][m]
    v = data["values"][f"p:{place['id']}"]
    equipment = ", ".join(f"{_labels(lists.equipment, [r['type']])} ({r['count'] or '?'})"
                          for r in v["equipment"]) or "—"
    return Section(f"Lieu : {place['title']}", [
        ("Adresse", f"{v['line']}, {v['postal']} {v['city']}", 3),
        ("Comment venir", v["description"] or "—", 3),
        ("Accessibilité", _labels(lists.accessibility, [v["accessibility"]])
         if v["accessibility"] else "non renseignée", 3),
        ("Équipements", equipment, 2),
    ], {3: f"lieu-{m}", 2: f"p{m}-e"})


#: the field of each line (a site's other lines are its contacts)
KEYS = {"Nom de l'offre": "name", "Activité": "activity", "Actes spécifiques": "acts",
        "Actes hors du cabinet": "outside_acts", "Compétences spécifiques": "competences",
        "Niveau d'expertise": "expertise", "Publics": "publics", "Âges": "age_min",
        "Informations pratiques": "comment", "Modalités": "modalities",
        "Zone des visites à domicile": "zone", "Horaires": "hours",
        "Fermeture temporaire": "closure_start", "Messagerie sécurisée": "mss",
        "Adresse": "line", "Comment venir": "description", "Accessibilité": "accessibility",
        "Équipements": "equipment"}


def _asked(section: Section, form: template_use.FormOf, other: str) -> Section:
    """Only the lines of the fields the entry template asks (web.entry.template_use)."""
    section.lines = [line for line in section.lines
                     if form.shows(KEYS.get(line[0], other))]
    return section


def sections(data: Data, lists: c.Lists) -> list[Section]:
    forms = template_use.forms(data)
    found = [_asked(offer_section(data, i, lists), forms.offer(o["id"]), "name")
             for i, o in enumerate(data["offers"])]
    found += [_asked(site_section(data, k, lists), forms.site(s["key"]), "contacts")
              for k, s in enumerate(data["sites"])]
    found += [_asked(place_section(data, m, lists), forms.place(p["id"]), "line")
              for m, p in enumerate(data["places"]) if p["editable"]]
    return found


def accessibility_changes(data: Data) -> list[str]:
    """Titles of the places whose accessibility validation will propose to the operator."""
    return [p["title"] for p in data["places"]
            if data["values"][f"p:{p['id']}"]["accessibility"]
            and data["values"][f"p:{p['id']}"]["accessibility"]
            != data["base"][f"p:{p['id']}"]["accessibility"]]
