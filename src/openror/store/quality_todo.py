"""Reading the last quality run's deviating results for an owner's « À compléter » list: which
establishments have results, how many units deviate per rule, and the first units of a rule.

A list is about one site (quality_result.site; None: units the run placed in no site, such
as the offers of a practice without a category); ``units``, when given, keeps only those units
(a professional sees the units of their practice they govern, not the whole site's).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from openror.store.quality_tables import quality_result


@dataclass(frozen=True)
class Deviation:
    unit: str  # "<Type>/<id>", or "finess:<number>…" for what is not in the ROR
    detail: str | None  # what deviates, in French


def sites_among(conn: sa.Connection, sites: Collection[str]) -> list[str]:
    """The sites ("Organization/<id>") among ``sites`` that the last run placed units in."""
    qr = quality_result.c
    stmt = sa.select(qr.site).distinct().where(qr.site.in_(sorted(sites))).order_by(qr.site)
    return [str(site) for site in conn.execute(stmt).scalars()]


def sites_of_units(conn: sa.Connection, units: Collection[str]) -> list[str | None]:
    """The sites the last run placed these units in (None: in no site)."""
    qr = quality_result.c
    stmt = sa.select(qr.site).distinct().where(qr.unit.in_(sorted(units)))
    return sorted({site for site in conn.execute(stmt).scalars()},
                  key=lambda site: (site is None, site or ""))


def _deviating(site: str | None, rules: Sequence[str], units: Collection[str] | None
               ) -> list[Any]:
    qr = quality_result.c
    found = [qr.site.is_(None) if site is None else qr.site == site,
             qr.deviating.is_(True), qr.rule.in_(sorted(rules))]
    if units is not None:
        found.append(qr.unit.in_(sorted(units)))
    return found


def counts(conn: sa.Connection, site: str | None, rules: Sequence[str],
           units: Collection[str] | None = None) -> dict[str, int]:
    """Rule -> how many of the site's units deviate from it."""
    qr = quality_result.c
    stmt = (sa.select(qr.rule, sa.func.count()).where(*_deviating(site, rules, units))
            .group_by(qr.rule))
    return {str(rule): int(n) for rule, n in conn.execute(stmt)}


def deviations(conn: sa.Connection, site: str | None, rule: str, limit: int,
               units: Collection[str] | None = None) -> list[Deviation]:
    """The first ``limit`` units of the site deviating from the rule, in the unit's order."""
    qr = quality_result.c
    stmt = (sa.select(qr.unit, qr.detail).where(*_deviating(site, [rule], units))
            .order_by(qr.unit).limit(limit))
    return [Deviation(str(unit), detail) for unit, detail in conn.execute(stmt)]
