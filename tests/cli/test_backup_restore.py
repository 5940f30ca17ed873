"""openror backup while a writer keeps writing, openror restore into a fresh database, then
openror check: the restored directory is consistent and whole. Both back-ends."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from openror.cli import main
from openror.store import backup_postgres, feed_epoch
from openror.store.backup import BackupError
from openror.store.database import Database
from openror.store.migrate import upgrade
from openror.store.schema import resource, resource_version
from tests.conftest import BACKENDS, _drop_pg_database, _fresh_pg_database
from tests.store.small_directory import Writer, populate

OPENROR = Path(sys.executable).with_name("openror")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


class Databases:
    """Fresh databases of one back-end, dropped at the end."""

    def __init__(self, backend: str, folder: Path) -> None:
        self.backend, self.folder, self.made = backend, folder, []

    def new(self, name: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.folder / f'{name}.sqlite'}"
        url = _fresh_pg_database()
        self.made.append(url)
        return url

    @property
    def backup_file(self) -> Path:
        return self.folder / ("backup.sqlite" if self.backend == "sqlite" else "backup.dump")

    def drop(self) -> None:
        for url in self.made:
            _drop_pg_database(url)


@pytest.fixture(params=BACKENDS)
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Databases]:
    if request.param == "postgresql":
        try:
            backup_postgres.tool("pg_dump")
        except BackupError:
            pytest.skip("PostgreSQL backups skipped: no pg_dump on this machine")
    made = Databases(request.param, tmp_path)
    yield made
    made.drop()


def _source(databases: Databases) -> str:
    url = databases.new("source")
    db = Database(url)
    try:
        upgrade(db)
        populate(db)
    finally:
        db.dispose()
    return url


def _versions_complete(url: str) -> tuple[int, bool]:
    """(resources, whether each has every version from 1 to its current one)."""
    db = Database(url)
    v = resource_version
    try:
        with db.read() as conn:
            held = conn.execute(sa.select(v.c.type, v.c.id, sa.func.count(), sa.func.max(
                v.c.version)).group_by(v.c.type, v.c.id)).all()
            current = dict(((t, i), n) for t, i, n in conn.execute(
                sa.select(resource.c.type, resource.c.id, resource.c.version)))
    finally:
        db.dispose()
    whole = all(count == top == current.get((t, i)) for t, i, count, top in held)
    return len(current), whole and len(held) == len(current)


def test_backup_while_writing_restores_a_consistent_directory(databases: Databases) -> None:
    source, target = _source(databases), databases.new("restored")
    writer = Writer(source)
    writer.start()
    assert writer.started_writing.wait(60) and writer.failure is None
    code, out = _run("backup", str(databases.backup_file), "--database", source)
    writer.stop.set()
    writer.join(60)
    assert writer.failure is None
    assert code == 0, out
    assert "resources, schema" in out and "MB" in out
    backed_up = _resources_in(out)
    written_before = 4 + 5  # the populated ones (live), the places created before the backup
    assert backed_up >= written_before
    code, out = _run("restore", str(databases.backup_file), "--database", target)
    assert code == 0, out
    assert _resources_in(out) == backed_up
    assert _run("db", "upgrade", "--database", target)[0] == 0
    resources, whole = _versions_complete(target)
    assert whole and resources >= written_before
    checked = subprocess.run([str(OPENROR), "check", "--no-progress", "--database", target],
                             capture_output=True, text=True, check=False, timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"checked {resources} resources" in checked.stdout
    assert "consistent" in checked.stdout


def _resources_in(out: str) -> int:
    """The live resources a backup or a restore says it wrote."""
    match = re.search(r"([\d,]+) resources, schema", out)
    assert match is not None, out
    return int(match.group(1).replace(",", ""))


def test_restore_replaces_a_database_only_with_force(databases: Databases) -> None:
    source, target = _source(databases), databases.new("restored")
    assert _run("backup", str(databases.backup_file), "--database", source)[0] == 0
    assert _run("restore", str(databases.backup_file), "--database", target)[0] == 0
    code, out = _run("restore", str(databases.backup_file), "--database", target)
    assert code == 1 and out.startswith("openror: error:") and out.count("\n") == 1
    assert "--force" in out
    code, out = _run("restore", str(databases.backup_file), "--database", target, "--force")
    assert code == 0, out
    assert _run("check", "--no-progress", "--database", target)[0] == 0
    code, out = _run("backup", str(databases.backup_file), "--database", source)
    assert code == 1 and "exists" in out  # nor is a backup file replaced without --force


def _epoch(url: str) -> str | None:
    db = Database(url)
    try:
        with db.read() as conn:
            return feed_epoch.current(conn)
    finally:
        db.dispose()


def test_a_restored_database_and_the_command_give_the_feed_a_new_epoch(
        databases: Databases) -> None:
    source, target = _source(databases), databases.new("restored")
    assert _run("backup", str(databases.backup_file), "--database", source)[0] == 0
    assert _run("restore", str(databases.backup_file), "--database", target)[0] == 0
    restored = _epoch(target)
    assert restored is not None and restored != _epoch(source)
    code, out = _run("db", "new-feed-epoch", "--database", target)  # after a native restore
    assert code == 0, out
    renewed = _epoch(target)
    assert renewed is not None and renewed != restored and f"epoch {renewed}" in out


def test_a_backup_of_the_other_back_end_is_refused(databases: Databases,
                                                   tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.write_bytes(b"PGDMP" if databases.backend == "sqlite" else b"SQLite format 3\x00")
    code, out = _run("restore", str(other), "--database", databases.new("restored"))
    assert code == 1 and out.count("\n") == 1
    assert "backup: restore it into a" in out


def test_a_missing_pg_dump_is_one_clear_line(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(backup_postgres, "DEBIAN_BINARIES", tmp_path)
    code, out = _run("backup", str(tmp_path / "x.dump"), "--database",
                     "postgresql://nobody@127.0.0.1:1/none")
    assert code == 1 and out.count("\n") == 1
    assert "pg_dump not found" in out and "postgresql-client" in out


def test_force_refuses_a_database_with_tables_the_backup_lacks(databases: Databases) -> None:
    if databases.backend == "sqlite":
        pytest.skip("PostgreSQL only: a SQLite restore replaces the whole file")
    source, target = _source(databases), databases.new("restored")
    assert _run("backup", str(databases.backup_file), "--database", source)[0] == 0
    assert _run("restore", str(databases.backup_file), "--database", target)[0] == 0
    engine = sa.create_engine(target.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE left_behind (x integer)")
    engine.dispose()
    code, out = _run("restore", str(databases.backup_file), "--database", target, "--force")
    assert code == 1 and "public.left_behind" in out and "empty database" in out
