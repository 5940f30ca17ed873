"""RE1.2: the offers of an establishment are kept up to date (changed or confirmed within
the year)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from openror.quality import catalog
from openror.quality.directory import Directory
from openror.quality.facts import Offer, Organization
from openror.quality.model import Finding


def last_confirmed(directory: Directory, offer: Offer, site: Organization) -> datetime:
    """The later of the offer's last change and its owner's last « tout est à jour »."""
    moments = [offer.last_updated,
               directory.confirmed.get(f"HealthcareService/{offer.id}", offer.last_updated),
               directory.confirmed.get(f"Organization/{site.id}", offer.last_updated)]
    return max(moments)


def required_updates(count: int) -> int:
    """How many offers must be fresh: none of none, one of up to ``small``, else a share."""
    params = catalog.params("RE1.2")
    if count == 0:
        return 0
    if count <= int(params["small"]):
        return 1
    return max(1, round(float(params["share"]) * count))


def _fresh_enough(fresh: int, count: int) -> bool:
    params = catalog.params("RE1.2")
    if count <= params["small"]:
        return fresh >= required_updates(count)
    return round(fresh / count, 2) >= float(params["share"])


def offers_recency(directory: Directory) -> Iterator[Finding]:
    params = catalog.params("RE1.2")
    since = directory.now - timedelta(days=params["days"])
    for site in directory.sites():
        if site.closed or site.category in params["excluded_categories"]:
            continue
        offers = [o for o in directory.offers_of(site.id) if o.open]
        fresh = sum(1 for o in offers if last_confirmed(directory, o, site) >= since)
        ok = _fresh_enough(fresh, len(offers))
        yield Finding("RE1.2", f"Organization/{site.id}", "conformant" if ok else "deviating",
                      directory.where(site),
                      None if ok else f"{fresh} offre(s) sur {len(offers)} à jour depuis un an,"
                      f" {required_updates(len(offers))} attendue(s)")


def capacity_figures(directory: Directory) -> Iterator[Finding]:
    """RE2: a place's availability figures are not older than its activity family allows
    (store.freshness, the same thresholds the API's freshness extension applies)."""
    for place in directory.places.values():
        if place.stale is None:
            continue
        site = directory.site_of_place(place)
        yield Finding("RE2", f"Location/{place.id}",
                      "deviating" if place.stale else "conformant",
                      directory.where(site), place.stale_detail)
