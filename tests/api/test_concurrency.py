"""Two concurrent updates carrying the same If-Match: exactly one wins, nothing is lost."""

from __future__ import annotations

import threading

import httpx

from tests.api.test_crud import FHIR, create
from tests.builders import organization


def _race(base: str, headers: httpx.Headers, org: dict[str, object], names: tuple[str, str]
          ) -> list[httpx.Response]:
    barrier = threading.Barrier(2)
    results: list[httpx.Response] = []
    lock = threading.Lock()

    def put(name: str) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            barrier.wait()
            response = client.put(f"/Organization/{org['id']}", json={**org, "name": name},
                                  headers={**FHIR, "If-Match": 'W/"1"'})
        with lock:
            results.append(response)

    threads = [threading.Thread(target=put, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_same_if_match_exactly_one_wins(api: httpx.Client) -> None:
    base = str(api.base_url).rstrip("/")
    for round_ in range(10):
        org = create(api, organization(finess=f"0200000{round_:02d}"))
        results = _race(base, api.headers, org, ("A", "B"))
        statuses = sorted(r.status_code for r in results)
        assert statuses == [200, 412], [r.text for r in results]
        winner = next(r for r in results if r.status_code == 200).json()
        current = api.get(f"/Organization/{org['id']}").json()
        assert current["meta"]["versionId"] == "2"
        assert current["name"] == winner["name"]
        assert api.get(f"/Organization/{org['id']}/_history").json()["total"] == 2
