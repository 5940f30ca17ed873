"""The Ror-* request headers over HTTP, on both back-ends, in each OPENROR_ROR_HEADERS mode:
required on reads, checked when present (the default), or ignored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from openror.access import ror_headers as ror
from openror.config import Settings
from tests.api.test_crud import FHIR
from tests.builders import organization
from tests.conftest import LiveServer

RIGHT = {ror.PROFILE_CODE: "CU22", ror.PROFILE_SYSTEM: ror.DEFAULT_PROFILE_SYSTEM,
         ror.ROLE_CODE: "AUTOMATE", ror.ROLE_SYSTEM: ror.DEFAULT_ROLE_SYSTEM}


@pytest.fixture(scope="module", params=[ror.REQUIRED, ror.ACCEPTED, ror.IGNORED])
def server(request: pytest.FixtureRequest, database_url: str,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("ror"), database_url=database_url,
                        log_level="WARNING", ror_headers=request.param)
    with LiveServer(settings) as live:
        yield live


@pytest.fixture
def onboarded(server: LiveServer) -> Iterator[httpx.Client]:
    """A client assigned CU22 / AUTOMATE at onboarding."""
    clients = server.app.state.services.clients
    made = clients.add("onboarded", 1, writes=("all",), ror_profile="CU22",
                       ror_role="AUTOMATE")
    bearer = clients.authenticate(made.client_id, made.client_secret).access_token
    with httpx.Client(base_url=server.url + "/fhir", timeout=30,
                      headers={"Authorization": f"Bearer {bearer}"}) as client:
        yield client


def mode(server: LiveServer) -> str:
    found: str = server.app.state.services.settings.ror_headers
    return found


def expressions(answer: httpx.Response) -> list[Any]:
    return [issue.get("expression") for issue in answer.json()["issue"]]


def test_the_right_headers_always_pass(onboarded: httpx.Client) -> None:
    assert onboarded.get("/Organization", headers=RIGHT).status_code == 200
    assert onboarded.get("/metadata").status_code == 200  # open: never checked


def test_a_read_without_the_headers(server: LiveServer, onboarded: httpx.Client) -> None:
    answer = onboarded.get("/Organization", headers={ror.ROLE_CODE: "AUTOMATE"})
    if mode(server) != ror.REQUIRED:
        assert answer.status_code == 200, answer.text
        return
    assert answer.status_code == 400, answer.text
    assert expressions(answer) == [[ror.PROFILE_CODE], [ror.PROFILE_SYSTEM], [ror.ROLE_SYSTEM]]
    assert answer.json()["issue"][0]["code"] == "required"
    written = onboarded.post("/Organization", json=organization(), headers=FHIR)
    assert written.status_code == 201, written.text  # the requirement is on reads


@pytest.mark.parametrize("header", list(RIGHT))
def test_a_value_other_than_the_clients(server: LiveServer, onboarded: httpx.Client,
                                        header: str) -> None:
    answer = onboarded.get("/Organization", headers=RIGHT | {header: "OTHER"})
    if mode(server) == ror.IGNORED:
        assert answer.status_code == 200, answer.text
        return
    assert answer.status_code == 403, answer.text
    assert answer.json()["resourceType"] == "OperationOutcome"
    assert expressions(answer) == [[header]]


def test_a_client_without_assigned_values_is_not_compared(server: LiveServer) -> None:
    with server.client() as client:
        answer = client.get("/Organization", headers=RIGHT | {ror.ROLE_CODE: "ANY"})
    assert answer.status_code == 200, answer.text
