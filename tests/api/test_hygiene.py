"""What every response gets whoever asks: security headers (also on errors and 401s), and
a rate limit per caller that answers 429 with Retry-After and leaves other callers alone."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from openror.access.rate_limit import RateLimiter
from openror.config import Settings
from tests.conftest import LiveServer


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_the_burst_then_the_steady_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.take("a") == 1  # one request a second from now on
    assert limiter.take("b") == 0  # another caller has its own bucket
    clock.now = 1.0
    assert limiter.take("a") == 0
    assert limiter.take("a") == 1


def test_forgotten_keys_are_those_with_a_full_bucket() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=2, max_keys=2, clock=clock)
    limiter.take("busy")
    limiter.take("busy")
    limiter.take("idle")
    clock.now = 10.0  # "idle" has refilled; "busy" too, but is kept until space is needed
    limiter.take("new")
    assert limiter.take("busy") == 0


@pytest.fixture(scope="module")
def strict_server(database_url: str, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[LiveServer]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("strict"), database_url=database_url,
                        region="11", log_level="WARNING", rate_limit_per_minute=6,
                        rate_limit_burst=3)
    with LiveServer(settings) as server:
        yield server


def test_a_client_over_its_rate_gets_429_and_others_are_served(strict_server: LiveServer
                                                               ) -> None:
    with strict_server.client() as api:
        statuses = [api.get("/Organization").status_code for _ in range(3)]
        refused = api.get("/Organization")
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["issue"][0]["code"] == "throttled"
    with httpx.Client(base_url=strict_server.url, timeout=30) as anonymous:
        assert anonymous.get("/fhir/Organization").status_code == 401  # not 429: its own bucket


@pytest.mark.parametrize(("path", "authorised", "status"), [
    ("/fhir/metadata", False, 200),
    ("/fhir/Organization", False, 401),
    ("/fhir/Organization/nope", True, 404),
    ("/fhir/Organization", True, 200),
])
def test_every_response_has_the_security_headers(live_server: LiveServer, path: str,
                                                 authorised: bool, status: int) -> None:
    headers = live_server.headers if authorised else {}
    with httpx.Client(base_url=live_server.url, timeout=30, headers=headers) as client:
        response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-security-policy"] == \
        "default-src 'none'; frame-ancestors 'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"].startswith("private")
    assert "strict-transport-security" not in response.headers  # plain http on loopback
