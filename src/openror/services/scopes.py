"""Whether a professional's or a referent's role covers a resource, by its place in the
hierarchy (docs/api/authentication.md, "Roles of people").

- a **referent** of Organization O governs O and the organisations under it (``partOf``),
  the offers they provide (``providedBy``), the places of those offers, and the roles in
  them; a place no offer uses yet, by its ``managingOrganization`` (else its ``partOf``
  place). A place is governed only when *every* offer using it is;
- a **professional** governs their Practitioner, their roles, the offers in which every role
  is theirs, and the places of those offers (again: every offer using the place);
- either governs an anomaly (Task) whose focus it governs (what it may change of it is
  decided by services.authorise and the workflow rule);
- a **professional** may also *found* an offer of their practice — provided by an
  organisation at which they hold a liberal role (exercise mode ``L``) — and a place for
  their offers (``may_found``): the write is allowed on the condition, checked at commit
  (``founded``), that the new offer is then theirs (it has roles, all theirs) and the new
  place used only by offers of theirs. An offer is thus created only together with their
  role in it; nothing else becomes theirs.

Every decision is made on a :class:`View`: the stored links, except the written resource's
own, which come from its body before or after the write.
"""

from __future__ import annotations

from typing import Any

import orjson

from openror.access.caller import Grant
from openror.access.roles import PROFESSIONAL, REFERENT
from openror.fhir.profiles import EXT_EXERCISE_MODE
from openror.store.hierarchy import Graph, body_targets, reference_of
from openror.store.resources import read_current

#: organisation chains are a few levels deep; this bounds a walk through bad data (cycles)
MAX_DEPTH = 16
HS, ROLE = "HealthcareService", "PractitionerRole"

#: links by which a resource takes another into its owner's scope (an offer its places, a
#: role its offer): adding one needs the rights on the target as it stands
OWNING_LINKS = (("HealthcareService", "location", "Location"), (ROLE, "service", HS))


class View:
    """The links as they stand with ``body`` as the version of ``rtype/rid`` (None: the
    resource does not exist in this view)."""

    def __init__(self, graph: Graph, rtype: str, rid: str, body: dict[str, Any] | None):
        self.graph, self.key, self.body = graph, (rtype, rid), body

    def targets(self, rtype: str, rid: str, param: str) -> list[str]:
        if (rtype, rid) != self.key:
            return self.graph.targets(rtype, rid, param)
        return [] if self.body is None else body_targets(self.body, rtype, param)

    def referrers(self, source_type: str, param: str, target_type: str,
                  target_id: str) -> list[str]:
        found = {i for i in self.graph.referrers(source_type, param, target_type, target_id)
                 if (source_type, i) != self.key}
        if (self.key[0] == source_type and self.body is not None
                and target_id in body_targets(self.body, source_type, param)):
            found.add(self.key[1])
        return sorted(found)


def governs(grant: Grant, view: View, rtype: str, rid: str) -> bool:
    if grant.scope is None:
        return False
    if rtype == "Task":
        focus = _focus(view, rid)
        return focus is not None and focus[0] != "Task" and governs(grant, view, *focus)
    if grant.role == REFERENT:
        return _referent(view, grant.scope, rtype, rid, 0)
    if grant.role == PROFESSIONAL:
        return _professional(view, grant.scope, rtype, rid)
    return False


def _focus(view: View, rid: str) -> tuple[str, str] | None:
    """The literal focus of the Task being written (a logical one governs nothing)."""
    if view.key != ("Task", rid) or view.body is None:
        return None
    return reference_of(view.body.get("focus"))


# -- referent --------------------------------------------------------------------------

def _under(view: View, org: str, anchor: str, depth: int) -> bool:
    if org == anchor:
        return True
    return depth < MAX_DEPTH and any(
        _under(view, parent, anchor, depth + 1)
        for parent in view.targets("Organization", org, "partof"))


def _all(ids: list[str], test: Any) -> bool:
    return bool(ids) and all(test(i) for i in ids)


def _referent(view: View, anchor: str, rtype: str, rid: str, depth: int) -> bool:
    if rtype == "Organization":
        if rid == anchor:  # its own place in the tree is not the referent's to change
            return view.targets(rtype, rid, "partof") == view.graph.targets(rtype, rid,
                                                                            "partof")
        return _under(view, rid, anchor, 0)
    if rtype == HS:
        return _all(view.targets(HS, rid, "organization"),
                    lambda org: _under(view, org, anchor, 0))
    if rtype == ROLE:
        return _all(view.targets(ROLE, rid, "service"),
                    lambda offer: _referent(view, anchor, HS, offer, depth))
    if rtype == "Location":
        return _referent_place(view, anchor, rid, depth)
    return False


def _referent_place(view: View, anchor: str, rid: str, depth: int) -> bool:
    offers = view.referrers(HS, "location", "Location", rid)
    if offers:
        return all(_referent(view, anchor, HS, offer, depth) for offer in offers)
    managers = view.targets("Location", rid, "organization")
    if managers:
        return all(_under(view, org, anchor, 0) for org in managers)
    return depth < MAX_DEPTH and _all(
        view.targets("Location", rid, "partof"),
        lambda parent: _referent_place(view, anchor, parent, depth + 1))


# -- professional ----------------------------------------------------------------------

def _own_role(view: View, practitioner: str, role: str) -> bool:
    return view.targets(ROLE, role, "practitioner") == [practitioner]


def _professional(view: View, practitioner: str, rtype: str, rid: str) -> bool:
    if rtype == "Practitioner":
        return rid == practitioner
    if rtype == ROLE:
        return _own_role(view, practitioner, rid)
    if rtype == HS:
        return _all(view.referrers(ROLE, "service", HS, rid),
                    lambda role: _own_role(view, practitioner, role))
    if rtype == "Location":
        return _all(view.referrers(HS, "location", "Location", rid),
                    lambda offer: _professional(view, practitioner, HS, offer))
    return False


def added_owning_links(rtype: str, before: dict[str, Any] | None,
                       after: dict[str, Any]) -> list[tuple[str, str]]:
    """(type, id) of the targets the write newly takes into its scope."""
    added = []
    for source, param, target in OWNING_LINKS:
        if source == rtype:
            old = set(body_targets(before, rtype, param)) if before else set()
            added += [(target, t) for t in body_targets(after, rtype, param) if t not in old]
    return added


# -- a professional's new offer or place -------------------------------------------------

def practice(view: View, practitioner: str, without: str | None = None) -> set[str]:
    """The organisations at which ``practitioner`` holds a role (``without`` that one)."""
    return {org for role in view.referrers(ROLE, "practitioner", "Practitioner", practitioner)
            if role != without for org in view.graph.targets(ROLE, role, "organization")}


def liberal_practice(view: View, practitioner: str) -> set[str]:
    """The organisations at which ``practitioner`` holds a liberal role (exercise mode
    TRE_R23 ``L``): their own practice, not the hospital that employs them."""
    mine: set[str] = set()
    for role in view.referrers(ROLE, "practitioner", "Practitioner", practitioner):
        stored = read_current(view.graph.conn, ROLE, role)
        if stored is not None and stored.content and _is_liberal(orjson.loads(stored.content)):
            mine.update(view.graph.targets(ROLE, role, "organization"))
    return mine


def _is_liberal(role: dict[str, Any]) -> bool:
    return any(coding.get("code") == "L"
               for ext in role.get("extension", []) if ext.get("url") == EXT_EXERCISE_MODE
               for coding in ext.get("valueCodeableConcept", {}).get("coding", []))


def may_found(grant: Grant, view: View, rtype: str, rid: str) -> bool:
    """Whether a professional may create ``rtype/rid`` (``view``: with its new body) as a
    new resource of their practice, on the condition ``founded`` checks at commit: an offer
    provided by organisations of their liberal practice; a place managed by none other, in
    no other place."""
    if grant.role != PROFESSIONAL or grant.scope is None or view.body is None:
        return False
    mine = liberal_practice(view, grant.scope)
    if rtype == HS:
        providers = view.targets(HS, rid, "organization")
        return bool(providers) and set(providers) <= mine
    if rtype == "Location":
        return not view.targets("Location", rid, "partof") and \
            set(view.targets("Location", rid, "organization")) <= mine
    return False


def founded(grant: Grant, graph: Graph, rtype: str, rid: str) -> bool:
    """At commit: the resource a professional founded is theirs (an offer with roles, all
    theirs; a place used by offers, all theirs) — or no longer exists."""
    found = read_current(graph.conn, rtype, rid)
    if found is None or found.deleted:  # rolled back in a savepoint, or deleted since
        return True
    return governs(grant, View(graph, "", "", None), rtype, rid)


def role_organisations(body: dict[str, Any] | None) -> list[str]:
    """The organisations a role's body names (its ``organization``)."""
    return [] if body is None else body_targets(body, ROLE, "organization")
