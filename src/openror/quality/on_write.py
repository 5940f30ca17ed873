"""The rules checked when an offer is written (``on_write`` in data/rules.json): a rule of
severity *error* refuses the write (400), the others come back as warnings next to the
stored resource (OperationOutcome issues with the element at fault as ``expression``).

Only what a single write can judge is checked here: the offer itself and its establishment's
category. What needs the FINESS reference or the whole directory waits for the quality run.
"""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa

from openror.errors import Issue, error, warning
from openror.quality import catalog, facts
from openror.quality.directory import Directory
from openror.quality.model import Rule
from openror.quality.requirements import coherence, completeness, consistency
from openror.store.resources import read_current, utcnow
from openror.terminology import Terminology

_MAX_DEPTH = 8


def _organization(conn: sa.Connection, rid: str | None) -> facts.Organization | None:
    if rid is None:
        return None
    stored = read_current(conn, "Organization", rid)
    if stored is None or stored.deleted or stored.content is None:
        return None
    return facts.organization(rid, None, orjson.loads(stored.content), stored.last_updated)


def _site(conn: sa.Connection, provider: str | None) -> tuple[facts.Organization | None,
                                                              facts.Organization | None]:
    """(the provider, the site it is or belongs to)."""
    first = current = _organization(conn, provider)
    for _ in range(_MAX_DEPTH):
        if current is None or current.kind != "unit":
            break
        current = _organization(conn, current.parent)
    return first, current if current is not None and current.kind == "site" else None


def _issue(rule: Rule, what: str) -> Issue:
    text = f"{rule.id} {rule.title} : {what}. {rule.remedy}"
    if rule.severity == "error":
        return error("business-rule", text, rule.path)
    return warning("business-rule", text, rule.path)


class OfferChecks:
    """Registered on the write path by the app (services may not import quality)."""

    rtype = "HealthcareService"

    def __init__(self, terminology: Terminology) -> None:
        self.terminology = terminology

    def __call__(self, conn: sa.Connection, rid: str, body: dict[str, Any]) -> list[Issue]:
        offer = facts.offer(rid, None, body, utcnow())
        provider, site = _site(conn, offer.provider)
        places = {}
        for place_id in offer.places:
            stored = read_current(conn, "Location", place_id)
            if stored is not None and stored.content is not None and not stored.deleted:
                places[place_id] = facts.place(place_id, orjson.loads(stored.content))
        directory = Directory(terminology=self.terminology, places=places)
        return [_issue(catalog.rule(rule_id), what)
                for rule_id, what in self._gaps(directory, offer, provider, site)]

    def _gaps(self, directory: Directory, offer: facts.Offer,
              provider: facts.Organization | None,
              site: facts.Organization | None) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if (gap := consistency.age_gap(offer)) is not None:
            found.append(("OF1", gap))
        if not offer.open:
            return found
        missing, _ = completeness.missing_criteria(directory, offer, site)
        if missing:
            found.append(("PE", "manque : " + ", ".join(missing)))
        if coherence.is_emergency(offer) and (gap := coherence.emergency_gap(offer, None)):
            found.append(("CO1", gap))
        names = [offer.name] + ([provider.name] if provider and provider.kind == "unit" else [])
        excluded = set(catalog.params("CO3")["excluded_categories"])
        if (site is None or site.category not in excluded) and \
                coherence.looks_sensitive(names, offer.activities) and not offer.sensitive:
            found.append(("CO3", "l'offre semble sensible mais n'est pas signalée comme "
                                 "unité sensible"))
        lacking = completeness.medico_social_gaps(offer, site)
        if lacking:
            found.append(("CP5", "manque : " + ", ".join(lacking)))
        return found
