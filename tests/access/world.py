"""A small world for the read policy: one of each thing a profile may or may not see.

Region 52 unless said otherwise::

    eg-52 (contacts and telecoms at levels 1, 2, 3; ORSAN level; drop zone)
      hs-ms     medico-social (04); acts; contacts 1 and 2   -> loc-ms (capacities 01/02/06,
                                                                equipment); role-ms -> pract-ms
      hs-city   city (05)                                     -> role-city -> pract-city
      hs-mco    MCO (01); acts                               -> loc-mco (capacities 01/02);
                                                                role-mco -> pract-mco
      hs-secret MCO (01), a sensitive unit                   -> loc-secret; role-secret ->
                                                                pract-secret
    eg-84 (region 84) -> hs-84
    task-1 (an anomaly on hs-mco)
"""

from __future__ import annotations

from typing import Any

from openror.access.caller import SYSTEM
from openror.services.writes import WritePath
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.terminology import default_terminology
from tests.api.search_fixture import (
    _ext,
    _tag,
    anomaly,
    capacity,
    equipment,
    establishment,
    offer,
    place,
    professional,
    role,
)
from tests.builders import SD, coding, telecom, tre

R210 = tre("TRE_R210-ActeSpecifique")
ACT = {"extension": [{"url": SD + "ror-act-type", "valueCode": "specificAct"}],
       "coding": [{"system": R210, "code": "0172"}]}  # ECG (JDV_J16)
PHONES = {"1": "0100000001", "2": "0200000002", "3": "0300000003"}


def _contact(level: str) -> dict[str, Any]:
    return {"extension": [{"url": SD + "ror-contact-confidentiality-level",
                           "valueCodeableConcept": coding("TRE_R283-NiveauConfidentialite",
                                                          level)}],
            "telecom": [telecom(PHONES[level], level=level)]}


def _offer_contact(level: str) -> dict[str, Any]:
    return _ext("ror-healthcareservice-contact", extension=[
        {"url": SD + "ror-confidentiality-level",
         "valueCodeableConcept": coding("TRE_R283-NiveauConfidentialite", level)},
        _ext("ror-healthcareservice-contact-telecom", extension=[
            {"url": SD + "ror-telecom-communication-channel",
             "valueCodeableConcept": coding("TRE_R200-CanalCommunication", "2")},
            {"url": "telecomAddress", "valueString": PHONES[level]},
            {"url": SD + "ror-telecom-confidentiality-level",
             "valueCodeableConcept": coding("TRE_R283-NiveauConfidentialite", level)}])])


def _site() -> dict[str, Any]:
    body = establishment("eg-52", "Site de test", "520000011")
    body["telecom"] = [telecom(PHONES[level], level=level) for level in "123"]
    body["contact"] = [_contact(level) for level in "123"]
    body["extension"] += [
        _ext("ror-organization-level-recours-orsan",
             valueCodeableConcept=coding("TRE_R345-NiveauRecoursORSAN", "1")),
        _ext("ror-organization-drop-zone", valueBoolean=True)]
    return body


def _offer(rid: str, field: str, *, acts: bool = False, sensitive: bool = False,
           locations: tuple[str, ...] = (), provider: str = "eg-52") -> dict[str, Any]:
    body = offer(rid, f"Offre {rid}", provider, "437", field=field, locations=locations)
    if acts:
        body["characteristic"].append(ACT)
    if sensitive:
        for ext in body["extension"]:
            if ext["url"].endswith("sensitive-unit"):
                ext["valueBoolean"] = True
    return body


def _ms_offer() -> dict[str, Any]:
    body = _offer("hs-ms", "04", acts=True, locations=("loc-ms",))
    body["extension"] += [_offer_contact("1"), _offer_contact("2")]
    return body


def _personal(rid: str, idnat: str) -> dict[str, Any]:
    body = professional(rid, idnat, rid.upper())
    body["telecom"] = [telecom("0611111111", level="1")]
    return body


CAPACITIES = (capacity("01", "01", "01", 10), capacity("01", "02", "01", 3, gender="01"),
              capacity("01", "06", "01", 2, additional="01"))


def resources() -> list[dict[str, Any]]:
    eg84 = {**establishment("eg-84", "Site d'une autre région", "840000011"),
            "meta": _tag("84")}
    hs84 = {**_offer("hs-84", "01", provider="eg-84"), "meta": _tag("84")}
    return [
        _site(), eg84,
        place("loc-ms", "44109", "44000", "Nantes", position=(47.2184, -1.5536),
              extensions=(*CAPACITIES, equipment("088"))),
        place("loc-mco", "44109", "44000", "Nantes", position=(47.2184, -1.5536),
              extensions=CAPACITIES[:2]),
        place("loc-secret", "44109", "44000", "Nantes", position=(47.2184, -1.5536)),
        _ms_offer(),
        _offer("hs-city", "05"),
        _offer("hs-mco", "01", acts=True, locations=("loc-mco",)),
        _offer("hs-secret", "01", sensitive=True, locations=("loc-secret",)),
        hs84,
        *(_personal(f"pract-{k}", f"81000000000{n}") for n, k in
          enumerate(("ms", "city", "mco", "secret"))),
        *(role(f"role-{k}", f"pract-{k}", f"hs-{k}") for k in ("ms", "city", "mco", "secret")),
        anomaly("task-1", "HealthcareService/hs-mco", "ANO-1"),
    ]


def load(db: Database) -> None:
    writes = WritePath(db, default_terminology(), "52")
    log = LogEntry(actor="read policy test")
    for body in resources():
        writes.update(body["resourceType"], body["id"], body, log, caller=SYSTEM)

