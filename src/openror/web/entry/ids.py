"""The ids of the entry's form fields: the HTML ``id`` and ``name`` of each input, the key
of its error in the draft, and the anchor the error summaries link to."""

from __future__ import annotations

from openror.web.entry import fields, messages


def offer(i: int, key: str) -> str:
    return f"o{i}-{key}"


def offer_row(i: int, key: str, j: int) -> str:
    """One row of a repeated offer field (acts, competences, zone…)."""
    return f"o{i}-{key}-{j}"


def hour(i: int, j: int, attr: str) -> str:
    return f"o{i}-h{j}-{attr}"


def site(k: int, key: str) -> str:
    return f"s{k}-{key}"


def contact(k: int, j: int, attr: str) -> str:
    return f"s{k}-c{j}-{attr}"


def place(m: int, key: str) -> str:
    return f"p{m}-{key}"


def equipment(m: int, j: int, attr: str) -> str:
    return f"p{m}-e{j}-{attr}"


def step_of(field_id: str) -> int:
    """The step whose page holds the field (6, the review, for what none holds)."""
    head, _, rest = field_id.partition("-")
    if head in ("no", "nl"):  # « Ajouter une offre » (2), « Ajouter un lieu » (3)
        return 2 if head == "no" else 3
    if field_id == "diffusion" or head.startswith("s"):
        return 4
    if head.startswith("p"):
        return 2 if rest.startswith("e") and rest[1:2].isdigit() else 3
    if head.startswith("o"):
        if rest.startswith("h") and rest[1:2].isdigit():
            return 5
        key = messages.key_of(field_id)
        return fields.step_of(key) if key in {f.key for f in fields.FIELDS} else 6
    return 6
