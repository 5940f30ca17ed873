"""The orientation pages' world: offers around Versailles (Yvelines, region 11), written
through the FHIR API, and an account for a professional (profile 2) and an administrator.

For « cardio » near Versailles (78646), for a patient of 45, the order is:

1. ``cardio-sgl`` at Saint-Germain-en-Laye (15 km), 3 beds, two hours old;
2. ``cardio-versailles`` at Versailles, no bed left, open 24 h/24, a public phone line and
   a line for professionals only (confidentiality level 3);
3. ``cardio-chartres`` at Chartres (60 km), 5 beds, 200 hours old: stale.

``cardio-child`` (0–17 years) is left out for an adult (age); ``kine`` and ``kine-child``
answer « kiné pédiatrique »."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from openror.config import Settings
from tests.api.people_fixture import add_accounts
from tests.builders import SD, coding, organization
from tests.capacity.feed_fixture import available
from tests.conftest import LiveServer, wipe
from tests.search.test_orientation_ranking import ago, offer, place

FHIR = {"Content-Type": "application/fhir+json"}
VERSAILLES = "78646"
#: login -> roles
ACCOUNTS = {"pro": ("professional",), "admin": ("admin",)}
PUBLIC_PHONE, PRO_PHONE = "01 39 63 91 33", "01 39 63 99 99"
SITES = {"eg-versailles": ("Centre hospitalier de Versailles", "780000011"),
         "eg-sgl": ("Hôpital de Saint-Germain-en-Laye", "780000029"),
         "eg-chartres": ("Hôpitaux de Chartres", "280000011"),
         "eg-kine": ("Maison de santé de Rambouillet", "780000037")}
ADDRESSES = {"p-versailles": ("177 rue de Versailles", "78150", "Le Chesnay-Rocquencourt"),
             "p-sgl": ("20 rue Armagis", "78100", "Saint-Germain-en-Laye"),
             "p-chartres": ("34 rue du Docteur Maunoury", "28000", "Chartres"),
             "p-rambouillet": ("5 rue Pasteur", "78120", "Rambouillet")}


def _place(rid: str, commune: str, name: str, *records: dict[str, Any]) -> dict[str, Any]:
    body = place(rid, commune, *records) | {"name": name}
    line, postal_code, city = ADDRESSES[rid]
    body["address"] = {"line": [line], "postalCode": postal_code, "city": city}
    return body


def _contact(phone: str, level: str, purpose: str) -> dict[str, Any]:
    """An offer's contact line (ror-healthcareservice-contact) at a confidentiality level,
    with its purpose (TRE_R287)."""
    level_ext = {"url": SD + "ror-telecom-confidentiality-level",
                 "valueCodeableConcept": coding("TRE_R283-NiveauConfidentialite", level)}
    return {"url": SD + "ror-healthcareservice-contact", "extension": [
        {"url": "purposeContact",
         "valueCodeableConcept": coding("TRE_R287-NatureContact", purpose)},
        {"url": SD + "ror-confidentiality-level",
         "valueCodeableConcept": coding("TRE_R283-NiveauConfidentialite", level)},
        {"url": SD + "ror-healthcareservice-contact-telecom", "extension": [
            {"url": SD + "ror-telecom-communication-channel",
             "valueCodeableConcept": coding("TRE_R200-CanalCommunication", "2")},
            {"url": "telecomAddress", "valueString": phone}, level_ext]}]}


def _offer(rid: str, activity: str, place_id: str, site: str, name: str,
           **kw: Any) -> dict[str, Any]:
    body = offer(rid, activity, place_id, name=name, **kw)
    body["providedBy"] = {"reference": f"Organization/{site}"}
    return body


def resources() -> list[dict[str, Any]]:
    sites = [organization(name, finess) | {"id": rid} for rid, (name, finess) in SITES.items()]
    versailles = _offer("cardio-versailles", "013", "p-versailles", "eg-versailles",
                        "Cardiologie — hospitalisation", ages=(18, 120))
    versailles["availableTime"] = [{"daysOfWeek": ["mon", "tue", "wed", "thu", "fri", "sat",
                                                   "sun"], "allDay": True}]
    versailles["extension"] += [_contact(PUBLIC_PHONE, "1", "07"),  # secretariat
                                _contact(PRO_PHONE, "3", "13")]  # alert line, 24 h
    return [*sites,
            _place("p-versailles", "78646", "Hôpital André-Mignot",
                   available(0, updated=ago(1))),
            _place("p-sgl", "78551", "Hôpital de Saint-Germain-en-Laye",
                   available(3, updated=ago(2))),
            _place("p-chartres", "28085", "Hôpital Louis-Pasteur",
                   available(5, updated=ago(200))),
            _place("p-rambouillet", "78517", "Maison de santé du centre"),
            versailles,
            _offer("cardio-sgl", "013", "p-sgl", "eg-sgl", "Cardiologie — soins intensifs",
                   ages=(16, 120)),
            _offer("cardio-child", "014", "p-versailles", "eg-versailles",
                   "Cardiopédiatrie", ages=(0, 17)),
            _offer("cardio-chartres", "013", "p-chartres", "eg-chartres", "Cardiologie"),
            _offer("kine", "339", "p-versailles", "eg-versailles",
                   "Cabinet de kinésithérapie"),
            _offer("kine-child", "339", "p-rambouillet", "eg-kine",
                   "Kinésithérapie pédiatrique")]


@pytest.fixture(scope="module")
def orientation_server(database_url: str, tmp_path_factory: pytest.TempPathFactory
                       ) -> Iterator[LiveServer]:
    """A live server of region 11 with the world and the accounts, for the module (the pages
    only read). Session cookies without Secure: the tests speak http on the loopback."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), database_url=database_url,
                        region="11", log_level="WARNING", cookie_secure=False,
                        rate_limit_per_minute=1_000_000, rate_limit_burst=100_000)
    with LiveServer(replace(settings)) as server:
        load(server)
        yield server


def load(server: LiveServer) -> None:
    wipe(server.app.state.services.db)
    with server.client("") as api:
        for body in resources():
            api.put(f"/fhir/{body['resourceType']}/{body['id']}", json=body,
                    headers=FHIR).raise_for_status()
    add_accounts(server, {login: (None, roles) for login, roles in ACCOUNTS.items()})
