"""Online backups of the database and their restore (``openror backup``, ``openror restore``).

SQLite: the online backup API copies a consistent snapshot into one self-contained file
(``backup_sqlite``). PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore``
(``backup_postgres``). A backup or a restored database is written under a temporary name and
renamed when complete, so a failure never leaves a half-written file in its place.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from openror.errors import OpenRORError, error
from openror.store import feed_epoch
from openror.store.database import Database
from openror.store.dialect import dialect_of, normalise_url
from openror.store.migrate import head_revision, known_revision


class BackupError(OpenRORError):
    """A backup or a restore that cannot be done: the message says why and what to do."""


def fail(message: str) -> BackupError:
    return BackupError([error("exception", message)])


@dataclass(frozen=True)
class Written:
    """What a backup or a restore wrote."""

    where: str  # the backup file, or the restored database
    size: int | None  # bytes of the file (None: a PostgreSQL database)
    resources: int  # live resources
    revision: str | None  # schema revision (Alembic)
    notes: tuple[str, ...] = ()

    @property
    def upgrade_needed(self) -> bool:
        return self.revision != head_revision()


def backup(url: str, path: Path, *, force: bool = False) -> Written:
    """Back the database up into ``path`` while it is in use."""
    if path.exists() and not force:
        raise fail(f"{path} exists: give --force to replace it")
    if not path.parent.is_dir():
        raise fail(f"{path.parent}: no such directory")
    url = normalise_url(url)
    if dialect_of(url) == "sqlite":
        from openror.store import backup_sqlite

        return backup_sqlite.backup(url, path)
    from openror.store import backup_postgres

    return backup_postgres.backup(url, path)


def restore(path: Path, url: str, *, force: bool = False) -> Written:
    """Restore the backup ``path`` into the database ``url`` (new or empty, unless ``force``)."""
    if not path.is_file():
        raise fail(f"{path}: no such backup file")
    url = normalise_url(url)
    if dialect_of(url) == "sqlite":
        from openror.store import backup_sqlite

        written = backup_sqlite.restore(path, url, force=force)
    else:
        from openror.store import backup_postgres

        written = backup_postgres.restore(path, url, force=force)
    db = Database(url)
    try:
        with db.write() as conn:  # its next change numbers repeat the backup's
            feed_epoch.renew(conn)
    finally:
        db.dispose()
    return written


SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


def kind_of(path: Path) -> str:
    """'sqlite' or 'postgresql': which back-end wrote the backup file."""
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise fail(f"{path} is not an openror backup (neither a SQLite database nor a pg_dump "
               "custom-format archive)")


def expect_kind(path: Path, dialect: str) -> None:
    found = kind_of(path)
    if found != dialect:
        raise fail(f"{path} is a {_NAMES[found]} backup: restore it into a {found}:// "
                   f"database, not a {dialect} one")


_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL (pg_dump)"}


def expect_known(revision: str | None, path: Path) -> None:
    """Refuse a backup this code could not upgrade: one of a newer openror, or none."""
    if revision is None:
        raise fail(f"{path} holds no openror schema (no alembic_version): not an openror "
                   "backup")
    if not known_revision(revision):
        raise fail(f"{path} is at schema {revision}, which this version of openror does not "
                   f"know (it knows up to {head_revision()}): restore it with the version "
                   "that made it, or a newer one")


@contextmanager
def replaced_atomically(path: Path) -> Iterator[Path]:
    """A temporary file next to ``path``, renamed to ``path`` when the block succeeds and
    removed when it fails."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    temporary.unlink(missing_ok=True)
    try:
        yield temporary
        with temporary.open("rb") as file:
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
