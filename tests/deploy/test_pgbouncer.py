"""deploy/pgbouncer/pgbouncer.ini against what OpenROR's connections do: transaction pooling
that keeps psycopg's prepared statements working, and every startup parameter OpenROR's
engine sends either forwarded or ignored (PgBouncer refuses a connection otherwise)."""

from __future__ import annotations

import inspect
import shlex
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from openror.config import load_settings
from openror.store.dialect import create_engines
from openror.store.point_reads import PointReader
from tests.deploy.deployfiles import PGBOUNCER_INI, env_file, pgbouncer_ini

#: psycopg's own keywords (autocommit, context…): not sent to the server
PYTHON_ONLY = frozenset(name for name, p in inspect.signature(
    psycopg.Connection.connect).parameters.items() if p.kind is p.KEYWORD_ONLY)
#: startup parameters PgBouncer accepts without being told (its documentation)
TRACKED = frozenset({"client_encoding", "datestyle", "timezone",
                     "standard_conforming_strings", "application_name"})


class Captured(Exception):
    """Raised from the connect hook: the parameters were seen, no server is needed."""


def startup_parameters(url: str) -> dict[str, Any]:
    """What OpenROR's engine hands psycopg to open a connection."""
    engine, _ = create_engines(url, readers=0, pool_size=1)
    seen: dict[str, Any] = {}

    @event.listens_for(engine, "do_connect")
    def _capture(_dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
        seen.update(params)
        raise Captured

    with pytest.raises(Captured):
        engine.connect()
    engine.dispose()
    return seen


def test_transaction_pooling_with_prepared_statements() -> None:
    section = pgbouncer_ini()["pgbouncer"]
    assert section["pool_mode"] == "transaction"
    # reads by id prepare at once; without this they fail once a server connection changes
    assert int(section["max_prepared_statements"]) > 0
    reader = PointReader("postgresql://openror@127.0.0.1:6432/openror")
    assert reader.dialect == "postgresql"  # the reader that prepares (prepare_threshold=0)


def test_every_startup_parameter_openror_sends_is_accepted() -> None:
    url = load_settings(env_file()).database_url
    params = startup_parameters(url)
    ignored = {p.strip() for p in
               pgbouncer_ini()["pgbouncer"]["ignore_startup_parameters"].split(",")}
    sent = set()
    for name, value in params.items():
        if name == "options":  # "-c name=value …": PgBouncer looks at each of them
            words = shlex.split(value)
            sent |= {w.split("=")[0] for w in words[1::2]} if "options" not in ignored \
                else set()
            assert words[::2] == ["-c"] * len(words[::2])
        elif name not in PYTHON_ONLY | {"host", "port", "dbname", "user", "password"}:
            sent.add(name)
    assert sent - TRACKED - ignored == set()
    # what the role settings must replace: each is in the ini's instructions
    settings = shlex.split(params.get("options", ""))[1::2]
    assert {s.split("=")[0] for s in settings} == {"jit", "plan_cache_mode"}
    instructions = PGBOUNCER_INI.read_text(encoding="utf-8")
    for setting in settings:
        name, value = setting.split("=")
        assert f"ALTER ROLE openror SET {name} = {value};" in instructions


def test_the_databases_point_at_postgresql_not_at_pgbouncer() -> None:
    databases = pgbouncer_ini()["databases"]
    assert "openror" in databases
    target = dict(w.split("=", 1) for w in databases["openror"].split())
    listen = pgbouncer_ini()["pgbouncer"]
    assert target["port"] != listen["listen_port"]
    client_url = sa.engine.make_url(load_settings(env_file()).database_url)
    assert str(client_url.port) == listen["listen_port"]
    assert client_url.host == listen["listen_addr"] and client_url.database == "openror"
