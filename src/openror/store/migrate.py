"""Schema migrations (Alembic), applied by ``openror db upgrade`` and by ``openror demo``."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from openror.errors import OpenRORError, error
from openror.store import bulk_indexes
from openror.store.database import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def known_revision(revision: str) -> bool:
    """Whether ``revision`` is one of this code's migrations (``upgrade`` can go on from it;
    a backup of a newer version of openror has one it does not know)."""
    try:
        return ScriptDirectory.from_config(_config()).get_revision(revision) is not None
    except CommandError:
        return False


def current_revision(db: Database) -> str | None:
    with db.writer.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> None:
    cfg = _config()
    with db.writer.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        if revision == "head":  # a first import that stopped half-way left them out
            bulk_indexes.build(conn)


class SchemaOutOfDate(OpenRORError):
    pass


def ensure_current(db: Database) -> None:
    """Refuse to serve a database whose schema is not the one this code expects."""
    current, head = current_revision(db), head_revision()
    if current != head:
        raise SchemaOutOfDate([error(
            "exception",
            f"database schema is at {current or 'nothing'}, this version needs {head}: "
            "run 'openror db upgrade'",
        )])
