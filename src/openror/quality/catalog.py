"""The rules' descriptions and the reference lists they use, read once from data/rules.json."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from openror.quality.model import Rule

_FIELDS = ("id", "title", "theme", "action", "severity", "unit", "scope", "remedy", "path",
           "anomaly", "on_write", "params")


@cache
def _data() -> dict[str, Any]:
    raw = resources.files("openror.quality").joinpath("data/rules.json").read_bytes()
    data: dict[str, Any] = json.loads(raw)
    return data


@cache
def rules() -> tuple[Rule, ...]:
    return tuple(Rule(**{name: item[name] for name in _FIELDS}) for item in _data()["rules"])


def rule(rule_id: str) -> Rule:
    for candidate in rules():
        if candidate.id == rule_id:
            return candidate
    raise KeyError(rule_id)


def params(rule_id: str) -> dict[str, Any]:
    return rule(rule_id).params


@cache
def category_list(name: str) -> frozenset[str]:
    """A list of establishment categories (``historical``, ``sanitary``, ``city``…)."""
    return frozenset(_data()["categories"][name])


@cache
def field_of_category(category: str | None) -> str | None:
    """The population field (PA, PH, DOM, AMS, COO, VIL) a non-sanitary category counts in."""
    for field, members in _data()["categories"]["fields"].items():
        if category in members:
            return str(field)
    return None


def domain_of_category(category: str | None) -> str:
    """The ROR domain of an establishment category: Sanitaire, Médico-social, Coordination,
    Offre de ville, or Non défini."""
    if category in category_list("sanitary"):
        return "Sanitaire"
    if category in category_list("coordination"):
        return "Coordination"
    if category in category_list("city"):
        return "Offre de ville"
    if category in category_list("historical") or field_of_category(category) == "AMS":
        return "Médico-social"
    return "Non défini"


def tracked(category: str | None) -> bool:
    """Whether the ROR follows establishments of this category (historical perimeter or the
    2023 and 2024 extensions)."""
    return any(category in category_list(name) for name in ("historical", "new_2023", "new_2024"))


@cache
def authorisation_fields() -> dict[str, Any]:
    return dict(_data()["authorisation_fields"])


@cache
def offer_field(champ: str | None) -> str | None:
    """The sanitary field (MCO, SMR, PSY) of an offer's champ d'activité (TRE_R227)."""
    value = _data()["offer_fields"].get(champ or "")
    return None if value is None else str(value)
