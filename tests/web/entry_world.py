"""The world of the guided entry's tests: the demo GP of the sample (datasets.liberal: her
own office, a group practice, and a health centre whose place other offers use too), a
second GP with her own practice, and accounts (demo-pro, other-pro, op)."""

from __future__ import annotations

from typing import Any

import orjson

from openror.access.caller import SYSTEM
from openror.datasets.liberal import GP_RPPS, demo_gp
from openror.services.writes import WritePath
from openror.store.feed import LogEntry
from openror.store.resources import read_current
from openror.terminology import default_terminology
from tests.api.people_fixture import add_accounts
from tests.api.search_fixture import _tag, establishment, offer, place, professional, role
from tests.conftest import LiveServer, wipe

CENTRE = "020000001"  # the FINESS number the demo GP's health centre gets here
GP = f"pr-{GP_RPPS}"
OFFERS = ("demo-gp-office-437", "demo-gp-office-485", "demo-gp-group-437",
          "demo-gp-centre-437", "demo-gp-centre-485")
R66 = "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement"
ACCOUNTS = {"demo-pro": (GP, ("professional",)),
            "other-pro": ("pr-other", ("professional",)),
            "op": (None, ("operator:32",))}


def _in32(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "meta": _tag("32")}


def centre() -> list[dict[str, Any]]:
    """The health centre: its site, its place, and an offer of the centre's own there."""
    site = establishment(f"eg-{CENTRE}", "Centre de santé des Trois Rivières", CENTRE)
    site["type"] = [{"coding": [{"system": R66, "code": "124", "display": "Centre de santé"}]}]
    site["address"] = [{"line": ["5 RUE DU PONT"], "postalCode": "02300", "city": "CHAUNY"}]
    where = place(f"loc-{CENTRE}", "02173", "02300", "Chauny", name="Centre de santé — accueil")
    nursing = offer("centre-soins-infirmiers", "Soins infirmiers", f"eg-{CENTRE}", "437",
                    field="05", locations=(f"loc-{CENTRE}",))
    nursing["identifier"][0]["value"] = "32/centre-soins-infirmiers"
    return [_in32(r) for r in (site, where, nursing)]


def other_gp() -> list[dict[str, Any]]:
    """Another GP's own practice (another professional's data)."""
    office = establishment("other-office", "Cabinet du Dr Autre", "020000002")
    where = place("other-place", "02691", "02100", "Saint-Quentin", name="Cabinet du Dr Autre")
    theirs = offer("other-offer", "Médecine générale - Dr Autre", "other-office", "437",
                   field="05", locations=("other-place",))
    theirs["identifier"][0]["value"] = "32/other-offer"
    pr = professional("pr-other", "810000000099", "AUTRE")
    link = role("role-other", "pr-other", "other-offer")
    return [_in32(r) for r in (office, where, theirs, pr, link)]


def load(server: LiveServer) -> WritePath:
    db = server.app.state.services.db
    wipe(db)
    writes = WritePath(db, default_terminology(), "32")
    for body in [*centre(), *demo_gp(CENTRE), *other_gp()]:
        writes.update(body["resourceType"], body["id"], body, LogEntry(actor="test"),
                      caller=SYSTEM)
    add_accounts(server, ACCOUNTS)
    return writes


def current(server: LiveServer, rtype: str, rid: str) -> dict[str, Any]:
    with server.app.state.services.db.read() as conn:
        found = read_current(conn, rtype, rid)
    assert found is not None and found.content is not None
    body: dict[str, Any] = orjson.loads(found.content)
    return body


def version(server: LiveServer, rtype: str, rid: str) -> int:
    return int(current(server, rtype, rid)["meta"]["versionId"])
