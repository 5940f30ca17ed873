"""Write rights (the "authorise" step of the write path): a write needs the scope ``all``, or
``region:R`` for the region R of the resource after the write and, when it already existed,
before it — so nothing moves into or out of a region without the rights on both sides.
A professional's or a referent's role is decided the same way, before and after, by the
place of the resource in the hierarchy (``authorise_change``, services.scopes). Through the
hierarchy, an anomaly (Task) on a resource in scope may be answered but not raised,
rewritten or deleted (``TASK_REPLY``); which answers, the workflow rule decides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

import sqlalchemy as sa

from openror.access.caller import ANONYMOUS, WRITE_ALL, Caller, Grant
from openror.access.roles import HIERARCHICAL, PROFESSIONAL, label
from openror.errors import Forbidden, Unauthorized, error
from openror.services.scopes import (
    ROLE,
    View,
    added_owning_links,
    founded,
    governs,
    may_found,
    practice,
    role_organisations,
)
from openror.store import deferred
from openror.store.hierarchy import Graph

REGION_SCOPE = "region:"

#: how a write was allowed: by a region scope (API clients, operators, administrators) or
#: by the hierarchy (a professional's or a referent's role)
Authority = Literal["scope", "hierarchy"]
#: the elements of an anomaly its owner may change through the hierarchy: its answer (the
#: workflow rule decides which statuses) and what the server maintains
TASK_REPLY: Final = frozenset({"businessStatus", "statusReason", "note", "output", "status",
                               "authoredOn", "lastModified", "executionPeriod", "meta"})


def may_write(caller: Caller, region: str) -> bool:
    return WRITE_ALL in caller.writes or f"{REGION_SCOPE}{region}" in caller.writes


def authorise_write(caller: Caller, ref: str, region: str,
                    previous_region: str | None = None) -> None:
    """Refuse the write of ``ref`` (``Type/id``) unless ``caller`` may write it: 401 for an
    anonymous caller, 403 naming the missing scope otherwise."""
    if WRITE_ALL in caller.writes:
        return
    regions = [r for r in dict.fromkeys((previous_region, region)) if r is not None]
    missing = [r for r in regions if not may_write(caller, r)]
    if not missing:
        return
    if caller == ANONYMOUS:
        raise Unauthorized([error("login", "writes need an access token: get one from "
                                  "POST /auth/token and send 'Authorization: Bearer <token>'")])
    if previous_region is not None and previous_region != region:
        where = f"{ref} would move from region {previous_region} to region {region}"
    else:
        where = f"{ref} belongs to region {region}"
    needed = " and ".join(f"'{REGION_SCOPE}{r}'" for r in missing)
    raise Forbidden([error("forbidden", f"{where}: writing it needs the write scope {needed} "
                           f"(or 'all'), which {caller.actor} lacks")])


@dataclass(frozen=True)
class Change:
    """A write as the authorise step sees it: the resource before (None: a creation) and
    after (None: a deletion), with their regions."""

    rtype: str
    rid: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    region_before: str | None
    region_after: str | None

    @property
    def ref(self) -> str:
        return f"{self.rtype}/{self.rid}"


def authorise_change(caller: Caller, change: Change, conn: sa.Connection) -> Authority:
    """Refuse the write unless the caller may make it: by region scope (API clients,
    regional operators, administrators) or, for professionals and referents, by the place
    of the resource in the hierarchy before and after the write (services.scopes).
    Say which of the two allowed it."""
    hierarchical = tuple(g for g in caller.grants if g.role in HIERARCHICAL)
    # a change of region is a matter for region scopes alone, whatever the hierarchy says
    moves = change.before is not None and change.after is not None and \
        change.region_before != change.region_after
    if not hierarchical or moves or WRITE_ALL in caller.writes:
        if change.after is None:
            assert change.region_before is not None
            authorise_write(caller, change.ref, change.region_before)
        else:
            assert change.region_after is not None
            authorise_write(caller, change.ref, change.region_after, change.region_before)
        return "scope"
    graph = Graph(conn)
    sides = (("before", change.before, change.region_before),
             ("after", change.after, change.region_after))
    authority: Authority = "scope"
    for side, body, region in sides:
        if body is None or (region is not None and may_write(caller, region)):
            continue
        view = View(graph, change.rtype, change.rid, body)
        if not _governed(hierarchical, view, change.rtype, change.rid) and not (
                change.before is None and _found(caller, hierarchical, view, change, conn)):
            raise _out_of_scope(caller, change, side)
        authority = "hierarchy"
    if change.after is not None:
        _authorise_links(caller, hierarchical, change, graph)
        _authorise_role_organisation(caller, hierarchical, change, graph)
    if authority == "hierarchy" and change.rtype == "Task":
        _authorise_task_reply(caller, change)
    return authority


def _authorise_task_reply(caller: Caller, change: Change) -> None:
    """Through the hierarchy, an anomaly is answered, not raised, rewritten or removed."""
    if change.before is None or change.after is None:
        doing = "raise" if change.before is None else "delete"
        raise Forbidden([error("forbidden", f"{_who(caller)} may not {doing} anomalies: "
                               "that is for the regional operator or an API client with the "
                               "write scope of the region")])
    changed = sorted(k for k in set(change.before) | set(change.after)
                     if k not in TASK_REPLY and change.before.get(k) != change.after.get(k))
    if changed:
        raise Forbidden([error("forbidden", f"{_who(caller)} may answer {change.ref} "
                               "(businessStatus, statusReason, note, output) but not change "
                               f"{', '.join('Task.' + k for k in changed)}",
                               *(f"Task.{k}" for k in changed))])


def _governed(grants: tuple[Grant, ...], view: View, rtype: str, rid: str) -> bool:
    return any(governs(grant, view, rtype, rid) for grant in grants)


def _authorise_links(caller: Caller, grants: tuple[Grant, ...], change: Change,
                     graph: Graph) -> None:
    """Linking a place to an offer, or a role to an offer, takes the target into the
    writer's scope: it must be in that scope already."""
    assert change.after is not None
    view = View(graph, change.rtype, change.rid, change.before)
    for rtype, rid in added_owning_links(change.rtype, change.before, change.after):
        region = graph.region(rtype, rid)
        if (region is not None and may_write(caller, region)) or \
                _governed(grants, view, rtype, rid) or _founding(graph.conn, rtype, rid):
            continue
        raise Forbidden([error("forbidden", f"{change.ref} may not link to {rtype}/{rid}: "
                               f"that resource is outside the scope of {_who(caller)}")])


def _found(caller: Caller, grants: tuple[Grant, ...], view: View, change: Change,
           conn: sa.Connection) -> bool:
    """A professional's new offer or place (services.scopes.may_found): allowed on the
    condition, checked at commit, that it is then theirs (store.deferred)."""
    grant = next((g for g in grants if may_found(g, view, change.rtype, change.rid)), None)
    if grant is None:
        return False

    def check(at_commit: sa.Connection) -> None:
        if not founded(grant, Graph(at_commit), change.rtype, change.rid):
            raise Forbidden([error("forbidden", _unfounded(caller, change))])

    deferred.defer(conn, _founding_key(change.rtype, change.rid), check)
    return True


def _founding_key(rtype: str, rid: str) -> tuple[str, str, str]:
    return ("founded", rtype, rid)


def _founding(conn: sa.Connection, rtype: str, rid: str) -> bool:
    """Whether ``rtype/rid`` is being founded in this transaction (linking to it is how
    it becomes the founder's: the commit checks it is theirs alone)."""
    return _founding_key(rtype, rid) in deferred.pending(conn)


def _unfounded(caller: Caller, change: Change) -> str:
    if change.rtype == "Location":
        return (f"{change.ref} was created by {_who(caller)} but is not used only by offers "
                "of theirs when the transaction ends: a professional creates a place for "
                "their own offers")
    return (f"{change.ref} was created by {_who(caller)} without their PractitionerRole in "
            "it in the same transaction: a professional creates an offer together with "
            "their role in it")


def _authorise_role_organisation(caller: Caller, grants: tuple[Grant, ...], change: Change,
                                 graph: Graph) -> None:
    """Through a professional's role, the organisation a role names becomes their
    practice (where they may found offers): a professional names only organisations of
    their practice already."""
    if change.rtype != ROLE:
        return
    added = set(role_organisations(change.after)) - set(role_organisations(change.before))
    if not added or any(g.role != PROFESSIONAL for g in grants) or any(
            may_write(caller, r) for r in filter(None, (change.region_after,))):
        return
    view = View(graph, change.rtype, change.rid, change.before)
    mine = set().union(*(practice(view, g.scope, without=change.rid) for g in grants
                         if g.scope is not None))
    foreign = sorted(added - mine)
    if foreign:
        raise Forbidden([error("forbidden", f"{change.ref} may not name Organization/"
                               f"{foreign[0]}: {_who(caller)} holds no role there",
                               "PractitionerRole.organization")])


def _who(caller: Caller) -> str:
    return f"{caller.actor} ({', '.join(label(g) for g in caller.grants) or 'no role'})"


def _out_of_scope(caller: Caller, change: Change, side: str) -> Forbidden:
    if side == "before":
        what = f"{change.ref} is outside the scope of"
    elif change.before is None:
        what = f"{change.ref} would be outside the scope of"
    else:
        what = f"{change.ref} would move out of the scope of"
    return Forbidden([error("forbidden", f"{what} {_who(caller)}")])
