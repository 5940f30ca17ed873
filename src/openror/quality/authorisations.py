"""FINESS authorisations as the rules read them: which still count, and the sanitary fields
(MCO, SMR, PSY) they open (ror-quality.md A.1.5)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from openror.quality import catalog
from openror.store.finess_reference import Authorisation


def valid(items: Iterable[Authorisation]) -> list[Authorisation]:
    """Those that count: every authorisation active after 1 May 2021 was extended by the
    authorisation reform, so only an end before that date removes one."""
    limit = date.fromisoformat(catalog.authorisation_fields()["valid_after"])
    return [a for a in items if a.end_date is None or a.end_date >= limit]


def holds(items: Iterable[Authorisation], pairs: Iterable[Iterable[str]]) -> bool:
    """Whether one of the (activity, modality) pairs is authorised."""
    wanted = {tuple(pair) for pair in pairs}
    return any((a.activity, a.modality) in wanted for a in valid(items))


def fields(items: Iterable[Authorisation]) -> set[str]:
    """The sanitary fields the authorisations open."""
    table = catalog.authorisation_fields()
    found: set[str] = set()
    for item in valid(items):
        if item.form == table["home_hospitalisation_form"] and item.activity != "04":
            found.add("MCO")
        for name in ("MCO", "SMR", "PSY"):
            if item.activity in table[name] and not (
                    name == "SMR" and item.form == table["home_hospitalisation_form"]):
                found.add(name)
    return found
