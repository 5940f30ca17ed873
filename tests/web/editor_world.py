"""The establishment editor's world: the roles world of tests/services (region 32) with more
offers and equipment, and an account per role::

    ej-a (legal entity) > eg-a (site) > unit-a (unit)
        hs-a (unit-a) -> loc-a, loc-shared;  hs-a2 (eg-a) -> loc-new-a;  hs-a3 (unit-a)
        loc-new-a: a bariatric operating table (088) of at most 250 kg
    ej-b > eg-b > hs-b -> loc-b, loc-shared   (loc-shared: used by both establishments)

Accounts: ``ref`` referent of eg-a, ``ref-ej`` of ej-a, ``ref-b`` of eg-b, ``op`` operator
of region 32, ``admin``, ``pro`` a professional.
"""

from __future__ import annotations

from typing import Any

import orjson

from openror.access.caller import SYSTEM, Caller, Grant
from openror.access.roles import person_caller
from openror.services.writes import WritePath
from openror.store.feed import LogEntry
from openror.store.resources import read_current
from openror.terminology import default_terminology
from tests.api.people_fixture import ACCOUNTS, PASSWORD, people
from tests.api.search_fixture import equipment
from tests.conftest import LiveServer, wipe
from tests.services import roles_world

MORE_ACCOUNTS = {"ref-ej": (None, ("referent:ej-a",)), "ref-b": (None, ("referent:eg-b",))}
NAMES = {"ref": "Claire Référente", "ref-ej": "Jean Direction", "ref-b": "Bruno Voisin",
         "op": "Odile Opératrice", "admin": "Ada Admin", "pro": "Paul Pro"}


def current(server: LiveServer, rtype: str, rid: str) -> dict[str, Any]:
    with server.app.state.services.db.read() as conn:
        found = read_current(conn, rtype, rid)
    assert found is not None and found.content is not None
    body: dict[str, Any] = orjson.loads(found.content)
    return body


def version(server: LiveServer, rtype: str, rid: str) -> int:
    return int(current(server, rtype, rid)["meta"]["versionId"])


def load(server: LiveServer) -> WritePath:
    """Wipe, then write the world through the write path as the system."""
    db = server.app.state.services.db
    wipe(db)
    writes = roles_world.load(db)
    log = LogEntry(actor="import de test", reason="chargement du monde de test")
    for rid, name, provider, places in (("hs-a2", "Consultations du site", "eg-a",
                                         ("loc-new-a",)),
                                        ("hs-a3", "Téléconsultations", "unit-a", ())):
        body = roles_world._offer(rid, provider, *places)
        body["name"] = name
        writes.update("HealthcareService", rid, body, log, caller=SYSTEM)
    place = current(server, "Location", "loc-new-a")
    place["extension"] = [*place["extension"], equipment("088", ("001", 250, "kg"))]
    place["name"] = "Bloc opératoire"
    writes.update("Location", "loc-new-a", place, log, caller=SYSTEM)
    for login, (practitioner, roles) in {**ACCOUNTS, **MORE_ACCOUNTS}.items():
        people(server).users.add(login, NAMES[login], f"{login}@example.org", practitioner,
                                 roles)
        people(server).logins.set_password(login, PASSWORD)
    return WritePath(db, default_terminology(), roles_world.REGION)


def person(login: str) -> Caller:
    """The caller of an account, to write meanwhile as that person."""
    practitioner, roles = {**ACCOUNTS, **MORE_ACCOUNTS}[login]
    grants = [Grant(*r.split(":", 1)) if ":" in r else Grant(r) for r in roles]
    return person_caller(f"{login}", practitioner, grants)
