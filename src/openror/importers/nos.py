"""``openror import nos PATH…``: load a newer NOS release into the database.

The release is parsed completely before anything is stored, and stored in one transaction:
bad input changes nothing. Servers pick the release up when they (re)start.
"""

from __future__ import annotations

from pathlib import Path

from openror.config import Settings
from openror.store import nos_releases
from openror.store.database import Database
from openror.terminology import Release, default_terminology, load_release


def import_nos(settings: Settings, paths: list[Path]) -> str:
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(2, "no such file or directory", str(path))
    release = load_release(paths)
    db = Database(settings.effective_database_url)
    try:
        with db.write() as conn:
            nos_releases.save(conn, release)
    finally:
        db.dispose()
    concepts = sum(len(vs.concepts) for vs in release.value_sets)
    return (f"imported NOS release '{release.label}': {len(release.value_sets)} value sets, "
            f"{concepts} concepts, {_dropped(release)} codes no longer listed (now retired)")


def _dropped(release: Release) -> int:
    """Codes of the bundled value sets that this release no longer lists."""
    bundled = default_terminology()
    count = 0
    for vs in release.value_sets:
        before = bundled.value_set(vs.id)
        if before is not None:
            now = {(c.system, c.code) for c in vs.concepts}
            count += sum(1 for c in before.concepts if (c.system, c.code) not in now)
    return count
