"""One RPPS line → the professional (:class:`Person`) and their practice (:class:`Practice`).

Only what the ROR needs is read, and checked here so that a bad value is reported as
``line N, field <column>: …`` with the column name a registry clerk knows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from openror.importers.base import Reject
from openror.importers.checkdigits import rpps_problem
from openror.importers.rpps_format import Row
from openror.importers.rpps_mapping import PROFESSIONS

ID_TYPE_RPPS = "8"
ID_TYPE_ADELI = "0"
LIBERAL = "L"
#: TRE_R23 codes of the extraction (JDV_J117): salaried, liberal, volunteer
EXERCISE_MODES = frozenset({"S", "L", "B"})


@dataclass(frozen=True)
class Person:
    idnat: str  # "Identification nationale PP": "8"+RPPS or "0"+ADELI
    family: str
    given: str
    exercise_title: str  # civilité d'exercice (TRE_R11 / JDV_J208), e.g. DR
    civility: str  # civilité (M, MME, MLLE)
    profession: str  # TRE_G15
    profession_label: str
    skill_type: str  # TRE_R04, e.g. S
    skill: str  # e.g. SM54
    skill_label: str

    @property
    def display_name(self) -> str:
        """How the professional is named in offer and cabinet names: "Dr Jeanne MARTIN"."""
        name = " ".join(p for p in (self.given, self.family) if p)
        return f"Dr {name}" if self.exercise_title == "DR" else name

    @property
    def cabinet_name(self) -> str:
        """Name of a cabinet the registry gives no name: "Cabinet du Dr Jeanne MARTIN"."""
        if self.exercise_title == "DR":
            return f"Cabinet du {self.display_name}"
        return f"Cabinet de {self.display_name}"


@dataclass(frozen=True)
class Practice:
    """The practice site of one activity, as the registry's structure columns describe it."""

    structure_id: str  # "Identifiant technique de la structure"
    department: str
    commune: str
    name: str
    siret: str
    finess: str
    national_id: str  # "Ancien identifiant de la structure": idNatStruct (CI-SIS)
    sector: str  # TRE_R02 secteur d'activité, e.g. SA08 cabinet de groupe
    address: dict[str, str]  # column → value for the address columns
    phones: tuple[str, ...]
    fax: str
    email: str

    @property
    def key_value(self) -> str:
        """``<département>/<structure id>``: the scope travels with the key (see scope_of_key)."""
        return f"{self.department}/{self.structure_id}"


def read_person(row: Row) -> Person | Reject:
    idnat = _national_id(row)
    if isinstance(idnat, Reject):
        return idnat
    family, given = row["Nom d'exercice"], row["Prénom d'exercice"]
    if not family:
        return Reject(row.line, "Nom d'exercice", "the professional has no name")
    profession = row["Code profession"]
    if profession not in PROFESSIONS:
        return Reject(row.line, "Code profession",
                      f"unknown profession code {profession!r} (TRE_G15 ProfessionSante)")
    return Person(idnat, family, given, row["Code civilité d'exercice"], row["Code civilité"],
                  profession, row["Libellé profession"] or PROFESSIONS[profession].label,
                  row["Code type savoir-faire"], row["Code savoir-faire"],
                  row["Libellé savoir-faire"])


def _national_id(row: Row) -> str | Reject:
    kind, number, idnat = (row["Type d'identifiant PP"], row["Identifiant PP"],
                           row["Identification nationale PP"])
    if kind not in (ID_TYPE_RPPS, ID_TYPE_ADELI):
        return Reject(row.line, "Type d'identifiant PP",
                      f"identifier type {kind!r} is neither 8 (RPPS) nor 0 (ADELI)")
    if kind == ID_TYPE_RPPS and (problem := rpps_problem(number)) is not None:
        return Reject(row.line, "Identifiant PP", problem)
    if kind == ID_TYPE_ADELI and not (len(number) == 9 and number.isalnum()):
        return Reject(row.line, "Identifiant PP", f"ADELI number {number!r} must have 9 "
                      "characters")
    if idnat != kind + number:
        return Reject(row.line, "Identification nationale PP",
                      f"{idnat!r} should be the identifier type followed by the number "
                      f"({kind + number!r})")
    return idnat


def exercise_mode(row: Row) -> str | Reject:
    """The mode of this activity ("" when the line describes no activity)."""
    mode = row["Code mode exercice"]
    if mode and mode not in EXERCISE_MODES:
        return Reject(row.line, "Code mode exercice",
                      f"unknown exercise mode {mode!r}; expected S, L or B (JDV_J117)")
    return mode


#: (postal code, city) → INSEE commune code, or None when it cannot be told
FindCommune = Callable[[str, str], "str | None"]


def read_practice(row: Row, find_commune: FindCommune) -> Practice | Reject | None:
    """The practice site, None when the line has none, a reject when it cannot be placed.

    Many sites registered by the health-insurance funds have no commune code; it is then
    looked up from the postal code and the city of the address (unambiguous matches only)."""
    structure = row["Identifiant technique de la structure"]
    if not structure:
        return None
    commune = row["Code commune (coord. structure)"] or find_commune(
        row["Code postal (coord. structure)"], city_of(row)) or ""
    if not commune:
        return Reject(row.line, "Code commune (coord. structure)",
                      "the practice site has no commune code (INSEE COG) and its postal code "
                      "and city do not designate one commune; the place of care needs one")
    department = row["Code Département (structure)"] or department_of(commune)
    phones = tuple(p for p in (_digits(row["Téléphone (coord. structure)"]),
                               _digits(row["Téléphone 2 (coord. structure)"])) if p)
    address = {c: row[c] for c in _ADDRESS_COLUMNS if row[c]}
    return Practice(structure, department, commune, row["Enseigne commerciale site"]
                    or row["Raison sociale site"], row["Numéro SIRET site"],
                    row["Numéro FINESS site"], row["Ancien identifiant de la structure"],
                    row["Code secteur d'activité"], address, phones,
                    _digits(row["Télécopie (coord. structure)"]),
                    row["Adresse e-mail (coord. structure)"])


_ADDRESS_COLUMNS = (
    "Complément destinataire (coord. structure)",
    "Complément point géographique (coord. structure)", "Numéro Voie (coord. structure)",
    "Indice répétition voie (coord. structure)", "Libellé type de voie (coord. structure)",
    "Libellé Voie (coord. structure)", "Mention distribution (coord. structure)",
    "Bureau cedex (coord. structure)", "Code postal (coord. structure)",
    "Libellé commune (coord. structure)",
)


def city_of(row: Row) -> str:
    """The city of the address: the commune name, else the bureau distributeur without its
    postal code and CEDEX mention ("01012 BOURG EN BRESSE CEDEX" → "BOURG EN BRESSE")."""
    city = row["Libellé commune (coord. structure)"]
    if city:
        return city
    office, postal = row["Bureau cedex (coord. structure)"], row["Code postal (coord. structure)"]
    if postal and office.startswith(postal):
        office = office[len(postal):]
    return _CEDEX.sub("", office).strip()


_CEDEX = re.compile(r"\s+CEDEX(\s+\d+)?\s*$", re.IGNORECASE)


def department_of(commune: str) -> str:
    """INSEE commune code → département code (3 characters overseas: 971…976)."""
    return commune[:3] if commune.startswith("97") else commune[:2]


def _digits(phone: str) -> str:
    """Phone numbers without the spaces, dots or dashes some registrations contain."""
    return "".join(ch for ch in phone if ch.isdigit() or ch == "+")
