"""Repeated fields without a script: the rows entered so far, then a few empty ones; the
form says how many rows it drew (``<group>-n``), and « Ajouter des lignes » is a submit
button that saves the draft and draws more empty rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

#: empty rows drawn after the filled ones, and added by each « Ajouter des lignes »
EXTRA, MORE = 1, 2
#: a form never draws more rows than this (a forged count reads no further)
MAX_ROWS = 200


def extra(data: dict[str, Any], group: str) -> int:
    return int(data.get("extra", {}).get(group, EXTRA))


def add(data: dict[str, Any], group: str) -> None:
    data.setdefault("extra", {})[group] = min(extra(data, group) + MORE, 20)


def count(form: Mapping[str, str], group: str) -> int:
    raw = form.get(f"{group}-n", "0")
    return min(int(raw), MAX_ROWS) if raw.isdigit() else 0


def read_values(form: Mapping[str, str], group: str, id_of: Callable[[int], str]
                ) -> list[str]:
    """The non-empty values of a one-input repeated field, in row order."""
    found = (form.get(id_of(j), "").strip() for j in range(count(form, group)))
    return [x for x in found if x]


def read_rows(form: Mapping[str, str], group: str, id_of: Callable[[int, str], str],
              attrs: tuple[str, ...], filled_by: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a repeated group whose ``filled_by`` inputs are not all empty."""
    rows = []
    for j in range(count(form, group)):
        row = {a: form.get(id_of(j, a), "").strip() for a in attrs}
        if any(row[a] for a in filled_by):
            rows.append(row)
    return rows


def shown(rows: list[Any], data: dict[str, Any], group: str, empty: Any) -> list[Any]:
    """The rows to draw: those entered, then the empty ones."""
    return [*rows, *([empty] * extra(data, group))]
