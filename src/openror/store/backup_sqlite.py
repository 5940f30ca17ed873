"""SQLite backups: the online backup API, which copies the database as one read transaction
sees it (a consistent snapshot, WAL included) while the server goes on reading and writing.

The paging snapshots file next to the database (``dialect.side_url``) is a disposable cache
of search result pages: it is neither backed up nor restored (a restore removes the stale
one; the server recreates it on first use).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import sqlalchemy as sa

from openror.store.backup import (
    Written,
    expect_kind,
    expect_known,
    fail,
    replaced_atomically,
)
from openror.store.dialect import SQLITE_BUSY_TIMEOUT_MS, side_url

CACHE_NOTE = "not backed up: {name} (search paging snapshots, a disposable cache)"


def database_path(url: str) -> Path:
    name = sa.engine.make_url(url).database
    if not name or name == ":memory:":
        raise fail("an in-memory SQLite database cannot be backed up or restored")
    return Path(name)


def backup(url: str, path: Path) -> Written:
    source = database_path(url)
    if not source.is_file():
        raise fail(f"{source}: no such database")
    # closed in reverse order: both connections, then the complete file is renamed
    with (_reported(source), replaced_atomically(path) as temporary,
          closing(_connect(source)) as src, closing(_connect(temporary)) as dst):
        src.backup(dst)  # all pages in one step: one read transaction, one snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
        resources, revision = _describe(dst)
    notes = tuple(CACHE_NOTE.format(name=Path(side).name) for side in _caches(url))
    return Written(str(path), path.stat().st_size, resources, revision, notes)


def restore(path: Path, url: str, *, force: bool) -> Written:
    target = database_path(url)
    expect_kind(path, "sqlite")
    with _reported(path), closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro",
                                                  uri=True)) as src:
        resources, revision = _describe(src)
        expect_known(revision, path)
        if target.exists() and not force:
            raise fail(f"{target} exists: give --force to replace it (stop the server first)")
        target.parent.mkdir(parents=True, exist_ok=True)
        with replaced_atomically(target) as temporary:
            with closing(_connect(temporary)) as dst:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")
                _check_integrity(dst, path)
            _forget(target, url)
    return Written(str(target), target.stat().st_size, resources, revision)


@contextmanager
def _reported(path: Path) -> Iterator[None]:
    """SQLite's errors as one line that names the file."""
    try:
        yield
    except sqlite3.Error as exc:
        raise fail(f"{path}: {exc}") from None


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    return conn


def _describe(conn: sqlite3.Connection) -> tuple[int, str | None]:
    """(live resources, schema revision) of a database."""
    try:
        (resources,) = conn.execute("SELECT count(*) FROM resource WHERE deleted = 0").fetchone()
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise fail(f"not an openror database: {exc}") from None
    return int(resources), None if row is None else str(row[0])


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    (result,) = conn.execute("PRAGMA quick_check").fetchone()
    if result != "ok":
        raise fail(f"{path} is damaged ({result}): restore another backup")


def _caches(url: str) -> list[str]:
    side = side_url(url, "snapshots")
    name = sa.engine.make_url(side).database if side else None
    return [name] if name and Path(name).exists() else []


def _forget(target: Path, url: str) -> None:
    """Remove what belongs to the database being replaced: its write-ahead log (which SQLite
    would otherwise replay into the restored file) and its paging snapshots."""
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    for cache in _caches(url):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{cache}{suffix}").unlink(missing_ok=True)
