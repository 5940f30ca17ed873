"""Capacity records of a place as typed rows (``search_capacity``), built from its index rows.

A place has a dozen capacity records, each with ten searchable fields. As index rows they are
a hundred rows, and "an available, current, female bed" is a five-way join on them; as typed
rows it is one lookup. The index rows are kept: they answer a single capacity parameter, and
the modifiers the typed rows do not cover (``:text``).
"""

from __future__ import annotations

import itertools
from typing import Any

from openror.errors import InvalidInput, error
from openror.fhir.profiles import nos_url
from openror.fhir.resource_rules import MAX_CAPACITY_COMBINATIONS

#: search parameter -> (column, the NOS system its codes usually have)
TOKEN_COLUMNS: dict[str, tuple[str, str]] = {
    "capacity-status": ("status", nos_url("TRE_R330-TypeStatutCapacite")),
    "capacity-type": ("nature", nos_url("TRE_R329-NatureCapacite")),
    "temporality-capacity": ("temporality", nos_url("TRE_R331-TemporaliteCapacite")),
    "gender-capacity-available": ("gender", nos_url("TRE_R332-GenreCapacite")),
    "capacity-closing-type": ("closing", nos_url("TRE_R333-TypeFermetureCapacite")),
    "additional-bed-type": ("additional", nos_url("TRE_R334-TypeLitSupplementaire")),
    "crisis-type": ("crisis", nos_url("TRE_R336-TypeCrise")),
    "temporary-assignement": ("assignment", nos_url("TRE_R337-AffectationTemporaire")),
}
COUNT, UPDATED = "nb-capacity", "capacity-update-date"
#: beyond this many combinations of codings in one record, the write is refused (validation
#: refuses it first for a ROR place: fhir.resource_rules)
MAX_COMBINATIONS = MAX_CAPACITY_COMBINATIONS

Row = dict[str, Any]


def capacity_rows(owner: dict[str, str], token_rows: list[Row], number_rows: list[Row],
                  date_rows: list[Row]) -> list[Row]:
    """One row per capacity record (per combination of its values, when a field has several:
    a correlated search then holds on a record exactly when it holds on one of its rows)."""
    fields: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for row in token_rows:
        if row["param"] in TOKEN_COLUMNS and row["grp"]:
            column, usual = TOKEN_COLUMNS[row["param"]]
            system = None if row["system"] == usual else row["system"]
            _field(fields, row["grp"], column).append(
                {column: row["code"], f"{column}_system": system})
    for row in number_rows:
        if row["param"] == COUNT and row["grp"]:
            _field(fields, row["grp"], "nb").append({"nb": row["raw"]})
    for row in date_rows:
        if row["param"] == UPDATED and row["grp"]:
            _field(fields, row["grp"], "updated").append(
                {"updated_low": row["low"], "updated_high": row["high"]})
    return [row for grp in sorted(fields) for row in _combinations(owner, grp, fields[grp])]


def _field(fields: dict[int, dict[str, list[Row]]], grp: int, name: str) -> list[Row]:
    return fields.setdefault(grp, {}).setdefault(name, [])


def _combinations(owner: dict[str, str], grp: int, record: dict[str, list[Row]]) -> list[Row]:
    size = 1
    for values in record.values():
        size *= len(values)
    if size > MAX_COMBINATIONS:
        raise InvalidInput([error(
            "too-costly", f"a capacity record has {size} combinations of codings (at most "
            f"{MAX_COMBINATIONS}): give each of its fields one coding",
            "Location.extension")])
    empty = _empty_row()
    rows = []
    for n, parts in enumerate(itertools.product(*record.values())):
        row = {**owner, **empty, "grp": grp, "n": n}
        for part in parts:
            row.update(part)
        rows.append(row)
    return rows


def _empty_row() -> Row:
    row: Row = {"nb": None, "updated_low": None, "updated_high": None}
    for column, _ in TOKEN_COLUMNS.values():
        row[column] = row[f"{column}_system"] = None
    return row
