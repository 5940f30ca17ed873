"""Which offers an establishment has, and in which unit (place) each one is delivered.

A plan is decided before any resource is built, so that places know how many units share a
domain's SAE beds and practitioners know their offer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from openror.datasets.catalog import UNIT_PER_OFFER_FIELDS, Profile, capacity_kind


@dataclass(frozen=True)
class OfferPlan:
    number: int  # 1-based, within the establishment
    activity: str  # J17
    mode: str  # J19
    variant: int  # 0 for the first unit of this activity and mode, 1… for the next ones
    unit: int  # 0: the establishment's own place; n: its n-th synthetic unit


@dataclass(frozen=True)
class UnitPlan:
    number: int
    activity: str  # the activity named by the unit ("" for a shared unit)
    mode: str
    kind: str  # J187: "01" beds, "02" places


def _combos(profile: Profile) -> list[tuple[str, str]]:
    seen: dict[tuple[str, str], None] = {}
    for activity in profile.activities:
        for mode in activity.modes:
            seen.setdefault((activity.code, mode), None)
    return list(seen)


def choose(rng: random.Random, profile: Profile) -> list[tuple[str, str, int]]:
    """(activity, care mode, variant) of each offer: the typical half first, then a random
    sample of the rest; big establishments repeat bed units (several medicine wards)."""
    combos = _combos(profile)
    count = rng.randint(*profile.offers)
    core = max(1, min(len(combos), count) // 2)
    rest = combos[core:]
    picked = combos[:core] + rng.sample(rest, min(len(rest), count - core))
    picked.sort(key=combos.index)
    chosen = [(a, m, 0) for a, m in picked]
    repeatable = [(a, m) for a, m in picked if capacity_kind(m)] or picked
    for extra in range(count - len(chosen)):
        activity, mode = repeatable[extra % len(repeatable)]
        chosen.append((activity, mode, 1 + extra // len(repeatable)))
    return chosen


def plan(rng: random.Random, profile: Profile) -> tuple[list[OfferPlan], list[UnitPlan]]:
    offers: list[OfferPlan] = []
    units: list[UnitPlan] = []
    shared: dict[str, int] = {}  # care mode -> unit number, for fields that share units
    for number, (activity, mode, variant) in enumerate(choose(rng, profile), start=1):
        kind = capacity_kind(mode)
        if kind is None:
            offers.append(OfferPlan(number, activity, mode, variant, 0))
            continue
        if profile.field in UNIT_PER_OFFER_FIELDS:
            units.append(UnitPlan(len(units) + 1, activity, mode, kind))
            unit = len(units)
        elif mode in shared:
            unit = shared[mode]
        else:
            units.append(UnitPlan(len(units) + 1, "", mode, kind))
            unit = shared[mode] = len(units)
        offers.append(OfferPlan(number, activity, mode, variant, unit))
    return offers, units
