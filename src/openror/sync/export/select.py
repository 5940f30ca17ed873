"""Which resources of each type an export holds, as SQL over the search index (the state of
the snapshot), for one caller: what it may not see is never selected (``store.visibility``
through ``search.scope``).

- a type without ``_typeFilter``: every live resource of it the caller may see;
- with ``_typeFilter``: the matches of its searches (OR), exactly as a search would find them;
- ``_since``: only resources changed after it;
- ``_myCompleteExtract``: the selected offers (HealthcareService) and their graph: the
  organisations providing them and all their parents (``partOf``), their places, the roles in
  them and those roles' practitioners. With ``_since``, an offer is selected when it or any
  member of its graph changed after it (a new parent name is seen by graph consumers), and is
  exported with its whole graph.

Must be built under ``search.scope.searching_as(caller)``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

import sqlalchemy as sa

from openror.search import guard, scope
from openror.search.parse import parse_query
from openror.search.sql import all_of, live_ids
from openror.store.schema import resource
from openror.store.search_tables import search_ref
from openror.sync.export.request import ExportRequest

Ids = sa.Select[Any]


def selections(request: ExportRequest) -> dict[str, Ids | None]:
    """Type -> the ids to export (None: every live resource of the type the caller may
    see, changed after ``since`` when there is one)."""
    chosen: dict[str, Ids | None] = {}
    for rtype in request.types:
        chosen[rtype] = _filtered(rtype, request.filters_of(rtype))
    if request.complete:
        chosen.update(_graph(_offers(chosen["HealthcareService"], request.since)))
    return chosen


def check(request: ExportRequest) -> None:
    """Refuse (403) the filters on fields the caller may not search on, as a search would."""
    for rtype, query in request.type_filters:
        guard.check(scope.caller(), parse_query(rtype, parse_qsl(query, keep_blank_values=True),
                                                strict=True))


def since_applies(request: ExportRequest, rtype: str) -> bool:
    """Whether ``_since`` is a condition on the resource itself (not in a complete extract,
    where the graph decides)."""
    return request.since is not None and not (request.complete and rtype in _GRAPH_MEMBERS)


def _filtered(rtype: str, queries: list[str]) -> Ids | None:
    if not queries:
        return None
    matches = [all_of(rtype, parse_query(rtype, parse_qsl(q, keep_blank_values=True),
                                         strict=True).criteria) for q in queries]
    return matches[0] if len(matches) == 1 else sa.select(sa.union(*matches).subquery().c.id)


def _visible_live(rtype: str) -> Ids:
    return live_ids(rtype).where(*scope.visible(rtype, resource.c.id))


def _offers(filtered: Ids | None, since: datetime | None) -> Ids:
    offers = filtered if filtered is not None else _visible_live("HealthcareService")
    if since is None:
        return offers
    chosen = offers.subquery()
    return sa.select(chosen.c.id).where(chosen.c.id.in_(sa.union(*_changed_offers(since))))


_GRAPH_MEMBERS = ("HealthcareService", "Organization", "Location", "PractitionerRole",
                  "Practitioner")


def _changed(rtype: str, since: datetime) -> Ids:
    other = resource.alias()
    return sa.select(other.c.id).where(other.c.type == rtype, other.c.deleted.is_(False),
                                       other.c.last_updated > since)


def _refs(rtype: str, param: str, target: str) -> Any:
    r = search_ref.alias()
    return r, sa.select(r.c.id).where(r.c.type == rtype, r.c.param == param,
                                      r.c.target_type == target)


def _changed_offers(since: datetime) -> list[Ids]:
    """The offers whose graph has a member changed after ``since``."""
    orgs = _with_descendants(_changed("Organization", since))
    by_org, of_org = _refs("HealthcareService", "organization", "Organization")
    by_place, of_place = _refs("HealthcareService", "location", "Location")
    role = search_ref.alias()
    worker, workers = _refs("PractitionerRole", "practitioner", "Practitioner")
    changed_roles = sa.union(_changed("PractitionerRole", since), workers.where(
        worker.c.target_id.in_(_changed("Practitioner", since))))
    return [_changed("HealthcareService", since),
            of_org.where(by_org.c.target_id.in_(orgs)),
            of_place.where(by_place.c.target_id.in_(_changed("Location", since))),
            sa.select(role.c.target_id).where(
                role.c.type == "PractitionerRole", role.c.param == "service",
                role.c.target_type == "HealthcareService", role.c.id.in_(changed_roles))]


def _with_descendants(orgs: Ids) -> Ids:
    """``orgs`` and every organisation under them (``partOf``, any depth)."""
    found = orgs.cte("changed_orgs", recursive=True)
    r = search_ref.alias()
    found = found.union(sa.select(r.c.id).select_from(r.join(found, r.c.target_id == found.c.id))
                        .where(r.c.type == "Organization", r.c.param == "partof",
                               r.c.target_type == "Organization"))
    return sa.select(found.c.id)


def _graph(offers: Ids) -> dict[str, Ids]:
    """The offers and each member type of their graph, as the caller may see them."""
    by_org = search_ref.alias()
    direct = sa.select(by_org.c.target_id.label("id")).where(
        by_org.c.type == "HealthcareService", by_org.c.param == "organization",
        by_org.c.target_type == "Organization", by_org.c.id.in_(offers))
    orgs = direct.cte("graph_orgs", recursive=True)
    up = search_ref.alias()
    orgs = orgs.union(sa.select(up.c.target_id).select_from(up.join(orgs, up.c.id == orgs.c.id))
                      .where(up.c.type == "Organization", up.c.param == "partof",
                             up.c.target_type == "Organization"))
    place = search_ref.alias()
    places = sa.select(place.c.target_id).where(
        place.c.type == "HealthcareService", place.c.param == "location",
        place.c.target_type == "Location", place.c.id.in_(offers))
    role, roles = _refs("PractitionerRole", "service", "HealthcareService")
    in_offers = roles.where(role.c.target_id.in_(offers))
    worker = search_ref.alias()
    workers = sa.select(worker.c.target_id).where(
        worker.c.type == "PractitionerRole", worker.c.param == "practitioner",
        worker.c.target_type == "Practitioner", worker.c.id.in_(in_offers))
    members = {"Organization": sa.select(orgs.c.id), "Location": places,
               "PractitionerRole": in_offers, "Practitioner": workers}
    return {"HealthcareService": offers, **members}
