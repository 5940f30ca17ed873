"""What an establishment of a given FINESS category (TRE_R66) plausibly offers.

A :class:`Profile` lists the operational activities (JDV_J17) of a kind of establishment, the
care modes (JDV_J19) each is delivered in, the public (JDV_J29) and ages, how many offers such
an establishment has, and who works there. The tables are in ``catalog_data``; categories
with no entry get the generic profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

#: care modes (JDV_J19) whose offers live in a unit with beds (J187 "01") or places ("02")
BED_MODES = frozenset({"28", "34", "13", "14", "46"})
PLACE_MODES = frozenset({"29", "09", "30", "31", "47", "48"})
#: fields (J20) where every bed or place offer has its own unit (a ward, an EHPAD's protected
#: unit); in the others (ville, social) the offers of one care mode share a unit
UNIT_PER_OFFER_FIELDS = frozenset({"01", "02", "03", "04"})


@dataclass(frozen=True)
class Activity:
    code: str  # JDV_J17
    modes: tuple[str, ...]  # JDV_J19 care modes, one offer each


@dataclass(frozen=True)
class Profile:
    name: str
    field: str  # JDV_J20 champ d'activité
    activities: tuple[Activity, ...]  # most typical first
    offers: tuple[int, int]  # how many offers (inclusive range)
    publics: tuple[str, ...]  # JDV_J29
    ages: tuple[int, int]
    staff_per_offer: float  # practitioners per offer (mean)
    exercise: str  # TRE_R23 exercise mode of the roles: S salaried, L liberal
    equipment: tuple[str, ...] = ()  # JDV_J18 codes a unit may have
    unit_size: tuple[int, int] = (10, 30)  # beds or places of a unit without SAE figures


def activities(spec: str) -> tuple[Activity, ...]:
    """``"083:28,29,32 085:28"`` → activities (compact table notation)."""
    found = []
    for item in spec.split():
        code, _, modes = item.partition(":")
        found.append(Activity(code, tuple(modes.split(","))))
    return tuple(found)


@cache
def by_category() -> dict[str, Profile]:
    from openror.datasets.catalog_data import CATEGORIES, PROFILES

    return {code: PROFILES[name] for name, codes in CATEGORIES.items() for code in codes}


def profile_for(category: str) -> Profile:
    from openror.datasets.catalog_data import PROFILES

    return by_category().get(category, PROFILES["other"])


def capacity_kind(mode: str) -> str | None:
    """J187 nature of the capacity an offer in this care mode has: "01" beds, "02" places."""
    if mode in BED_MODES:
        return "01"
    if mode in PLACE_MODES:
        return "02"
    return None
