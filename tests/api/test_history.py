"""_history at instance, type and system level with _since, _count and paging."""

from __future__ import annotations

import time

import httpx

from tests.api.test_crud import FHIR, create
from tests.builders import organization


def test_instance_history_lists_every_version_newest_first(api: httpx.Client) -> None:
    org = create(api, organization())
    for name in ("B", "C"):
        org["name"] = name
        api.put(f"/Organization/{org['id']}", json=org, headers=FHIR)
    bundle = api.get(f"/Organization/{org['id']}/_history").json()
    assert bundle["type"] == "history"
    assert bundle["total"] == 3
    assert [e["resource"]["meta"]["versionId"] for e in bundle["entry"]] == ["3", "2", "1"]
    assert [e["request"]["method"] for e in bundle["entry"]] == ["PUT", "PUT", "POST"]


def test_type_history_pages_without_skipping_or_repeating(api: httpx.Client) -> None:
    ids = {create(api, organization(finess=f"0100000{i:02d}"))["id"] for i in range(7)}
    seen: list[str] = []
    url: str | None = "/Organization/_history?_count=3"
    while url:
        bundle = api.get(url).json()
        assert bundle["total"] == 7
        seen += [e["resource"]["id"] for e in bundle["entry"]]
        nxt = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        url = nxt[0].split("/fhir", 1)[1] if nxt else None
    assert len(seen) == 7
    assert set(seen) == ids


def test_since_keeps_only_later_changes(api: httpx.Client) -> None:
    create(api, organization(finess="010000091"))
    time.sleep(0.01)
    cut = api.get("/Organization/_history?_count=1").json()["entry"][0]["response"]["lastModified"]
    time.sleep(0.01)
    late = create(api, organization(finess="010000092"))
    bundle = api.get("/Organization/_history", params={"_since": cut}).json()
    ids = [e["resource"]["id"] for e in bundle["entry"]]
    assert late["id"] in ids
    assert len(ids) == 2  # the cut point itself is included (_since is inclusive)


def test_system_history_covers_all_types(api: httpx.Client) -> None:
    create(api, organization())
    bundle = api.get("/_history").json()
    assert bundle["total"] == 1


def test_bad_history_parameters_are_explained(api: httpx.Client) -> None:
    response = api.get("/Organization/_history?_since=yesterday")
    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == ["_since"]
    assert api.get("/Organization/_history?_count=0").status_code == 400
