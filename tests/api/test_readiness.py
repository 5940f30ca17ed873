"""GET /-/ready: 503, saying why, when the database's schema is not the code's (a database
restored from an older backup under a running server); /-/health, the liveness, stays 200.
Both back-ends, on a database of this module's own (the test takes its schema back)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from openror.config import Settings
from openror.store.database import Database
from openror.store.migrate import MIGRATIONS, head_revision, upgrade
from tests.conftest import PG_URL, LiveServer, _drop_pg_database, _fresh_pg_database


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), database_url=database_url,
                        log_level="WARNING")
    with LiveServer(settings) as live:
        yield live


def downgrade_one(url: str) -> str:
    """Take the schema one revision back; return that revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    previous = ScriptDirectory.from_config(config).get_revision(head_revision()).down_revision
    assert isinstance(previous, str)
    db = Database(url)
    try:
        with db.writer.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, previous)
    finally:
        db.dispose()
    return previous


def test_not_ready_while_the_schema_is_behind_the_code(server: LiveServer,
                                                       database_url: str) -> None:
    assert httpx.get(f"{server.url}/-/ready").status_code == 200
    previous = downgrade_one(database_url)
    try:
        response = httpx.get(f"{server.url}/-/ready")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable"
        assert body["schema"] == {"current": previous, "expected": head_revision()}
        assert body["problems"] == [
            f"the database schema is at {previous}, this version of openror needs "
            f"{head_revision()} ('openror db upgrade' brings an older schema up to date)"]
        assert httpx.get(f"{server.url}/-/health").status_code == 200  # alive all the same
    finally:
        db = Database(database_url)
        upgrade(db)
        db.dispose()
    assert httpx.get(f"{server.url}/-/ready").status_code == 200


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL variant skipped: "
                    "OPENROR_TEST_POSTGRES_URL is not set")
def test_a_database_gone_away_makes_the_server_unready_and_metrics_say_so(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    url = _fresh_pg_database()
    db = Database(url)
    upgrade(db)
    db.dispose()
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), database_url=url,
                        log_level="CRITICAL", metrics_cache_seconds=0)
    with LiveServer(settings) as live:
        scraped = httpx.get(f"{live.url}/-/metrics").text
        assert "openror_store_figures_up 1.0" in scraped.splitlines()
        _drop_pg_database(url)  # terminates the server's connections
        response = httpx.get(f"{live.url}/-/ready")
        assert response.status_code == 503
        assert response.json()["problems"] == ["the database does not answer"]
        assert "127.0.0.1" not in response.text  # the driver's message stays in the log
        scraped = httpx.get(f"{live.url}/-/metrics")
        assert scraped.status_code == 200
        lines = scraped.text.splitlines()
        assert "openror_store_figures_up 0.0" in lines
        assert not any(line.startswith("openror_change_feed_last_seq") for line in lines)
        assert any(line.startswith('openror_http_request_duration_seconds_count{method="GET",'
                                   'route="/-/ready",status="5xx"}') for line in lines)
