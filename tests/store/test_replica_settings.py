"""OPENROR_DATABASE_REPLICA_URLS: read from the environment, refused where replicas cannot
be (SQLite, a URL that is not PostgreSQL), and nothing changes without replicas. The reads
on a real replica are in tests/api/test_replicas.py."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from openror.cli import main
from openror.config import load_settings
from openror.errors import InvalidInput
from openror.store import read_context
from openror.store.database import Database
from openror.store.migrate import upgrade
from openror.store.replicas import check_urls, replica_status
from openror.store.write_positions import caller_write_position

REPLICA = "postgresql://openror:pw@replica.example:5432/openror"


def test_replica_urls_are_a_comma_separated_list() -> None:
    settings = load_settings({"OPENROR_DATABASE_REPLICA_URLS":
                              f" {REPLICA}, postgresql://r2/openror ,"})
    assert settings.replica_urls == (REPLICA, "postgresql://r2/openror")
    assert load_settings({}).replica_urls == ()


def test_sqlite_refuses_replicas(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="database is SQLite: replicas are for PostgreSQL"):
        Database(f"sqlite:///{tmp_path / 'x.sqlite'}", replicas=(REPLICA,))


@pytest.mark.parametrize("url", ["sqlite:///replica.sqlite", "replica.example:5432"])
def test_a_replica_url_must_be_postgresql(url: str) -> None:
    with pytest.raises(InvalidInput, match="is not a postgresql://"):
        check_urls("postgresql://primary/openror", [url])


def test_serve_refuses_replicas_on_sqlite_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.sqlite'}"
    db = Database(url)
    upgrade(db)
    db.dispose()
    result = CliRunner().invoke(main, ["serve", "--database", url],
                                env={"OPENROR_DATABASE_REPLICA_URLS": REPLICA})
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "OPENROR_DATABASE_REPLICA_URLS" in result.output


def test_without_replicas_everything_reads_and_writes_the_database(db: Database) -> None:
    with read_context.replica_reads("client:someone"):
        with db.write() as conn:
            conn.execute(caller_write_position.delete())
        with db.read() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(
                caller_write_position)).scalar() == 0  # no position recorded
    assert db.wal_position() is None
    assert replica_status(db) == []
