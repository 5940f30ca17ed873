"""What to tell the person, in French, when the write path refuses a value: what to do with
the field, and the validation's own words as a technical detail (they name the rule)."""

from __future__ import annotations

import re
from typing import Final

from openror.errors import Issue

#: by the field key (the last part of a field id): what to do
ADVICE: Final[dict[str, str]] = {
    "name": "Indiquez le nom de l'offre.",
    "activity": "Choisissez une activité dans la liste proposée (tapez quelques lettres).",
    "acts": "Choisissez un acte dans la liste proposée, ou videz la ligne.",
    "outside_acts": "Choisissez un acte dans la liste proposée, ou videz la ligne.",
    "competences": "Choisissez une compétence dans la liste proposée, ou videz la ligne.",
    "expertise": "Choisissez un niveau dans la liste, ou « Aucun ».",
    "publics": "Cochez les publics dans la liste.",
    "age_min": "Indiquez l'âge minimum en années, un nombre de 0 à 150 (0,5 : six mois).",
    "age_max": "Indiquez l'âge maximum en années, un nombre de 0 à 150, au moins égal à "
               "l'âge minimum.",
    "comment": "Raccourcissez ou corrigez ce texte.",
    "modalities": "Cochez au moins une modalité.",
    "zone": "Choisissez une commune dans la liste proposée (nom et code postal), ou videz "
            "la ligne.",
    "line": "Indiquez le numéro et la voie.",
    "postal": "Vérifiez le code postal et la ville : la commune n'a pas été trouvée.",
    "city": "Indiquez la ville.",
    "description": "Corrigez ce texte.",
    "type": "Choisissez une valeur dans la liste.",
    "count": "Indiquez un nombre entier, positif ou nul.",
    "purpose": "Choisissez à quoi sert ce contact.",
    "channel": "Choisissez le moyen de contact (téléphone, courriel…).",
    "value": "Indiquez le numéro ou l'adresse, ou videz toute la ligne.",
    "level": "Choisissez qui peut voir ce contact.",
    "mss": "Indiquez une adresse de messagerie sécurisée, ou laissez vide.",
    "diffusion": "Choisissez une option de diffusion.",
    "day": "Choisissez le jour.",
    "start": "Indiquez l'heure de début, par exemple 08:30.",
    "end": "Indiquez l'heure de fin, par exemple 12:30.",
    "from": "Indiquez une date, par exemple 01/07/2026, ou laissez vide.",
    "to": "Indiquez une date, par exemple 31/08/2026, ou laissez vide.",
    "closure_start": "Indiquez une date, par exemple 01/08/2026, ou laissez vide.",
    "closure_end": "Indiquez une date, par exemple 24/08/2026, ou laissez vide.",
    "care_mode": "Le mode de prise en charge est fixé par le modèle de saisie.",
}
#: the status of a refusal that is not about one value
REFUSED: Final[dict[int, str]] = {
    403: "Vous n'avez pas le droit de modifier ceci : ",
    404: "Cette donnée n'existe plus dans le répertoire : ",
    409: "Cette donnée a été modifiée en même temps que votre saisie : ",
    412: "Cette donnée a été modifiée en même temps que votre saisie : ",
}
#: the validation's usual words, in French (others are shown as they are, in English)
_DETAILS: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), french) for pattern, french in (
        (r"expected a (?:number|whole number) \((?:decimal|integer|positiveInt|"
         r"unsignedInt)\), got (.*)$", "la valeur saisie n'est pas un nombre"),
        (r"'(.*)' is not a valid time$", "« \\1 » n'est pas une heure (hh:mm)"),
        (r"'(.*)' is not a valid (?:date|dateTime)$", "« \\1 » n'est pas une date "
                                                       "(jj/mm/aaaa)"),
        (r"empty strings are not allowed", "la valeur est vide"),
        (r"empty objects are not allowed", "la valeur est vide"),
        (r"missing; the ROR profile requires", "cette donnée est obligatoire"),
        (r"code '(.*)' is not in (\S+)", "« \\1 » n'est pas dans la liste \\2"),
        (r"sub-extension '(.*)' of '.*' is missing", "l'élément « \\1 » est obligatoire"),
        (r"ageRange needs both a low and a high age", "il faut un âge minimum et un âge "
                                                       "maximum"),
    ))
_KEY = re.compile(r"^[ospg]\d+-(?:(?:[ceh]\d+-)?)([a-z_]+?)(?:-\d+)?$")


def key_of(field_id: str) -> str:
    """``o0-age_min`` → ``age_min``; ``s1-c2-value`` → ``value``; ``o0-acts-3`` → ``acts``."""
    match = _KEY.match(field_id)
    return match.group(1) if match else field_id


def message(field_id: str, issue: Issue, status: int = 400) -> str:
    """The French message shown next to the field."""
    if issue.code == "business-rule" and not issue.diagnostics.isascii():
        return issue.diagnostics  # the quality rules speak French already
    if status in REFUSED:
        return REFUSED[status] + issue.diagnostics
    advice = ADVICE.get(key_of(field_id), "Corrigez cette valeur.")
    return f"{advice} (Détail : {detail(issue.diagnostics)})"


def detail(diagnostics: str) -> str:
    """The validation's message in French when it is a usual one (the element path that
    starts it is left out: the field says where)."""
    for pattern, french in _DETAILS:
        found = pattern.search(diagnostics)
        if found:
            return found.expand(french)
    return f"détail technique : {diagnostics}"


def add_detail(shown: str, issue: Issue) -> str:
    """A second issue on a field already told what to do: its detail only."""
    more = detail(issue.diagnostics)
    if more in shown:
        return shown
    if shown.endswith(")") and "(Détail : " in shown:
        return f"{shown[:-1]} ; {more})"
    return f"{shown} {more}"
