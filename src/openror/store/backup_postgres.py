"""PostgreSQL backups: ``pg_dump --format=custom`` and ``pg_restore``, the native tools.

The backup reads the database in a snapshot that this module exports (``pg_export_snapshot``)
and hands to ``pg_dump --snapshot``, so that the counts it prints describe exactly what the
file holds. The restore runs in one transaction (``--single-transaction``): it applies whole
or not at all.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from openror.store import statistics
from openror.store.backup import (
    Written,
    expect_kind,
    expect_known,
    fail,
    replaced_atomically,
)
from openror.store.database import Database

#: where Debian and Ubuntu install the client programs of each PostgreSQL version
DEBIAN_BINARIES = Path("/usr/lib/postgresql")


def tool(name: str) -> str:
    """The path of ``pg_dump`` or ``pg_restore``: on PATH, else the newest Debian install."""
    found = shutil.which(name)
    if found:
        return found
    installed = sorted(DEBIAN_BINARIES.glob(f"*/bin/{name}"),
                       key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if installed:
        return str(installed[-1])
    raise fail(f"{name} not found on PATH nor in {DEBIAN_BINARIES}/*/bin: install the "
               "PostgreSQL client programs (Debian: apt-get install postgresql-client)")


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """(connection URI for the client programs, their environment): the password goes in
    PGPASSWORD, where other users cannot read it as they can a command line."""
    parsed = sa.engine.make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    uri = parsed.set(drivername="postgresql", password=None)
    return uri.render_as_string(hide_password=False), env


def run(args: list[str], env: dict[str, str]) -> str:
    """Run a client program; its first error line becomes ours."""
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        why = next((line for line in lines if "error" in line.lower()), lines[0] if lines
                   else f"exit status {done.returncode}")
        raise fail(f"{Path(args[0]).name} failed: {why}")
    return done.stdout


@contextmanager
def _engine(url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        yield engine
    finally:
        engine.dispose()


_RESOURCES = "SELECT count(*) FROM resource WHERE NOT deleted"
_REVISION = "SELECT version_num FROM alembic_version"


def backup(url: str, path: Path) -> Written:
    uri, env = libpq(url)
    dump = tool("pg_dump")
    with (_engine(url) as engine, engine.connect() as conn,
          replaced_atomically(path) as temporary):
        conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():  # the snapshot stays valid while this transaction is open
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            resources = int(conn.exec_driver_sql(_RESOURCES).scalar_one())
            revision = conn.exec_driver_sql(_REVISION).scalar()
            run([dump, "--format=custom", f"--snapshot={snapshot}", f"--file={temporary}",
                 f"--dbname={uri}"], env)
    return Written(str(path), path.stat().st_size, resources, revision)


_TABLE_IN_LIST = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", re.MULTILINE)
_COPY = re.compile(r"^COPY \S*alembic_version \(version_num\) FROM stdin;\n(.*?)\n",
                   re.MULTILINE)


def restore(path: Path, url: str, *, force: bool) -> Written:
    expect_kind(path, "postgresql")
    uri, env = libpq(url)
    restorer = tool("pg_restore")
    revision = _revision_in(restorer, path, env)
    expect_known(revision, path)
    present = _tables(url)
    if present:
        _may_replace(present, _tables_in(restorer, path, env), force)
    options = ["--clean", "--if-exists"] if present else []
    run([restorer, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
         *options, f"--dbname={uri}", str(path)], env)
    db = Database(url)
    try:
        statistics.after_bulk_load(db)  # pg_restore brings no planner statistics
        with db.read() as conn:
            resources = int(conn.exec_driver_sql(_RESOURCES).scalar_one())
    finally:
        db.dispose()
    return Written(sa.engine.make_url(url).render_as_string(hide_password=True), None,
                   resources, revision, ("planner statistics refreshed (VACUUM ANALYZE)",))


def _revision_in(restorer: str, path: Path, env: dict[str, str]) -> str | None:
    """The schema revision a dump holds (its alembic_version row)."""
    script = run([restorer, "--data-only", "--table=alembic_version", "--file=-", str(path)],
                 env)
    match = _COPY.search(script)
    return match.group(1).strip() if match and match.group(1) != "\\." else None


def _tables_in(restorer: str, path: Path, env: dict[str, str]) -> set[str]:
    listing = run([restorer, "--list", str(path)], env)
    return {f"{schema}.{name}" for schema, name in _TABLE_IN_LIST.findall(listing)}


def _tables(url: str) -> set[str]:
    """The tables of the target database, outside PostgreSQL's own schemas."""
    sql = ("SELECT table_schema || '.' || table_name FROM information_schema.tables "
           "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")
    with _engine(url) as engine, engine.connect() as conn:
        return {row[0] for row in conn.exec_driver_sql(sql)}


def _may_replace(present: set[str], restored: set[str], force: bool) -> None:
    """Replace a database only when asked to, and only when the backup has every table of
    it: ``pg_restore --clean`` drops what it restores, and would leave the others."""
    if not force:
        raise fail(f"the target database is not empty ({len(present)} tables): give --force "
                   "to replace its content (stop the server first), or restore into an empty "
                   "database (createdb)")
    left = sorted(present - restored)
    if left:
        raise fail(f"the target database has tables the backup does not ({', '.join(left[:5])}"
                   f"{', …' if len(left) > 5 else ''}): restore into an empty database "
                   "(dropdb, then createdb)")
