"""A small world for write authorisation by role. Region 32 unless said otherwise::

    ej-a (legal entity) > eg-a (site) > unit-a (unit)
        hs-a (offer of unit-a)  -> loc-a, loc-shared;  roles role-p-a (pract-p), role-q-a
        loc-new-a (a place no offer uses yet, managed by eg-a)
    ej-b > eg-b > hs-b -> loc-b, loc-shared
    cab-p (P's practice) > hs-p -> loc-p;  role-p (pract-p)
    cab-q (Q's practice) > hs-q -> loc-q;  role-q (pract-q)
    task-32 (an anomaly on hs-a)
    region 84: eg-84 > hs-84 -> loc-84;  task-84
"""

from __future__ import annotations

from typing import Any

from openror.access.caller import SYSTEM, Caller, Grant
from openror.access.roles import ADMIN, OPERATOR, PROFESSIONAL, REFERENT, person_caller
from openror.services.writes import WritePath
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.terminology import default_terminology
from tests.api.search_fixture import (
    _tag,
    anomaly,
    establishment,
    internal_unit,
    offer,
    place,
    professional,
    role,
)

REGION = "32"


def _in(region: str, body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "meta": _tag(region)}


def _offer(rid: str, provider: str, *places: str) -> dict[str, Any]:
    body = offer(rid, f"Offre {rid}", provider, "437", field="05", locations=places)
    body["identifier"][0]["value"] = f"32/{rid}"
    return body


def _place(rid: str, manager: str | None = None) -> dict[str, Any]:
    body = place(rid, "02691", "02100", "Saint-Quentin")
    if manager:
        body["managingOrganization"] = {"reference": f"Organization/{manager}"}
    return body


def resources() -> list[dict[str, Any]]:
    r84 = "84"
    return [
        establishment("ej-a", "EJ A", "020000011"),
        establishment("eg-a", "Site A", "020000029", "ej-a"),
        internal_unit("unit-a", "Unité A", "32/OI-A", "eg-a"),
        establishment("ej-b", "EJ B", "020000037"),
        establishment("eg-b", "Site B", "020000045", "ej-b"),
        establishment("cab-p", "Cabinet P", "020000052"),
        establishment("cab-q", "Cabinet Q", "020000060"),
        _in(r84, establishment("eg-84", "Site 84", "840000011")),
        *(_place(rid) for rid in ("loc-a", "loc-shared", "loc-b", "loc-p", "loc-q")),
        _place("loc-new-a", "eg-a"),
        _in(r84, _place("loc-84")),
        _offer("hs-a", "unit-a", "loc-a", "loc-shared"),
        _offer("hs-b", "eg-b", "loc-b", "loc-shared"),
        _offer("hs-p", "cab-p", "loc-p"),
        _offer("hs-q", "cab-q", "loc-q"),
        _in(r84, _offer("hs-84", "eg-84", "loc-84")),
        professional("pract-p", "810000000001", "PRO"),
        professional("pract-q", "810000000002", "QUI"),
        role("role-p", "pract-p", "hs-p"),
        role("role-q", "pract-q", "hs-q"),
        role("role-p-a", "pract-p", "hs-a"),
        role("role-q-a", "pract-q", "hs-a"),
        anomaly("task-32", "HealthcareService/hs-a", "ANO-32"),
        _in(r84, anomaly("task-84", "HealthcareService/hs-84", "ANO-84")),
    ]


def load(db: Database) -> WritePath:
    writes = WritePath(db, default_terminology(), REGION)
    log = LogEntry(actor="roles test")
    for body in resources():
        writes.update(body["resourceType"], body["id"], body, log, caller=SYSTEM)
    return writes


CALLERS: dict[str, Caller] = {
    "professional": person_caller("pro", "pract-p", [Grant(PROFESSIONAL)]),
    "referent-site": person_caller("ref-site", None, [Grant(REFERENT, "eg-a")]),
    "referent-ej": person_caller("ref-ej", None, [Grant(REFERENT, "ej-a")]),
    "operator": person_caller("op", None, [Grant(OPERATOR, "32")]),
    "admin": person_caller("admin", None, [Grant(ADMIN)]),
    "no-role": person_caller("nobody", None, []),
    "unlinked-professional": person_caller("pro2", None, [Grant(PROFESSIONAL)]),
}
