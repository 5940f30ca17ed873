"""A request whose reads pass the time limit (``request_time_limit_s``) gets a 503 that says
what to do: an OperationOutcome ``timeout`` in the API, a French page in the web UI.

A server whose limit has always passed when a read starts shows the answers; that a running
statement is interrupted, on both databases, is tests/store/test_deadline.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

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
