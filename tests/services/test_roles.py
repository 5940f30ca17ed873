"""Roles with scope in the write path, on both back-ends: every write interaction (create,
update, patch, delete, conditional update and patch, a batch as bundle imports write it) ×
every role, including other establishments, other professionals, other regions, and moves out
of a scope. A refused write changes nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from openror.access.caller import Caller
from openror.errors import Forbidden
from openror.services.batch import ID_KEY, Batch, Upsert
from openror.services.conditions import parse_criteria
from openror.services.writes import WritePath
from openror.store.database import Database
from openror.store.feed import LogEntry
from tests.api.search_fixture import _tag, anomaly, establishment, internal_unit, role
from tests.builders import parameters, patch_op
from tests.conftest import wipe
from tests.services import roles_world
from tests.services.roles_world import CALLERS

LOG = LogEntry(actor="test")
WORLD = {body["id"]: body for body in roles_world.resources()}
Op = Callable[[WritePath, Caller], Any]


@dataclass(frozen=True)
class Case:
    name: str
    op: Op
    allowed: frozenset[str]
    destructive: bool = False  # cannot be repeated: the world is reloaded after it


def body_of(rid: str, **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(WORLD[rid])
    body.update(changes)
    return body


def touched(rid: str) -> dict[str, Any]:
    body = body_of(rid)
    if body["resourceType"] in ("Location", "Task"):
        body["description"] = "modifié"
    else:
        body["active"] = False
    return body


def update(body: dict[str, Any]) -> Op:
    return lambda w, c: w.update(body["resourceType"], body["id"], body, LOG, caller=c)


def create(body: dict[str, Any]) -> Op:
    return lambda w, c: w.create({k: v for k, v in body.items() if k != "id"}, LOG, caller=c)


def patch(rtype: str, rid: str, path: str, value: dict[str, Any]) -> Op:
    params = parameters(patch_op("replace", path, value=value))
    return lambda w, c: w.patch(rtype, rid, params, LOG, caller=c)


def delete(rtype: str, rid: str) -> Op:
    return lambda w, c: w.delete(rtype, rid, LOG, caller=c)


def conditional_update(rid: str) -> Op:
    body = touched(rid)
    del body["id"]
    criteria = parse_criteria(f"identifier=32/{rid}")
    return lambda w, c: w.conditional_update(body["resourceType"], criteria, body, LOG,
                                             caller=c)


def conditional_patch(rid: str) -> Op:
    params = parameters(patch_op("replace", "HealthcareService.name",
                                 value={"valueString": "Nouveau nom"}))
    criteria = parse_criteria(f"identifier=32/{rid}")
    return lambda w, c: w.conditional_patch("HealthcareService", criteria, params, LOG,
                                            caller=c)


def batch(rid: str) -> Op:
    def run(w: WritePath, c: Caller) -> None:
        body = touched(rid)
        with w.db.write() as conn:
            Batch(w, conn, LOG, caller=c).upsert(Upsert(body, ID_KEY, rid, frozenset(body)))
    return run


def link(rid: str, *places: str) -> dict[str, Any]:
    body = body_of(rid)
    body["location"] = [*body.get("location", []),
                        *({"reference": f"Location/{p}"} for p in places)]
    return body


def new_offer(provider: str, region: str | None = None) -> dict[str, Any]:
    body = roles_world._offer("hs-new", provider)
    del body["identifier"]  # the server gives it one
    return {**body, "meta": _tag(region)} if region else body


OPS = frozenset({"operator", "admin"})
REFERENTS = frozenset({"referent-site", "referent-ej"})
PRO = frozenset({"professional"})
ESTABLISHMENT = REFERENTS | OPS
OWN = PRO | OPS
ADMIN = frozenset({"admin"})

CASES = [
    # updates: what each role governs
    Case("own offer", update(touched("hs-p")), OWN),
    Case("another professional's offer", update(touched("hs-q")), OPS),
    Case("establishment offer with the professional's role", update(touched("hs-a")),
         ESTABLISHMENT),
    Case("another establishment's offer", update(touched("hs-b")), OPS),
    Case("offer of another region", update(touched("hs-84")), ADMIN),
    Case("own place", update(touched("loc-p")), OWN),
    Case("establishment place", update(touched("loc-a")), ESTABLISHMENT),
    Case("place shared with another establishment", update(touched("loc-shared")), OPS),
    Case("place no offer uses, managed by the site", update(touched("loc-new-a")),
         ESTABLISHMENT),
    Case("place of another region", update(touched("loc-84")), ADMIN),
    Case("own practitioner", update(touched("pract-p")), OWN),
    Case("another practitioner", update(touched("pract-q")), OPS),
    Case("own role in an establishment offer", update(touched("role-p-a")), OWN | REFERENTS),
    Case("another professional's role", update(touched("role-q")), OPS),
    Case("unit", update(touched("unit-a")), ESTABLISHMENT),
    Case("site", update(touched("eg-a")), ESTABLISHMENT),
    Case("legal entity", update(touched("ej-a")), frozenset({"referent-ej"}) | OPS),
    Case("another legal entity", update(touched("ej-b")), OPS),
    Case("practice organisation", update(touched("cab-p")), OPS),
    Case("anomaly", update(touched("task-32")), OPS),
    Case("anomaly of another region", update(touched("task-84")), ADMIN),
    # moves out of a scope
    Case("site moved to another legal entity",
         update(body_of("eg-a", partOf={"reference": "Organization/ej-b"})), OPS),
    Case("unit moved to another establishment",
         update(body_of("unit-a", partOf={"reference": "Organization/eg-b"})), OPS),
    Case("offer moved to another establishment",
         update(body_of("hs-a", providedBy={"reference": "Organization/eg-b"})), OPS),
    Case("offer moved to another region", update(body_of("hs-a", meta=_tag("84"))), ADMIN),
    Case("offer of another region moved into this one",
         update(body_of("hs-84", meta=_tag("32"))), ADMIN),
    Case("own role given to another practitioner",
         update(body_of("role-p", practitioner={"reference": "Practitioner/pract-q"})), OPS),
    Case("own role moved into another professional's offer",
         update(body_of("role-p", healthcareService=[
             {"reference": "HealthcareService/hs-q"}])), OPS),
    Case("offer linked to another establishment's place", update(link("hs-a", "loc-b")), OPS),
    Case("offer linked to a place the site manages", update(link("hs-a", "loc-new-a")),
         ESTABLISHMENT),
    Case("own offer linked to an establishment's place", update(link("hs-p", "loc-a")), OPS),
    Case("patched out of the establishment", patch(
        "HealthcareService", "hs-a", "HealthcareService.providedBy",
        {"valueReference": {"reference": "Organization/eg-b"}}), OPS),
    # creations
    Case("offer in the unit", create(new_offer("unit-a")), ESTABLISHMENT),
    Case("offer in another establishment", create(new_offer("eg-b")), OPS),
    Case("offer in another region", create(new_offer("eg-84", "84")), ADMIN),
    Case("offer of the own practice", create(new_offer("cab-p")), OPS),
    Case("place managed by the site", create(roles_world._place("loc-x", "eg-a")),
         ESTABLISHMENT),
    Case("place managed by another site", create(roles_world._place("loc-x", "eg-b")), OPS),
    Case("sub-unit", create(internal_unit("unit-x", "Sous-unité", "32/OI-X", "unit-a")),
         ESTABLISHMENT),
    Case("new legal entity", create(establishment("ej-x", "EJ X", "020000078")), OPS),
    Case("own second role in own offer", create(role("r", "pract-p", "hs-p")), OWN),
    Case("own role in another professional's offer", create(role("r", "pract-p", "hs-q")),
         OPS),
    Case("another's role in own offer", create(role("r", "pract-q", "hs-p")), OPS),
    Case("role in an establishment offer", create(role("r", "pract-q", "hs-a")),
         ESTABLISHMENT),
    Case("new anomaly", create(anomaly("t", "HealthcareService/hs-a", "ANO-X")), OPS),
    # patches
    Case("patch of the own offer", patch("HealthcareService", "hs-p", "HealthcareService.name",
                                         {"valueString": "Mon offre"}), OWN),
    Case("patch of an establishment offer", patch(
        "HealthcareService", "hs-a", "HealthcareService.name", {"valueString": "Offre"}),
        ESTABLISHMENT),
    Case("patch of another professional's offer", patch(
        "HealthcareService", "hs-q", "HealthcareService.name", {"valueString": "Offre"}), OPS),
    # deletions
    Case("delete own role", delete("PractitionerRole", "role-p"), OWN, destructive=True),
    Case("delete another professional's role", delete("PractitionerRole", "role-q"), OPS,
         destructive=True),
    Case("delete a role in an establishment offer", delete("PractitionerRole", "role-q-a"),
         ESTABLISHMENT, destructive=True),
    Case("delete a place the site manages", delete("Location", "loc-new-a"), ESTABLISHMENT,
         destructive=True),
    Case("delete an anomaly", delete("Task", "task-32"), OPS, destructive=True),
    Case("delete an anomaly of another region", delete("Task", "task-84"), ADMIN,
         destructive=True),
    # conditional interactions
    Case("conditional update of the own offer", conditional_update("hs-p"), OWN),
    Case("conditional update of another establishment's offer", conditional_update("hs-b"),
         OPS),
    Case("conditional patch of an establishment offer", conditional_patch("hs-a"),
         ESTABLISHMENT),
    Case("conditional patch of another professional's offer", conditional_patch("hs-q"), OPS),
    # a batch, as bundle imports write
    Case("batch upsert of an establishment offer", batch("hs-a"), ESTABLISHMENT),
    Case("batch upsert of another establishment's offer", batch("hs-b"), OPS),
    Case("batch upsert of the own offer", batch("hs-p"), OWN),
]


def _writes_so_far(db: Database) -> int:
    with db.read() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM change_feed").scalar_one())


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_each_role_writes_within_its_scope_only(case: Case, db: Database) -> None:
    writes = roles_world.load(db)
    for name, caller in CALLERS.items():
        if name in case.allowed:
            continue
        before = _writes_so_far(db)
        with pytest.raises(Forbidden):
            case.op(writes, caller)
        assert _writes_so_far(db) == before, f"{name}: a refused write left a trace"
    for name in sorted(case.allowed):
        case.op(writes, CALLERS[name])
        if case.destructive:
            wipe(db)
            writes = roles_world.load(db)


def test_the_refusal_says_whose_scope(db: Database) -> None:
    writes = roles_world.load(db)
    with pytest.raises(Forbidden, match=r"HealthcareService/hs-q is outside the scope of "
                       r"user:pro \(professional:pract-p\)"):
        update(touched("hs-q"))(writes, CALLERS["professional"])
    with pytest.raises(Forbidden, match="would move out of the scope of user:ref-site"):
        update(body_of("hs-a", providedBy={"reference": "Organization/eg-b"}))(
            writes, CALLERS["referent-site"])
    with pytest.raises(Forbidden, match="may not link to Location/loc-b"):
        update(link("hs-a", "loc-b"))(writes, CALLERS["referent-site"])
    with pytest.raises(Forbidden, match="would move from region 32 to region 84"):
        update(body_of("hs-a", meta=_tag("84")))(writes, CALLERS["referent-site"])
