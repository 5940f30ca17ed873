"""``openror import finess-reference FILE``: a FINESS reference file into the tables
``finess_site`` and ``finess_authorisation`` (``finess-reference.json.gz`` of ``openror
generate national``; the demo loads its ``sample.finess.json.gz`` with the same code).

A table source: the file is a whole reference, so its sites are upserted (sites it does not
name are left alone) and its authorisations replace the table, in one transaction. The file is
checked completely first; a bad one changes nothing. Layout: gzip'd JSON
``{"sites": [{finess, finess_ej, name, category, state, closing_type, region, departement}],
"authorisations": [{finess, activity, modality, form, end_date}]}`` (``end_date`` ISO or null).
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from openror.config import Settings
from openror.errors import InvalidInput, error
from openror.store import finess_reference as store
from openror.store.database import Database
from openror.store.finess_tables import finess_authorisation, finess_site
from openror.store.resources import utcnow

SOURCE = "finess-reference"
STATES = (store.OPEN, store.PROVISIONAL, store.CLOSED, store.LAPSED)
AUTH_COLUMNS = ("finess", "activity", "modality", "form")

AuthKey = tuple[str, str, str, str]  # FINESS ET, activity, modality, form


@dataclass(frozen=True)
class ReferenceFile:
    sites: list[dict[str, str | None]]
    authorisations: dict[AuthKey, date | None]


@dataclass(frozen=True)
class Loaded:
    sites: int  # site rows added or changed
    authorisations: store.Replaced


def import_finess_reference(settings: Settings, paths: list[Path]) -> str:
    if len(paths) != 1:
        raise InvalidInput([error("invalid", f"import {SOURCE} takes one file, "
                                  f"not {len(paths)}")])
    reference = read(paths[0])
    db = Database(settings.effective_database_url)
    try:
        with db.write() as conn:
            done = load(conn, reference, utcnow())
    finally:
        db.dispose()
    changes = done.authorisations
    return (f"import {SOURCE}: {len(reference.sites)} sites ({done.sites} added or changed), "
            f"{len(reference.authorisations)} authorisations ({changes.added} added, "
            f"{changes.changed} changed, {changes.removed} removed)")


def load(conn: sa.Connection, reference: ReferenceFile, now: datetime) -> Loaded:
    """Upsert the sites, replace the authorisations: in the caller's transaction."""
    sites = store.upsert_sites(conn, reference.sites, now)
    return Loaded(sites, store.replace_authorisations(conn, reference.authorisations, set(),
                                                      now))


def read(path: Path) -> ReferenceFile:
    if not path.is_file():
        raise FileNotFoundError(2, "no such file or directory", str(path))
    return parse(path.read_bytes(), str(path))


def parse(raw: bytes, where: str) -> ReferenceFile:
    """The checked content of a reference file; InvalidInput (one line) if it is not one."""
    try:
        document = orjson.loads(gzip.decompress(raw))
    except (OSError, EOFError, zlib.error) as exc:
        raise _invalid(where, f"not a gzip file: {exc}") from None
    except orjson.JSONDecodeError as exc:
        raise _invalid(where, f"not JSON: {exc}") from None
    if not isinstance(document, dict) or not all(
            isinstance(document.get(name), list) for name in ("sites", "authorisations")):
        raise _invalid(where, 'expected an object {"sites": [...], "authorisations": [...]}')
    sites = [_site(where, n, row) for n, row in enumerate(document["sites"])]
    wanted: dict[AuthKey, date | None] = {}
    for n, row in enumerate(document["authorisations"]):
        key, end = _authorisation(where, n, row)
        wanted[key] = end
    return ReferenceFile(sites, wanted)


def _site(where: str, n: int, row: Any) -> dict[str, str | None]:
    at = f"sites[{n}]"
    _check_columns(where, at, row, finess_site, store.SITE_COLUMNS, ("finess", "state"))
    if row["state"] not in STATES:
        raise _invalid(where, f"{at}.state: '{row['state']}' is not one of "
                       f"{', '.join(STATES)}")
    return {name: row.get(name) for name in store.SITE_COLUMNS}


def _authorisation(where: str, n: int, row: Any) -> tuple[AuthKey, date | None]:
    at = f"authorisations[{n}]"
    _check_columns(where, at, row, finess_authorisation, AUTH_COLUMNS, AUTH_COLUMNS)
    finess, activity, modality, form = (row[name] for name in AUTH_COLUMNS)
    end = row.get("end_date")
    if end is None:
        return (finess, activity, modality, form), None
    if isinstance(end, str):
        try:
            return (finess, activity, modality, form), date.fromisoformat(end)
        except ValueError:
            pass
    raise _invalid(where, f"{at}.end_date: expected a date (YYYY-MM-DD) or null, "
                   f"got {orjson.dumps(end).decode()}")


def _check_columns(where: str, at: str, row: Any, table: sa.Table, columns: tuple[str, ...],
                   required: tuple[str, ...]) -> None:
    """Strings (or null where the column allows it) that fit their column; a FINESS number
    is never empty."""
    if not isinstance(row, Mapping):
        raise _invalid(where, f"{at}: expected an object")
    for name in columns:
        value = row.get(name)
        if value is None and name not in required:
            continue
        length = _length(table, name)
        if (not isinstance(value, str) or len(value) > length
                or (name == "finess" and not value)):
            raise _invalid(where, f"{at}.{name}: expected a string of at most {length} "
                           f"characters, got {orjson.dumps(value).decode()}")


def _length(table: sa.Table, name: str) -> int:
    column_type = table.c[name].type
    assert isinstance(column_type, sa.String) and column_type.length is not None
    return column_type.length


def _invalid(where: str, problem: str) -> InvalidInput:
    return InvalidInput([error("invalid", f"{where}: {problem}")])
