"""Which stored resources a caller may see at all, as SQL over the search index.

A resource is hidden (``access.policy``) when it is outside the caller's regions, when it is a
sensitive unit or hangs off one (its places, the roles in it and their practitioners), when
it is a practitioner or role of an offer whose field of activity the caller's profile does
not cover, or when it is an anomaly (Task) or a steering indicator (MeasureReport) for a
profile that does not see them. Search, includes, reads and history all filter with
``visible``: a hidden resource never matches, is never counted and never comes in through a
reference.

The predicates read the index rows of the *current* versions, which deleted resources do not
have: callers other than ``sees_everything`` see deleted resources only as deletions.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from openror.access import policy
from openror.access.caller import Caller
from openror.access.roles import PROFESSIONAL, REFERENT
from openror.store.schema import resource
from openror.store.search_rows import SENSITIVE_ROW, TRE_R30
from openror.store.search_tables import search_ref, search_token

Ids = sa.Select[Any]

#: the types a regional restriction applies to (terminology and templates are national)
REGIONAL = frozenset({"Organization", "HealthcareService", "Location", "Practitioner",
                      "PractitionerRole", "Task", "MeasureReport"})
REGION_TAG_SYSTEM = TRE_R30  # the system of the region tag (services.metadata)


def visible(rtype: str, caller: Caller, owner: Any) -> sa.ColumnElement[bool] | None:
    """A condition on ``owner`` (an id column of ``rtype`` resources) that holds when the
    caller may see the resource; None when it may see every resource of the type."""
    parts: list[sa.ColumnElement[bool]] = []
    if caller.regions and rtype in REGIONAL:
        parts.append(owner.in_(_in_regions(rtype, caller.regions)))
    if rtype == "Task" and not policy.sees_tasks(caller):
        parts.append(_answerable_tasks(caller, owner))
    if rtype == "MeasureReport" and not policy.sees_indicators(caller):
        parts.append(sa.false())
    if not policy.sees_sensitive_units(caller):
        hidden = _under_sensitive_units(rtype)
        if hidden is not None:
            parts.append(owner.not_in(hidden))
    fields = policy.practitioner_fields(caller)
    if fields is not None and rtype in ("PractitionerRole", "Practitioner"):
        roles = _roles_of_fields(fields)
        parts.append(owner.in_(roles if rtype == "PractitionerRole"
                               else _practitioners_of(roles)))
    return sa.and_(*parts) if parts else None


def hides_any(rtype: str, caller: Caller) -> bool:
    """Whether some resource of the type may be hidden from the caller."""
    return visible(rtype, caller, resource.c.id) is not None


def _in_regions(rtype: str, regions: frozenset[str]) -> Ids:
    t = search_token
    return sa.select(t.c.id).where(t.c.type == rtype, t.c.param == "_tag",
                                   t.c.code.in_(sorted(regions)),
                                   t.c.system == REGION_TAG_SYSTEM)


def _answerable_tasks(caller: Caller, owner: Any) -> sa.ColumnElement[bool]:
    """The anomalies a person answers (services.authorise) without seeing every anomaly:
    a referent's, routed to their organisation or one under it (quality.task_routing routes
    to sites), and a professional's, about their practitioner, their roles or offers all of
    whose roles are theirs."""
    owned = [_tasks_owned_under(g.scope) for g in caller.grants
             if g.role == REFERENT and g.scope] + \
        [_tasks_of_practitioner(g.scope) for g in caller.grants
         if g.role == PROFESSIONAL and g.scope]
    return owner.in_(sa.union(*owned)) if owned else sa.false()


def _ref(rtype: str, param: str, target_type: str) -> tuple[Any, Ids]:
    """An alias of the reference rows and the ids of the sources of one kind of link."""
    r = search_ref.alias()
    return r, sa.select(r.c.id).where(r.c.type == rtype, r.c.param == param,
                                      r.c.target_type == target_type)


def _tasks_owned_under(org: str) -> Ids:
    children = _ref("Organization", "partof", "Organization")
    grandchildren = _ref("Organization", "partof", "Organization")
    level1 = children[1].where(children[0].c.target_id == org)
    level2 = grandchildren[1].where(grandchildren[0].c.target_id.in_(level1))
    r, tasks = _ref("Task", "owner", "Organization")
    return tasks.where(sa.or_(r.c.target_id == org, r.c.target_id.in_(level1),
                              r.c.target_id.in_(level2)))


def _tasks_of_practitioner(practitioner: str) -> Ids:
    role, roles = _ref("PractitionerRole", "practitioner", "Practitioner")
    own_roles = roles.where(role.c.target_id == practitioner)
    served, offers = search_ref.alias(), search_ref.alias()
    others = sa.select(served.c.target_id).where(
        served.c.type == "PractitionerRole", served.c.param == "service",
        served.c.id.not_in(own_roles))
    own_offers = sa.select(offers.c.target_id).where(
        offers.c.type == "PractitionerRole", offers.c.param == "service",
        offers.c.id.in_(own_roles), offers.c.target_id.not_in(others))
    focus = search_ref.alias()
    return sa.select(focus.c.id).where(
        focus.c.type == "Task", focus.c.param == "focus", sa.or_(
            sa.and_(focus.c.target_type == "Practitioner", focus.c.target_id == practitioner),
            sa.and_(focus.c.target_type == "PractitionerRole",
                    focus.c.target_id.in_(own_roles)),
            sa.and_(focus.c.target_type == "HealthcareService",
                    focus.c.target_id.in_(own_offers))))


def _sensitive_services() -> Ids:
    t = search_token
    return sa.select(t.c.id).where(t.c.type == "HealthcareService",
                                   t.c.param == SENSITIVE_ROW["param"],
                                   t.c.code == SENSITIVE_ROW["code"])


def _roles_of(services: Ids) -> Ids:
    r = search_ref.alias()
    return sa.select(r.c.id).where(r.c.type == "PractitionerRole", r.c.param == "service",
                                   r.c.target_type == "HealthcareService",
                                   r.c.target_id.in_(services))


def _practitioners_of(roles: Ids) -> Ids:
    r = search_ref.alias()
    return sa.select(r.c.target_id).where(r.c.type == "PractitionerRole",
                                          r.c.param == "practitioner",
                                          r.c.target_type == "Practitioner", r.c.id.in_(roles))


def _under_sensitive_units(rtype: str) -> Ids | None:
    """The ids of ``rtype`` resources that are, or hang off, a sensitive unit."""
    services = _sensitive_services()
    if rtype == "HealthcareService":
        return services
    if rtype == "Location":  # a place shared with a sensitive unit is hidden with it
        r = search_ref.alias()
        return sa.select(r.c.target_id).where(r.c.type == "HealthcareService",
                                              r.c.param == "location",
                                              r.c.target_type == "Location",
                                              r.c.id.in_(services))
    if rtype == "PractitionerRole":
        return _roles_of(services)
    if rtype == "Practitioner":
        return _practitioners_of(_roles_of(services))
    return None


def _services_of_fields(fields: frozenset[str]) -> Ids:
    """The offers whose field of activity (TRE_R227) is one of ``fields``."""
    t = search_token
    return sa.select(t.c.id).where(t.c.type == "HealthcareService",
                                   t.c.param == "service-type",
                                   t.c.code.in_(sorted(fields)),
                                   t.c.system == policy.FIELD_SYSTEM)


def _roles_of_fields(fields: frozenset[str]) -> Ids:
    return _roles_of(_services_of_fields(fields))


def medico_social(conn: sa.Connection, rtype: str, rid: str) -> bool:
    """Whether the resource belongs to the medico-social field (profile 3 sees more of it):
    an offer of that field, or a place or role of one. Organizations count as not: their
    offers may be of several fields."""
    r = search_ref
    ms = _services_of_fields(frozenset({policy.FIELD_MEDICO_SOCIAL}))
    if rtype == "HealthcareService":
        query = ms.where(search_token.c.id == rid)
    elif rtype == "Location":
        query = sa.select(r.c.id).where(r.c.type == "HealthcareService", r.c.param == "location",
                                        r.c.target_id == rid, r.c.id.in_(ms))
    elif rtype == "PractitionerRole":
        query = sa.select(r.c.id).where(r.c.type == "PractitionerRole", r.c.param == "service",
                                        r.c.id == rid, r.c.target_id.in_(ms))
    else:
        return False
    return conn.execute(query.limit(1)).first() is not None


def medico_social_ids(rtype: str) -> Ids | None:
    """The ids of the ``rtype`` resources ``medico_social`` holds for, all at once (an
    export); None for a type it never holds for."""
    r = search_ref
    ms = _services_of_fields(frozenset({policy.FIELD_MEDICO_SOCIAL}))
    if rtype == "HealthcareService":
        return ms
    if rtype == "Location":
        return sa.select(r.c.target_id).where(r.c.type == "HealthcareService",
                                              r.c.param == "location", r.c.id.in_(ms))
    if rtype == "PractitionerRole":
        return sa.select(r.c.id).where(r.c.type == "PractitionerRole", r.c.param == "service",
                                       r.c.target_id.in_(ms))
    return None


def feed_condition(caller: Caller, type_column: Any, id_column: Any, action_column: Any
                   ) -> sa.ColumnElement[bool] | None:
    """For history and the change feed: the entries of resources that are live and visible
    now, and deletions (without content, they only name the resource). None: every entry."""
    per_type = {t: visible(t, caller, id_column) for t in sorted(REGIONAL)}
    if all(condition is None for condition in per_type.values()):
        return None
    live = sa.exists(sa.select(resource.c.id).where(
        resource.c.type == type_column, resource.c.id == id_column,
        resource.c.deleted.is_(False)))
    seen = sa.or_(type_column.not_in(sorted(REGIONAL)), *(
        sa.and_(type_column == t, condition if condition is not None else sa.true())
        for t, condition in per_type.items()))
    return sa.or_(action_column == "delete", sa.and_(live, seen))


def is_visible(conn: sa.Connection, rtype: str, rid: str, caller: Caller) -> bool:
    condition = visible(rtype, caller, resource.c.id)
    if condition is None:
        return True
    found = sa.select(resource.c.id).where(resource.c.type == rtype, resource.c.id == rid,
                                           resource.c.deleted.is_(False), condition)
    return conn.execute(found).first() is not None


def places_of_fields(fields: frozenset[str]) -> Ids:
    """The places of the offers whose field of activity is one of ``fields``."""
    r = search_ref
    return sa.select(r.c.target_id).where(
        r.c.type == "HealthcareService", r.c.param == "location",
        r.c.target_type == "Location", r.c.id.in_(_services_of_fields(fields)))


def places_of_activity(codes: frozenset[str]) -> Ids:
    """The places of the offers of these operational activities (TRE_R211, ``specialty``)."""
    r, t = search_ref, search_token
    offers = sa.select(t.c.id).where(t.c.type == "HealthcareService", t.c.param == "specialty",
                                     t.c.code.in_(sorted(codes)))
    return sa.select(r.c.target_id).where(
        r.c.type == "HealthcareService", r.c.param == "location",
        r.c.target_type == "Location", r.c.id.in_(offers))
