"""The synthetic content of one establishment: units, offers, professionals, anomalies.

Resources come out in import order (places, offers, practitioners, roles, tasks), so that
every reference points to something already written.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Iterator
from typing import Any

from openror.datasets import anomalies, ids, offers, people, places, plans
from openror.datasets.catalog import Profile
from openror.datasets.context import Site
from openror.datasets.sae import Facts

#: share of establishments with an open anomaly, and the business statuses they are in
ANOMALY_RATE = 0.02
ANOMALY_STATUSES = ("02", "05", "01", "08", "06")


@dataclasses.dataclass
class Content:
    units: list[plans.UnitPlan]
    offer_plans: list[plans.OfferPlan]


def content(rng: random.Random, site: Site, profile: Profile) -> Content:
    offer_plans, units = plans.plan(rng, profile)
    if not site.commune:  # a place needs its commune: deliver everything at the site itself
        offer_plans = [dataclasses.replace(o, unit=0) for o in offer_plans]
        units = []
    return Content(units, offer_plans)


def generate(rng: random.Random, site: Site, profile: Profile, facts: Facts | None,
             next_rpps: Callable[[], str]) -> Iterator[dict[str, Any]]:
    plan = content(rng, site, profile)
    shares = places.unit_counts(plan.units)
    equipment = places.equipment(rng, plan.units, profile, facts)
    for unit in plan.units:
        beds = places.size(rng, unit, profile, facts, shares)
        yield places.place(site, unit, beds, equipment.get(unit.number, []), rng)
    maternity = facts.maternity if facts else ""
    built = [offers.offer(site, profile, o, rng, maternity) for o in plan.offer_plans]
    yield from built
    yield from staff(rng, site, profile, built, next_rpps)
    if rng.random() < ANOMALY_RATE:
        focus = f"HealthcareService/{built[0]['id']}" if built else site.site_ref
        yield anomalies.task(ids.task_id(site.finess, 1), site.region, focus,
                             rng.randrange(len(anomalies.KINDS)),
                             rng.choice(ANOMALY_STATUSES), site.moment[:10])


def staff(rng: random.Random, site: Site, profile: Profile, built: list[dict[str, Any]],
          next_rpps: Callable[[], str]) -> Iterator[dict[str, Any]]:
    """Practitioners first, then their roles (one per offer worked in; some work in two)."""
    roles: list[dict[str, Any]] = []
    for offer in built:
        activity = offer["specialty"][0]["coding"][0]["code"]
        for _ in range(int(profile.staff_per_offer + rng.random())):
            rpps = next_rpps()
            yield people.practitioner(site, people.person(rng, rpps, activity))
            roles.append(people.role(site, rpps, 1, offer, profile.exercise))
            if len(built) > 1 and rng.random() < 0.1:
                other = rng.choice([o for o in built if o is not offer])
                roles.append(people.role(site, rpps, 2, other, profile.exercise))
    yield from roles
