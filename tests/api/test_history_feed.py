"""The gap-free change feed over HTTP: ``_history?_after=N`` pages oldest first, every entry
with its sequence number and a ``next`` link that is always there; deletions and closures
included; type level; the read policy applied; and ``meta.lastUpdated`` of history and
search Bundles safe as the next ``_lastUpdated=ge`` value (docs/api/sync.md)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from openror.api.history_bundle import SEQUENCE_URL
from openror.fhir.profiles import TRE_R30_REGION
from tests.api.test_crud import FHIR, create
from tests.builders import healthcare_service, location, organization
from tests.conftest import LiveServer


def _seq(entry: dict[str, Any]) -> int:
    [ext] = [e for e in entry["extension"] if e["url"] == SEQUENCE_URL]
    return int(ext["valueString"])


def _next_after(bundle: dict[str, Any]) -> int:
    [url] = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
    return int(parse_qs(urlsplit(url).query)["_after"][0])


def _follow(client: httpx.Client, path: str, after: int = 0, count: int = 2
            ) -> tuple[list[dict[str, Any]], int]:
    """Every entry from ``after`` on, page by page, as a consumer does; and the cursor."""
    entries: list[dict[str, Any]] = []
    while True:
        response = client.get(path, params={"_after": after, "_count": count})
        assert response.status_code == 200, response.text
        bundle = response.json()
        assert bundle["type"] == "history" and "total" not in bundle
        page = bundle.get("entry", [])
        entries += page
        following = _next_after(bundle)
        assert following >= after
        if not page:
            assert following == after or following > max(map(_seq, entries), default=0)
            return entries, following
        after = following


def test_paging_forward_gives_every_change_once_oldest_first(api: httpx.Client) -> None:
    orgs = [create(api, organization(f"Org {i}", f"0100000{i:02d}")) for i in range(4)]
    first = orgs[0]
    first["name"] = "Renamed"
    api.put(f"/Organization/{first['id']}", json=first, headers=FHIR)
    # a closure is an update like another (organization-period end)
    closed = orgs[1]
    closed["extension"] = [{"url": "http://hl7.org/fhir/StructureDefinition/organization-period",
                            "valuePeriod": {"end": "2026-01-31"}}]
    assert api.put(f"/Organization/{closed['id']}", json=closed, headers=FHIR).status_code == 200
    assert api.delete(f"/Organization/{orgs[2]['id']}").status_code == 200
    entries, cursor = _follow(api, "/_history")
    seqs = [_seq(e) for e in entries]
    assert seqs == sorted(set(seqs)) and len(seqs) == 7
    assert [e["request"]["method"] for e in entries] == ["POST"] * 4 + ["PUT", "PUT", "DELETE"]
    deletion = entries[-1]
    assert "resource" not in deletion
    assert deletion["request"]["url"] == f"Organization/{orgs[2]['id']}"
    assert entries[5]["resource"]["extension"][0]["valuePeriod"]["end"] == "2026-01-31"
    assert entries[4]["response"]["etag"] == 'W/"2"'
    # the consumer stored the cursor: later, it gets only what came after
    assert cursor == seqs[-1]
    late = create(api, organization("Late", "010000099"))
    more, _ = _follow(api, "/_history", cursor)
    assert [e["resource"]["id"] for e in more] == [late["id"]]


def test_an_empty_page_keeps_the_cursor(api: httpx.Client) -> None:
    bundle = api.get("/_history", params={"_after": 0}).json()
    assert bundle.get("entry", []) == []
    assert _next_after(bundle) == 0
    create(api, organization())
    bundle = api.get("/_history", params={"_after": 0}).json()
    [entry] = bundle["entry"]
    assert _next_after(bundle) == _seq(entry)
    again = api.get("/_history", params={"_after": _seq(entry)}).json()
    assert again.get("entry", []) == [] and _next_after(again) == _seq(entry)


def test_type_level_feed_holds_that_type_only(api: httpx.Client) -> None:
    org = create(api, organization())
    place = create(api, location())
    create(api, healthcare_service(f"Organization/{org['id']}", f"Location/{place['id']}"))
    entries, cursor = _follow(api, "/Location/_history", count=5)
    assert [e["resource"]["id"] for e in entries] == [place["id"]]
    # the page was not full: the cursor moves past the other types' changes
    everything, _ = _follow(api, "/_history", count=5)
    assert cursor == max(_seq(e) for e in everything)


def test_since_filters_the_feed_further(api: httpx.Client) -> None:
    create(api, organization("Early", "010000001"))
    time.sleep(0.01)
    cut = api.get("/_history").json()["meta"]["lastUpdated"]
    time.sleep(0.01)
    late = create(api, organization("Late", "010000002"))
    response = api.get("/_history", params={"_after": 0, "_since": cut})
    [entry] = [e for e in response.json()["entry"] if e["resource"]["id"] == late["id"]]
    assert "_since=" in next(link["url"] for link in response.json()["link"]
                             if link["relation"] == "next")
    assert entry["request"]["method"] == "POST"


def test_bad_after_values_are_explained(api: httpx.Client) -> None:
    for bad in ("-1", "abc", "1.5", "", "99999999999999999999"):
        response = api.get("/_history", params={"_after": bad})
        assert response.status_code == 400, bad
        assert response.json()["issue"][0]["expression"] == ["_after"]
    response = api.get("/Organization/_history", params={"_after": 1, "_before": 5})
    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == ["_after"]
    assert api.get("/_history", params={"_after": 0, "_count": 0}).status_code == 400


def _region(body: dict[str, Any], code: str) -> dict[str, Any]:
    return {**body, "meta": {"tag": [{"system": TRE_R30_REGION, "code": code}]}}


def test_a_region_client_follows_its_region_only(api: httpx.Client,
                                                 live_server: LiveServer) -> None:
    mine = create(api, _region(organization("Ici", "010000001"), "11"))
    theirs = create(api, _region(organization("Ailleurs", "320000001"), "32"))
    gone = create(api, _region(organization("Fermé", "320000002"), "32"))
    api.delete(f"/Organization/{gone['id']}")
    mine["name"] = "Ici, renommé"
    api.put(f"/Organization/{mine['id']}", json=mine, headers=FHIR)
    with live_server.reader(2, ("11",)) as region_11:
        entries, cursor = _follow(region_11, "/_history", count=1)
    ids = [e["fullUrl"].rsplit("/", 1)[1] for e in entries]
    assert theirs["id"] not in ids
    # its region's changes, and deletions, which name a resource without content
    assert ids == [mine["id"], gone["id"], mine["id"]]
    assert [e["request"]["method"] for e in entries] == ["POST", "DELETE", "PUT"]
    assert "resource" not in entries[1]
    everything, _ = _follow(api, "/_history", count=10)
    assert cursor == max(_seq(e) for e in everything)


def test_last_updated_of_a_bundle_is_a_safe_next_delta(api: httpx.Client) -> None:
    org = create(api, organization())
    searched = api.get("/Organization").json()
    mark = searched["meta"]["lastUpdated"]
    assert mark == org["meta"]["lastUpdated"]  # the newest change's time
    assert api.get("/_history").json()["meta"]["lastUpdated"] == mark
    time.sleep(0.002)
    later = create(api, organization("Later", "010000002"))
    delta = api.get("/Organization", params={"_lastUpdated": f"ge{mark}"}).json()
    ids = {e["resource"]["id"] for e in delta["entry"]}
    assert later["id"] in ids  # and org too, whose time is the mark: ge re-sends it


def test_a_parent_organisation_change_reaches_the_offer_delta(api: httpx.Client) -> None:
    """SPEC §3.6: ``_filter=(_lastUpdated ge T or organization._lastUpdated:above ge T)``
    finds the offers whose establishment's parent changed since T."""
    legal = create(api, organization("Entité juridique", "010000001"))
    site = create(api, organization("Site", "010000002",
                                    part_of=f"Organization/{legal['id']}"))
    lonely = create(api, organization("Seul", "010000003"))
    offer = create(api, healthcare_service(f"Organization/{site['id']}"))
    create(api, healthcare_service(f"Organization/{lonely['id']}"))
    time.sleep(0.002)
    create(api, location())  # the newest change before the mark
    mark = api.get("/HealthcareService").json()["meta"]["lastUpdated"]
    delta = {"_filter": f"(_lastUpdated ge {mark} or organization._lastUpdated:above "
                        f"ge {mark})"}
    response = api.get("/HealthcareService", params=delta)
    assert response.status_code == 200, response.text
    assert response.json().get("entry", []) == []
    legal["name"] = "Entité juridique renommée"
    api.put(f"/Organization/{legal['id']}", json=legal, headers=FHIR)
    found = api.get("/HealthcareService", params=delta).json()
    assert [e["resource"]["id"] for e in found["entry"]
            if e["search"]["mode"] == "match"] == [offer["id"]]


def test_the_capability_statement_documents_the_feed(api: httpx.Client) -> None:
    rest = api.get("/metadata").json()["rest"][0]
    [system] = rest["interaction"]
    assert system["code"] == "history-system" and "_after" in system["documentation"]
    organization_entry = next(r for r in rest["resource"] if r["type"] == "Organization")
    history = next(i for i in organization_entry["interaction"] if i["code"] == "history-type")
    assert SEQUENCE_URL in history["documentation"]
