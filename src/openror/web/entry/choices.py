"""The choices of the entry's lists, from the terminology the server runs with (the bundled
NOS tables and any release imported on top), and how a typed label is read back as a code.

Search-as-you-type needs no script: a text input with ``list=`` and a ``<datalist>`` of
« label (code) » options, which browsers filter as the person types."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from openror.geo import current_gazetteer
from openror.geo.model import Commune
from openror.terminology import Terminology
from openror.web import typed_codes
from openror.web.entry import fields as f
from openror.web.typed_codes import fold

#: confidentiality levels (JDV_J222) in plain words: (short label, who sees it)
LEVELS: Final[dict[str, tuple[str, str]]] = {
    "1": ("Visible par tous, y compris les sites publics",
          "les patients sur les sites d'information publics, les professionnels et la "
          "régulation"),
    "2": ("Réservé aux professionnels habilités",
          "les professionnels de santé et les services habilités (orientation, régulation), "
          "pas les sites publics"),
    "3": ("Très restreint : régulation et gestion de crise",
          "seulement la régulation médicale (SAMU, SAS) et la gestion de crise, par exemple "
          "un numéro d'astreinte"),
}
#: the « ne pas diffuser » request (SPEC §3.8: profile 0, confidentiality 1, sensitive unit)
DIFFUSION: Final[dict[str, tuple[str, str]]] = {
    "oui": ("Diffuser normalement",
            "Chaque contact suit le niveau choisi pour lui ; votre activité, vos lieux et vos "
            "horaires sont visibles par tous."),
    "non-public": ("Ne pas diffuser sur les sites publics",
                   "Aucun de vos contacts ne sera « visible par tous » : ceux qui le sont "
                   "seront enregistrés « réservés aux professionnels habilités » (niveau de "
                   "confidentialité 2), et les sites publics, qui ne lisent que les données "
                   "ouvertes, n'en verront aucun. Votre activité, vos lieux et vos horaires "
                   "restent visibles, pour que les patients puissent vous être adressés."),
    "restreint": ("Réserver toutes vos offres à la régulation",
                  "Vos offres sont enregistrées comme « unité sensible » : seuls la régulation "
                  "(SAMU, SAS) et les gestionnaires du répertoire les voient ; ni les sites "
                  "publics ni les autres professionnels ne les trouvent, même pour vous "
                  "adresser un patient."),
}
DAYS: Final = {1: "Lundi", 2: "Mardi", 3: "Mercredi", 4: "Jeudi", 5: "Vendredi",
               6: "Samedi", 7: "Dimanche"}
_SUFFIX = re.compile(r"^(.*?)\s*\(([0-9A-Za-z]{1,10})\)\s*$")


@dataclass(frozen=True)
class Choice:
    code: str
    label: str

    @property
    def typed(self) -> str:
        """What the input holds once chosen: « label (code) »."""
        return f"{self.label} ({self.code})"


def value_set(terminology: Terminology, name: str,
              only: Iterable[str] | None = None) -> list[Choice]:
    found = [Choice(c.code, c.display) for c in terminology.expand(name)]
    if only is None:
        return found
    wanted = list(only)
    by_code = {c.code: c for c in found}
    return [by_code[code] for code in wanted if code in by_code]


def acts(terminology: Terminology, outside: bool = False) -> list[Choice]:
    """Specific acts: the loaded JDV_J16, else the template's options."""
    loaded = value_set(terminology, "JDV_J16")
    if loaded:
        return loaded
    return [Choice(code, label) for code, label in
            (f.TEMPLATE_OUTSIDE_ACTS if outside else f.TEMPLATE_ACTS)]


def label_of(choices: list[Choice], code: str) -> str:
    """How a stored code is shown in its input: « label (code) », or as it was typed."""
    for choice in choices:
        if choice.code == code:
            return choice.typed
    return code


def read_code(choices: list[Choice], typed: str) -> str:
    """The code a typed text stands for (web.typed_codes); anything else is kept as typed,
    for validation to refuse next to its field and the step to show back as it was."""
    return typed_codes.read_code(choices, typed, keep_typed=True)


# -- communes (intervention zones) -------------------------------------------------------

def commune_label(commune: Commune) -> str:
    postal = commune.postal_codes[0] if commune.postal_codes else commune.departement
    return f"{commune.name} ({postal})"


def communes_of(departements: Iterable[str]) -> list[str]:
    """« Name (postal code) » of the current communes of these départements."""
    wanted = set(departements)
    return sorted((commune_label(c) for c in current_gazetteer().communes()
                   if c.departement in wanted and c.kind == "COM"), key=fold)


def commune_typed(code: str) -> str:
    """How a stored INSEE code is shown: « Name (postal code) », or as it is."""
    commune = current_gazetteer().commune(code)
    return commune_label(commune) if commune is not None else code


def read_commune(typed: str) -> str:
    """The INSEE code of « Name (postal code) », of « postal code Name », or of an INSEE
    code; anything else is kept as typed (validation refuses it next to its field)."""
    text = typed.strip()
    gazetteer = current_gazetteer()
    match = _SUFFIX.match(text)
    if match and match.group(2).isdigit() and len(match.group(2)) == 5:
        found = gazetteer.find(match.group(2), match.group(1))
        return found.code if found is not None else text
    parts = text.split(maxsplit=1)
    if len(parts) == 2 and parts[0].isdigit() and len(parts[0]) == 5:
        found = gazetteer.find(parts[0], parts[1])
        return found.code if found is not None else text
    if gazetteer.commune(text) is not None:
        return text
    found = gazetteer.find(None, text) if text else None
    return found.code if found is not None else text


@dataclass(frozen=True)
class Lists:
    """Every list of the entry's forms, from one terminology."""

    activities: list[Choice]
    acts: list[Choice]
    outside_acts: list[Choice]
    competences: list[Choice]
    expertise: list[Choice]
    publics: list[Choice]
    equipment: list[Choice]
    modalities: list[Choice]
    accessibility: list[Choice]
    purposes: list[Choice]
    channels: list[Choice]
    hour_types: list[Choice]
    care_modes: list[Choice]


_LISTS: dict[int, tuple[Terminology, Lists]] = {}


def lists(terminology: Terminology) -> Lists:
    """The lists of this terminology (built once: the datalists are long)."""
    cached = _LISTS.get(id(terminology))
    if cached is not None and cached[0] is terminology:
        return cached[1]
    found = Lists(
        activities=value_set(terminology, "JDV_J17"),
        acts=acts(terminology), outside_acts=acts(terminology, outside=True),
        competences=value_set(terminology, "JDV_J33"),
        expertise=value_set(terminology, "JDV_J227"),
        publics=value_set(terminology, "JDV_J29"),
        equipment=value_set(terminology, "JDV_J18"),
        modalities=value_set(terminology, "JDV_J226", f.TEMPLATE_MODALITIES),
        accessibility=value_set(terminology, "JDV_J50"),
        purposes=value_set(terminology, "JDV_J221", f.CONTACT_PURPOSES),
        channels=value_set(terminology, "JDV_J225", f.CONTACT_CHANNELS),
        hour_types=value_set(terminology, "JDV_J41", f.TEMPLATE_HOUR_TYPES),
        care_modes=value_set(terminology, "JDV_J19", (f.CARE_MODE,)))
    _LISTS[id(terminology)] = (terminology, found)
    return found
