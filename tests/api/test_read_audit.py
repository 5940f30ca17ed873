"""The audit trail of reads by API clients of profiles 1–5: what is recorded, who may read
it (national administrators), the command line, and the retention period."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from openror.cli import main
from openror.services.read_audit import ReadAudit
from openror.store import audit
from openror.store.audit import ReadRecord
from openror.store.resources import utcnow
from tests.conftest import LiveServer


def _client(server: LiveServer, profile: int) -> tuple[str, httpx.Client]:
    clients = server.app.state.services.clients
    made = clients.add(f"audit test {profile}", profile)
    token = clients.authenticate(made.client_id, made.client_secret).access_token
    return made.client_id, httpx.Client(base_url=server.url, timeout=30,
                                        headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="module")
def readers(live_server: LiveServer) -> Iterator[dict[int, tuple[str, httpx.Client]]]:
    made = {p: _client(live_server, p) for p in (0, 2)}
    yield made
    for _, client in made.values():
        client.close()


def _trail(server: LiveServer, **params: str) -> list[dict[str, Any]]:
    with server.client("/-") as admin:
        response = admin.get("/audit", params=params)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


def test_reads_of_profiles_1_to_5_are_recorded_with_their_answer(
        live_server: LiveServer, readers: dict[int, tuple[str, httpx.Client]]) -> None:
    (p2, reader), (p0, open_data) = readers[2], readers[0]
    assert reader.get("/fhir/Organization/absent").status_code == 404
    reader.get("/fhir/HealthcareService", params={"name": "cardio"})
    reader.post("/fhir/Location/_search", data={"address-city": "Nantes"})
    open_data.get("/fhir/HealthcareService")
    entries = _trail(live_server, client=p2)
    assert [(e["method"], e["path"], e["query"], e["status"]) for e in entries[:3]] == [
        ("POST", "/fhir/Location/_search", "", 200),
        ("GET", "/fhir/HealthcareService", "name=cardio", 200),
        ("GET", "/fhir/Organization/absent", "", 404)]
    assert all(e["profile"] == 2 and e["request_id"] for e in entries)
    assert _trail(live_server, client=p0) == []  # open data is not audited


def test_only_national_administrators_read_the_trail(
        live_server: LiveServer, readers: dict[int, tuple[str, httpx.Client]]) -> None:
    response = readers[2][1].get("/-/audit")
    assert response.status_code == 403
    assert "national administrators" in response.json()["issue"][0]["diagnostics"]
    with live_server.client("/-") as admin:
        bad = admin.get("/audit", params={"since": "yesterday"})
    assert bad.status_code == 400
    assert bad.json()["issue"][0]["expression"] == ["since"]


def test_the_command_line_lists_the_trail(
        live_server: LiveServer, readers: dict[int, tuple[str, httpx.Client]],
        database_url: str) -> None:
    p2, reader = readers[2]
    reader.get("/fhir/Practitioner", params={"family": "MARTIN"})
    live_server.app.state.read_audit.flush()
    result = CliRunner().invoke(main, ["audit", "reads", "--client", p2, "--limit", "1",
                                       "--database", database_url])
    assert result.exit_code == 0, result.output
    assert f"{p2} (profile 2) GET /fhir/Practitioner?family=MARTIN -> 200" in result.output
    bad = CliRunner().invoke(main, ["audit", "reads", "--since", "soon",
                                    "--database", database_url])
    assert bad.exit_code == 1
    assert "ISO 8601" in bad.output


def test_records_older_than_the_retention_period_are_pruned(live_server: LiveServer) -> None:
    trail = ReadAudit(live_server.app.state.services.db, retention_days=30)
    old, recent = (ReadRecord(utcnow() - timedelta(days=days), "pruned-client", 1, "GET",
                              "/fhir/Location", "", 200, "r") for days in (31, 29))
    trail.add(old)
    trail.add(recent)
    assert trail.flush() == 2
    trail.prune()
    with trail.db.read() as conn:
        kept = audit.find(conn, client_id="pruned-client")
    assert [r.at for r in kept] == [recent.at]
