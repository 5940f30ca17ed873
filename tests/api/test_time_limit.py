"""A request whose reads pass the time limit (``request_time_limit_s``) gets a 503 that says
what to do: an OperationOutcome ``timeout`` in the API, a French page in the web UI. An
orientation whose widening runs out of time answers with the offers it found, and says so.

A server whose limit has always passed when a read starts shows the answers; that a running
statement is interrupted, on both databases, is tests/store/test_deadline.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from openror.search.orientation import candidates
from openror.search.orientation.model import Candidate
from openror.store.deadline import _deadline
from tests.api.people_fixture import logged_in
from tests.conftest import LiveServer
from tests.web.orientation_world import orientation_server  # noqa: F401 (fixture)

SEARCH = "/fhir/HealthcareService?specialty=013"
ORIENT = "q=cardio&address=Versailles&age=45"


@pytest.fixture(scope="module")
def hurried(orientation_server: LiveServer) -> Iterator[LiveServer]:  # noqa: F811
    """A second server on the same data whose requests may not read for a nanosecond."""
    settings = replace(orientation_server.app.state.services.settings,
                       request_time_limit_s=1e-9)
    with LiveServer(settings) as server:
        yield server


@pytest.fixture(scope="module")
def limited(orientation_server: LiveServer) -> Iterator[LiveServer]:  # noqa: F811
    """A second server on the same data whose requests may read for 3 s."""
    settings = replace(orientation_server.app.state.services.settings,
                       request_time_limit_s=3.0)
    with LiveServer(settings) as server:
        yield server


def slow_second_radius(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """From now on, an orientation widens from its first radius (however few offers the
    country has), and the second radius of each outlasts the time it may take (its reads
    start once that time has passed); the radii asked, in order."""
    radii: list[float] = []
    original = candidates.Widening.of

    def slow(self: candidates.Widening, scope: candidates.Scope) -> list[Candidate]:
        radii.append(scope.radius_km)
        deadline = _deadline.get()
        if len(radii) % 2 == 0 and deadline is not None:
            time.sleep(max(0.0, deadline[0] - time.monotonic()) + 0.05)
        return original(self, scope)

    monkeypatch.setattr(candidates, "RARE_OFFERS", 0)
    monkeypatch.setattr(candidates.Widening, "of", slow)
    return radii


def test_an_orientation_out_of_time_answers_what_it_found(
        limited: LiveServer, orientation_server: LiveServer,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    with orientation_server.client("") as api:
        whole = api.get(f"/api/orientation?{ORIENT}").json()
    assert [r["id"] for r in whole["results"]] == ["cardio-sgl", "cardio-versailles",
                                                   "cardio-chartres"]
    assert whole["search"]["cut_short"] is False
    radii = slow_second_radius(monkeypatch)
    with limited.client("") as api:
        answer = api.get(f"/api/orientation?{ORIENT}&explain=cardio-chartres")
        bundle = api.get(f"/fhir/HealthcareService/$orientation?{ORIENT}").json()
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert radii == [40.0, 80.0, 40.0, 80.0]
    assert [r["id"] for r in body["results"]] == ["cardio-sgl", "cardio-versailles"]
    assert body["search"]["cut_short"] is True and body["search"]["radius_km"] == 40.0
    assert body["whyNot"]["reason"].endswith("(40 km), où la recherche s'est arrêtée faute "
                                             "de temps")
    outcomes = [e["resource"]["issue"][0] for e in bundle["entry"]
                if e["search"]["mode"] == "outcome"]
    assert [i["code"] for i in outcomes] == ["incomplete"]
    assert "stopped the search at 40 km" in outcomes[0]["diagnostics"]
    with logged_in(limited, "pro") as (browser, _):
        page = browser.get(f"/orientation?{ORIENT}")
    assert page.status_code == 200
    assert "Recherche arrêtée à 40 km faute de temps" in page.text


def test_the_api_answers_a_timeout_outcome(hurried: LiveServer,
                                           orientation_server: LiveServer) -> None:  # noqa: F811
    with orientation_server.client("") as api:
        assert api.get(SEARCH).json()["total"] == 3  # the same search, in time
    with hurried.client("") as api:
        for path in (SEARCH, f"/api/orientation?{ORIENT}"):
            answer = api.get(path)
            assert answer.status_code == 503, path
            issue = answer.json()["issue"][0]
            assert issue["code"] == "timeout"
            assert "narrow it" in issue["diagnostics"]


def test_the_web_page_says_it_in_french(hurried: LiveServer) -> None:
    with logged_in(hurried, "pro") as (browser, _):
        page = browser.get(f"/orientation?{ORIENT}")
    assert page.status_code == 503
    assert "La recherche a pris trop de temps : précisez-la" in page.text
    assert "interrompu la recherche" in page.text


def test_nothing_outside_a_request_is_limited(hurried: LiveServer) -> None:
    assert _deadline.get() is None  # the test thread, like the command line and exports
