"""OF1, OpenROR's own: an offer's age range is a range (checked on write, where it blocks)."""

from __future__ import annotations

from collections.abc import Iterator

from openror.quality import catalog
from openror.quality.directory import Directory
from openror.quality.facts import Offer
from openror.quality.model import Finding


def age_gap(offer: Offer) -> str | None:
    if offer.ages is None or None in offer.ages:
        return None
    low, high = offer.ages
    assert low is not None and high is not None
    if 0 <= low <= high <= catalog.params("OF1")["max_age"]:
        return None
    return f"tranche d'âge {low:g}–{high:g} ans incohérente"


def age_ranges(directory: Directory) -> Iterator[Finding]:
    for offer in directory.offers:
        if offer.ages is None or None in offer.ages:
            continue
        gap = age_gap(offer)
        site = directory.site_of(offer.provider)
        yield Finding("OF1", f"HealthcareService/{offer.id}",
                      "deviating" if gap else "conformant",
                      directory.where(site, region=offer.region, field=offer.field), gap)
