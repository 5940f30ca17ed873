"""How a place name is compared: each normalisation is a tiny function, applied in the order of
``NAME_STEPS``. The same steps apply to the gazetteer's names and to the name being looked up,
so "Saint-Quentin", "ST QUENTIN" and "st-quentin cedex 3" all become "SAINT QUENTIN"."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable


def upper_ascii(name: str) -> str:
    """Drop accents and case: "Élancourt" -> "ELANCOURT", "Œuilly" -> "OEUILLY"."""
    if name.isascii():  # most names: skip the Unicode decomposition
        return name.upper()
    name = name.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


_PUNCT = re.compile(r"[-‐‑–—'’`´.,;:/()\"_]")


def punctuation_to_space(name: str) -> str:
    """Hyphens, apostrophes and other punctuation separate words: "L'ISLE-ADAM" -> "L ISLE ADAM"."""
    return _PUNCT.sub(" ", name)


def collapse_spaces(name: str) -> str:
    return " ".join(name.split())


_CEDEX = re.compile(r"\s*\bCEDEX\b(\s*\d+)?")


def drop_cedex(name: str) -> str:
    """A CEDEX routing mention is not part of the place: "LAON CEDEX 2" -> "LAON"."""
    if "CEDEX" not in name:
        return name
    return _CEDEX.sub("", name).strip()


_SAINT = {"ST": "SAINT", "STE": "SAINTE", "STS": "SAINTS", "STES": "SAINTES"}


def expand_saint(name: str) -> str:
    """La Poste abbreviates Saint/Sainte: "ST GERMAIN" -> "SAINT GERMAIN"."""
    return " ".join(_SAINT.get(word, word) for word in name.split(" "))


_ARRONDISSEMENT = re.compile(
    r"^(PARIS|MARSEILLE|LYON) 0?(\d{1,2}) ?(E|EME|ER|ERE|EMME)?( ARR| ARRT| ARRONDISSEMENT)?$")


def canonical_arrondissement(name: str) -> str:
    """Municipal arrondissements have many spellings; keep "PARIS 15" for "Paris 15e
    Arrondissement", "PARIS 15EME" and La Poste's "PARIS 15"."""
    match = _ARRONDISSEMENT.match(name)
    return f"{match[1]} {int(match[2])}" if match else name


#: the normalisations, in the order they are applied
NAME_STEPS: tuple[Callable[[str], str], ...] = (
    upper_ascii,
    punctuation_to_space,
    collapse_spaces,
    drop_cedex,
    expand_saint,
    canonical_arrondissement,
)


def normalise_name(name: str) -> str:
    for step in NAME_STEPS:
        name = step(name)
    return name


def normalise_postal_code(postal_code: str) -> str:
    """Trim it and restore the leading zero lost by spreadsheets ("2000" -> "02000")."""
    code = postal_code.strip().replace(" ", "")
    return code.zfill(5) if code.isdigit() and len(code) == 4 else code


#: collectivities whose postal code borrows Guadeloupe's prefix
_COLLECTIVITY_POSTAL_CODES = {"97133": "977", "97150": "978"}


def departement_of_postal_code(postal_code: str) -> str | None:
    """The département a postal code (or CEDEX code) belongs to, by its leading digits.

    Corsica shares "20": 200xx-201xx are Corse-du-Sud (2A), the rest Haute-Corse (2B).
    Overseas codes take three digits (971 Guadeloupe … 988 Nouvelle-Calédonie), except
    Saint-Barthélemy (97133) and Saint-Martin (97150); Monaco (980xx) has none.
    """
    if len(postal_code) != 5 or not postal_code.isdigit():
        return None
    if postal_code.startswith("20"):
        return "2A" if postal_code < "20200" else "2B"
    if postal_code in _COLLECTIVITY_POSTAL_CODES:
        return _COLLECTIVITY_POSTAL_CODES[postal_code]
    if postal_code.startswith(("97", "98")):
        return None if postal_code.startswith("980") else postal_code[:3]
    return postal_code[:2]
