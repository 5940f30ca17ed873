"""A professional founds an offer of their practice together with their role in it, and a
place for their offers — in one transaction, on both back-ends — and nothing more: not at
another organisation, not into an existing offer that is not theirs, not an offer without
their role, not a place another's offer uses. A refused write leaves no trace."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from openror.access.caller import SYSTEM, Caller
from openror.errors import Forbidden
from openror.services.writes import WritePath, resource_type
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.store.resources import read_current
from tests.api.search_fixture import role
from tests.services import roles_world
from tests.services.roles_world import CALLERS

LOG = LogEntry(actor="test")
PRO = CALLERS["professional"]  # pract-p, whose practice is cab-p


@pytest.fixture
def writes(db: Database) -> WritePath:
    found = roles_world.load(db)
    for rid, org in (("role-p", "cab-p"), ("role-q", "cab-q")):  # roles name their practice
        body = next(b for b in roles_world.resources() if b["id"] == rid)
        body = {**copy.deepcopy(body), "organization": {"reference": f"Organization/{org}"}}
        found.update("PractitionerRole", rid, liberal(body), LOG, caller=SYSTEM)
    orphan = roles_world._offer("hs-orphan", "cab-p", "loc-p")  # an offer nobody works in
    found.update("HealthcareService", "hs-orphan", orphan, LOG, caller=SYSTEM)
    return found


def liberal(role_body: dict[str, Any], mode: str = "L") -> dict[str, Any]:
    """The role with exercise mode ``mode`` (TRE_R23: L liberal, S salaried)."""
    body = copy.deepcopy(role_body)
    for ext in body["extension"]:
        if ext["url"].endswith("ror-practitionerrole-unit-exercise-mode"):
            ext["valueCodeableConcept"]["coding"][0]["code"] = mode
    return body


def new_offer(rid: str = "hs-new", provider: str = "cab-p", *places: str) -> dict[str, Any]:
    body = roles_world._offer(rid, provider, *places)
    del body["identifier"]  # the write path gives it its national identifier
    return body


def new_role(rid: str, practitioner: str, offer: str, org: str = "cab-p") -> dict[str, Any]:
    return {**role(rid, practitioner, offer),
            "organization": {"reference": f"Organization/{org}"}}


def with_place(rid: str, *places: str) -> dict[str, Any]:
    body = roles_world.resources()
    found = copy.deepcopy(next(b for b in body if b["id"] == rid))
    found["location"] = [*found.get("location", []),
                         *({"reference": f"Location/{p}"} for p in places)]
    return found


def in_one_transaction(writes: WritePath, caller: Caller, *bodies: dict[str, Any],
                       by_system: tuple[dict[str, Any], ...] = ()) -> None:
    """Write ``bodies`` in order as ``caller`` (then ``by_system``), in one transaction."""
    with writes.db.write() as conn:
        for body in bodies:
            _put(writes, conn, caller, body)
        for body in by_system:
            _put(writes, conn, SYSTEM, body)


def _put(writes: WritePath, conn: Any, caller: Caller, body: dict[str, Any]) -> None:
    rtype, rid = body["resourceType"], body["id"]
    current = read_current(conn, rtype, rid, for_update=True)
    action = "create" if current is None else "update"
    writes.commit_version(conn, resource_type(rtype, action), rid, current,
                          copy.deepcopy(body), action, LOG, caller=caller)


def _count(db: Database) -> int:
    with db.read() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM change_feed").scalar_one())


def refused(writes: WritePath, match: str, *bodies: dict[str, Any],
            by_system: tuple[dict[str, Any], ...] = ()) -> None:
    before = _count(writes.db)
    with pytest.raises(Forbidden, match=match):
        in_one_transaction(writes, PRO, *bodies, by_system=by_system)
    assert _count(writes.db) == before, "a refused write left a trace"


def stored(writes: WritePath, rtype: str, rid: str) -> dict[str, Any] | None:
    with writes.db.read() as conn:
        found = read_current(conn, rtype, rid)
    return None if found is None or found.deleted else __import__("orjson").loads(found.content)


def test_an_offer_of_the_practice_with_the_own_role_and_a_new_place(writes: WritePath) -> None:
    place = roles_world._place("loc-new", "cab-p")
    in_one_transaction(writes, PRO, place, new_offer("hs-new", "cab-p", "loc-new"),
                       new_role("role-new", "pract-p", "hs-new"))
    offer = stored(writes, "HealthcareService", "hs-new")
    assert offer is not None and offer["identifier"][0]["value"]  # a national identifier
    assert stored(writes, "Location", "loc-new") is not None
    # it is theirs now: they change it, and its place, like their other offers
    offer["name"] = "Mon offre"
    writes.update("HealthcareService", "hs-new", offer, LOG, caller=PRO)
    moved = stored(writes, "Location", "loc-new")
    assert moved is not None
    moved["description"] = "2e étage"
    writes.update("Location", "loc-new", moved, LOG, caller=PRO)


def test_a_new_place_added_to_an_own_offer(writes: WritePath) -> None:
    in_one_transaction(writes, PRO, roles_world._place("loc-new"), with_place("hs-p", "loc-new"))
    assert stored(writes, "Location", "loc-new") is not None


def test_an_offer_alone_is_refused_at_commit(writes: WritePath) -> None:
    refused(writes, "without their PractitionerRole in it", new_offer())
    with pytest.raises(Forbidden):  # the API: each write its own transaction
        writes.create(new_offer(), LOG, caller=PRO)
    refused(writes, "without their PractitionerRole in it", new_offer(),
            new_role("role-new", "pract-p", "hs-p"))


def test_an_offer_at_another_organisation_is_refused(writes: WritePath) -> None:
    refused(writes, "hs-new would be outside the scope", new_offer("hs-new", "cab-q"),
            new_role("role-new", "pract-p", "hs-new", "cab-q"))
    refused(writes, "hs-new would be outside the scope", new_offer("hs-new", "eg-b"),
            new_role("role-new", "pract-p", "hs-new", "eg-b"))


def test_an_offer_with_another_practitioner_s_role_is_refused(writes: WritePath) -> None:
    refused(writes, "role-new would be outside the scope", new_offer(),
            new_role("role-new", "pract-q", "hs-new"))
    # nor someone else's role added in the same transaction: it is no longer theirs alone
    refused(writes, "without their PractitionerRole in it", new_offer(),
            new_role("role-new", "pract-p", "hs-new"),
            by_system=(new_role("role-q-new", "pract-q", "hs-new"),))


def test_the_own_role_into_an_existing_offer_not_theirs_is_refused(writes: WritePath) -> None:
    refused(writes, "may not link to HealthcareService/hs-q",
            new_role("role-new", "pract-p", "hs-q"))
    refused(writes, "may not link to HealthcareService/hs-orphan",
            new_role("role-new", "pract-p", "hs-orphan"))


def test_a_role_naming_an_organisation_outside_the_practice_is_refused(
        writes: WritePath) -> None:
    refused(writes, "may not name Organization/cab-q",
            new_role("role-new", "pract-p", "hs-p", "cab-q"))


def test_a_place_another_s_offer_uses_is_refused(writes: WritePath) -> None:
    refused(writes, "is not used only by offers of theirs", roles_world._place("loc-new"),
            with_place("hs-p", "loc-new"), by_system=(with_place("hs-q", "loc-new"),))
    refused(writes, "is not used only by offers of theirs", roles_world._place("loc-new"))
    refused(writes, "hs-q is outside the scope", roles_world._place("loc-new"),
            with_place("hs-q", "loc-new"))
    refused(writes, "loc-new would be outside the scope", roles_world._place("loc-new", "eg-b"),
            with_place("hs-p", "loc-new"))


def test_an_offer_where_the_professional_is_salaried_is_refused(writes: WritePath) -> None:
    """A salaried role names the employer (a hospital, a health centre): its offers are the
    establishment's referent's to create, not the employee's."""
    salaried = liberal(next(b for b in roles_world.resources() if b["id"] == "role-p"), "S")
    salaried["organization"] = {"reference": "Organization/cab-p"}
    writes.update("PractitionerRole", "role-p", salaried, LOG, caller=SYSTEM)
    refused(writes, "hs-new would be outside the scope", new_offer("hs-new", "cab-p"),
            new_role("role-new", "pract-p", "hs-new"))
