"""Layout of the RPPS open-data file ``PS_LibreAcces_Personne_activite``.

One header line of 52 column names, then one line per (person, activity); values are separated
by ``|`` and every line ends with a trailing ``|``. The file is UTF-8; older extractions were
ISO-8859-1, so a line that is not valid UTF-8 is read as Latin-1 (a Latin-1 line that happens
to be valid UTF-8 is plain ASCII, which reads the same either way).

Columns are found by name, not by position, so a reordered extraction still reads; a header
without ``|`` or with a missing column makes the whole file unreadable (one reject, line 1).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from openror.importers.base import Reject

SEPARATOR = "|"

COLUMNS: tuple[str, ...] = (
    "Type d'identifiant PP", "Identifiant PP", "Identification nationale PP",
    "Code civilité d'exercice", "Libellé civilité d'exercice", "Code civilité",
    "Libellé civilité", "Nom d'exercice", "Prénom d'exercice", "Code profession",
    "Libellé profession", "Code catégorie professionnelle",
    "Libellé catégorie professionnelle", "Code type savoir-faire", "Libellé type savoir-faire",
    "Code savoir-faire", "Libellé savoir-faire", "Code mode exercice", "Libellé mode exercice",
    "Numéro SIRET site", "Numéro SIREN site", "Numéro FINESS site",
    "Numéro FINESS établissement juridique", "Identifiant technique de la structure",
    "Raison sociale site", "Enseigne commerciale site",
    "Complément destinataire (coord. structure)",
    "Complément point géographique (coord. structure)", "Numéro Voie (coord. structure)",
    "Indice répétition voie (coord. structure)", "Code type de voie (coord. structure)",
    "Libellé type de voie (coord. structure)", "Libellé Voie (coord. structure)",
    "Mention distribution (coord. structure)", "Bureau cedex (coord. structure)",
    "Code postal (coord. structure)", "Code commune (coord. structure)",
    "Libellé commune (coord. structure)", "Code pays (coord. structure)",
    "Libellé pays (coord. structure)", "Téléphone (coord. structure)",
    "Téléphone 2 (coord. structure)", "Télécopie (coord. structure)",
    "Adresse e-mail (coord. structure)", "Code Département (structure)",
    "Libellé Département (structure)", "Ancien identifiant de la structure",
    "Autorité d'enregistrement", "Code secteur d'activité", "Libellé secteur d'activité",
    "Code section tableau pharmaciens", "Libellé section tableau pharmaciens",
)


@dataclass(frozen=True)
class Row:
    """One data line: its 1-based line number and its values by column name (stripped)."""

    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")


def decode(raw: bytes) -> str:
    """One line of bytes as text: UTF-8, else Latin-1 (never fails)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def split_line(text: str) -> list[str]:
    """Values of one line, without the trailing empty value the final ``|`` produces."""
    parts = text.rstrip("\r\n").split(SEPARATOR)
    if parts and parts[-1] == "":
        parts.pop()
    return parts


def header_problem(text: str) -> str | None:
    """What is wrong with the header line, or None."""
    names = [name.strip() for name in split_line(text.lstrip("\ufeff"))]
    if len(names) < 2:
        found = next((s for s in (";", "\t", ",") if s in text), None)
        hint = f" (found {found!r})" if found else ""
        return (f"the header is not separated by '{SEPARATOR}'{hint}; this is not a "
                "PS_LibreAcces_Personne_activite file")
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        shown = ", ".join(repr(c) for c in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        return f"the header lacks {len(missing)} column(s): {shown}{more}"
    return None


def read_rows(path: Path) -> Iterator[Row | Reject]:
    """Rows of one file, or rejects for its unreadable lines (header first)."""
    with path.open("rb") as handle:
        header = decode(handle.readline())
        problem = header_problem(header)
        if problem is not None:
            yield Reject(1, "header", problem)
            return
        names = [name.strip() for name in split_line(header.lstrip("\ufeff"))]
        for number, raw in enumerate(handle, start=2):
            text = decode(raw)
            if not text.strip():
                continue  # blank lines (a final newline, an editor's trailing line)
            yield _row(number, names, text)


def _row(number: int, names: list[str], text: str) -> Row | Reject:
    values = split_line(text)
    if len(values) < len(names):
        return Reject(number, "line", f"truncated line: {len(values)} values instead of "
                      f"{len(names)}; the file was probably cut, extract it again")
    if len(values) > len(names):
        return Reject(number, "line", f"{len(values)} values instead of {len(names)}; a value "
                      f"probably contains '{SEPARATOR}'")
    return Row(number, {name: value.strip() for name, value in zip(names, values, strict=True)})
