"""``GET /api/federation/digest`` on a real server (both back-ends): digests per region and
type over what the caller may read, as the read policy serves it; buckets and resources that
add up; bad parameters answered with an OperationOutcome naming the parameter."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from openror.services.clients import Clients
from openror.sync.federation.digest import bucket_of, canonical_hash
from tests.builders import organization, telecom
from tests.sync.federation_fixture import Instance

World = tuple[Instance, Instance, Instance]
DIGEST = "/api/federation/digest"


def _client(source: Instance, profile: int, regions: tuple[str, ...] = ()) -> httpx.Client:
    clients = Clients(source.services.db, source.settings)
    made = clients.add(f"digest-p{profile}-{'-'.join(regions) or 'all'}", profile,
                       regions=regions)
    token = clients.authenticate(made.client_id, made.client_secret).access_token
    return httpx.Client(base_url=source.url, timeout=30,
                        headers={"Authorization": f"Bearer {token}"})


def _world(source: Instance) -> tuple[str, str]:
    restricted = organization(name="Numéros restreints", finess="110000002")
    restricted["telecom"] = [telecom(level="1"), telecom(value="0600000000", level="3")]
    mine = source.create(restricted)
    elsewhere = organization(name="Ailleurs", finess="320000001")
    elsewhere["meta"] = {"tag": [{"system": "https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/"
                                  "FHIR/TRE-R30-RegionOM", "code": "32"}]}
    other = source.create(elsewhere)
    return mine, other


def test_digests_follow_the_read_policy(world: World) -> None:
    source = world[0]
    mine, _other = _world(source)
    with _client(source, 1) as everything, _client(source, 1, ("11",)) as regional, \
            _client(source, 0) as open_data:
        full = everything.get(DIGEST).json()["digests"]
        assert sorted((d["region"], d["type"], d["count"]) for d in full) == [
            ("11", "Organization", 1), ("32", "Organization", 1)]
        assert [d["region"] for d in regional.get(DIGEST).json()["digests"]] == ["11"]
        public = open_data.get(DIGEST, params={"type": "Organization", "region": "11"}).json()
        assert public["digests"][0]["digest"] != full[0]["digest"]  # a telecom withheld
        listed = open_data.get(DIGEST, params={"type": "Organization", "region": "11",
                                               "bucket": bucket_of(mine)}).json()
    body = source.body("Organization", mine)
    assert body is not None
    served = {**body, "telecom": body["telecom"][:1]}  # the level-3 number is not served
    assert listed["resources"] == [{"id": mine, "version": 1,
                                    "hash": canonical_hash(orjson.dumps(served))}]


def test_buckets_and_resources_add_up(world: World) -> None:
    source = world[0]
    for n in range(12):
        source.create(organization(name=f"Établissement {n}", finess=f"1100001{n:02d}"))
    where = {"type": "Organization", "region": "11"}
    with _client(source, 1) as http:
        top = http.get(DIGEST, params=where).json()["digests"][0]
        buckets = http.get(DIGEST, params={**where, "level": "buckets"}).json()["buckets"]
        assert sum(b["count"] for b in buckets) == top["count"] == 12
        ids: list[Any] = []
        for bucket in buckets:
            listed = http.get(DIGEST, params={**where, "bucket": bucket["bucket"]}).json()
            assert len(listed["resources"]) == bucket["count"]
            ids += [r["id"] for r in listed["resources"]]
    assert len(set(ids)) == 12


@pytest.mark.parametrize(("params", "expression"), [
    ({"type": "Task"}, "type"),
    ({"level": "buckets", "region": "11"}, "type"),
    ({"type": "Organization", "bucket": "0a"}, "region"),
    ({"type": "Organization", "region": "11", "bucket": "zz"}, "bucket"),
    ({"type": "Organization", "region": "11", "level": "everything"}, "level"),
    ({"since": "2026"}, "since"),
])
def test_bad_parameters_name_the_parameter(world: World, params: dict[str, str],
                                           expression: str) -> None:
    with _client(world[0], 1) as http:
        reply = http.get(DIGEST, params=params)
    assert reply.status_code == 400
    outcome = reply.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["expression"] == [expression]
