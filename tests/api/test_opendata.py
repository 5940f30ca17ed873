"""The open-data publication served read-only at /opendata/ to anyone, without a token, while
the FHIR API still requires one. Both back-ends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from openror.config import Settings
from openror.sync import opendata
from tests.builders import organization, telecom
from tests.conftest import LiveServer, wipe


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("data")
    settings = Settings(data_dir=data, database_url=database_url, region="11",
                        log_level="WARNING", opendata_dir=str(data / "opendata"),
                        export_interval_seconds=0)
    with LiveServer(settings) as live:
        yield live


def test_the_publication_is_served_to_anyone(server: LiveServer) -> None:
    services = server.app.state.services
    wipe(services.db)
    body = organization("Entité publiée", "010000001")
    body["telecom"] = [telecom("0100000001", level="1"), telecom("0100000003", level="3")]
    with server.client() as c:
        assert c.post("/Organization", json=body).status_code == 201
    with httpx.Client(base_url=server.url, timeout=30) as anyone:  # no token
        assert anyone.get("/opendata/").status_code == 404  # nothing published yet
        opendata.publish(services.db, Path(services.settings.opendata_dir), max_per_file=1000)
        manifest = anyone.get("/opendata/")
        assert manifest.status_code == 200
        names = [f["name"] for f in manifest.json()["files"]]
        assert "Organization-001.ndjson" in names and "Organization.csv" in names
        ndjson = anyone.get("/opendata/Organization-001.ndjson")
        assert ndjson.headers["content-type"].startswith("application/fhir+ndjson")
        assert b"0100000001" in ndjson.content and b"0100000003" not in ndjson.content
        csv = anyone.get("/opendata/Organization.csv")
        assert csv.headers["content-type"].startswith("text/csv")
        assert "Entité publiée" in csv.content.decode("utf-8-sig")
        assert anyone.get("/opendata/README.md").text.startswith("# Offre de santé")
        for wrong in ("/opendata/..%2Fopenror.sqlite", "/opendata/Organization.txt",
                      "/opendata/Nothing.csv"):
            assert anyone.get(wrong).status_code == 404, wrong
        assert anyone.get("/fhir/Organization").status_code == 401  # the API still needs one
