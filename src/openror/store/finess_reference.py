"""The FINESS reference (tables ``finess_site`` and ``finess_authorisation``): what FINESS
itself says of each site, read by the quality rules and written by the FINESS importers.

Reads stream plain SELECTs (a national reference is ~95,000 sites). Writes compare with what
is stored and touch only what differs, so that importing the same file twice changes nothing,
not even ``updated_at`` (which tells when FINESS's word last changed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from openror.store.finess_tables import finess_authorisation, finess_site

#: values of ``finess_site.state``
OPEN, PROVISIONAL, CLOSED, LAPSED = "open", "provisional", "closed", "lapsed"
#: the columns FINESS gives (``updated_at`` is ours)
SITE_COLUMNS = ("finess", "finess_ej", "name", "category", "state", "closing_type", "region",
                "departement")
_CHUNK = 500  # keys per IN (…) list: far below SQLite's and PostgreSQL's parameter limits
_STREAM = 2000


@dataclass(frozen=True)
class FinessSite:
    finess: str  # FINESS ET
    finess_ej: str | None
    name: str | None
    category: str | None  # TRE_R66
    state: str  # open | provisional | closed | lapsed
    closing_type: str | None  # as FINESS gives it (TRE_R286 PRO, DEF…)
    region: str | None
    departement: str | None
    updated_at: datetime


@dataclass(frozen=True)
class Authorisation:
    """One authorisation of a care activity (FINESS activité / modalité / forme)."""

    activity: str
    modality: str
    form: str
    end_date: date | None


# -- reads -------------------------------------------------------------------------------


def sites(conn: sa.Connection) -> Iterator[FinessSite]:
    """Every site of the reference, by FINESS number, streamed."""
    stmt = sa.select(*(finess_site.c[name] for name in (*SITE_COLUMNS, "updated_at"))
                     ).order_by(finess_site.c.finess)
    for row in conn.execute(stmt).yield_per(_STREAM):
        yield FinessSite(*row)


def authorisations(conn: sa.Connection) -> dict[str, list[Authorisation]]:
    """The authorisations of each site, keyed by FINESS ET (sites without any are absent)."""
    fa = finess_authorisation.c
    stmt = sa.select(fa.finess, fa.activity, fa.modality, fa.form, fa.end_date).order_by(
        fa.finess, fa.activity, fa.modality, fa.form)
    found: dict[str, list[Authorisation]] = {}
    for finess, *rest in conn.execute(stmt).yield_per(_STREAM):
        found.setdefault(finess, []).append(Authorisation(*rest))
    return found


# -- writes: sites -------------------------------------------------------------------------


def upsert_sites(conn: sa.Connection, rows: Iterable[Mapping[str, str | None]],
                 now: datetime) -> int:
    """Insert new sites, update those whose FINESS word changed; return how many changed.
    A number given twice keeps its last row."""
    wanted = {str(row["finess"]): {name: row.get(name) for name in SITE_COLUMNS}
              for row in rows}
    stored = _stored_sites(conn, list(wanted))
    changed = 0
    for number, row in wanted.items():
        before = stored.get(number)
        if before == row:
            continue
        changed += 1
        if before is None:
            conn.execute(finess_site.insert().values(**row, updated_at=now))
        else:
            conn.execute(finess_site.update().where(finess_site.c.finess == number)
                         .values(**row, updated_at=now))
    return changed


def _stored_sites(conn: sa.Connection, numbers: list[str]) -> dict[str, dict[str, str | None]]:
    columns = [finess_site.c[name] for name in SITE_COLUMNS]
    found = {}
    for start in range(0, len(numbers), _CHUNK):
        stmt = sa.select(*columns).where(finess_site.c.finess.in_(numbers[start:start + _CHUNK]))
        for row in conn.execute(stmt):
            found[row[0]] = dict(zip(SITE_COLUMNS, row, strict=True))
    return found


def close_sites(conn: sa.Connection, keep: Callable[[str], bool], now: datetime,
                closing_type: str) -> int:
    """Mark closed (``closing_type``) the open sites whose number ``keep`` refuses; sites
    already closed, provisionally closed or lapsed keep FINESS's last word. Return how many."""
    stmt = sa.select(finess_site.c.finess).where(finess_site.c.state == OPEN)
    gone = [number for (number,) in conn.execute(stmt) if not keep(number)]
    for start in range(0, len(gone), _CHUNK):
        conn.execute(finess_site.update()
                     .where(finess_site.c.finess.in_(gone[start:start + _CHUNK]))
                     .values(state=CLOSED, closing_type=closing_type, updated_at=now))
    return len(gone)


# -- writes: authorisations ----------------------------------------------------------------

_AuthKey = tuple[str, str, str, str]  # finess, activity, modality, form


@dataclass(frozen=True)
class Replaced:
    added: int = 0
    changed: int = 0
    removed: int = 0


def replace_authorisations(conn: sa.Connection, wanted: Mapping[_AuthKey, date | None],
                           kept_sites: set[str], now: datetime) -> Replaced:
    """Make the table hold ``wanted`` (key → end date), except for ``kept_sites`` whose rows
    stay as they are. Unchanged rows keep their ``updated_at``. One caller's transaction."""
    fa = finess_authorisation.c
    stored: dict[_AuthKey, date | None] = {
        (f, a, m, fo): end for f, a, m, fo, end
        in conn.execute(sa.select(fa.finess, fa.activity, fa.modality, fa.form, fa.end_date))}
    removed = [key for key in stored if key not in wanted and key[0] not in kept_sites]
    added = [key for key in wanted if key not in stored and key[0] not in kept_sites]
    changed = [key for key, end in wanted.items()
               if key in stored and stored[key] != end and key[0] not in kept_sites]
    if removed:
        conn.execute(finess_authorisation.delete().where(*_by_key()),
                     [_key_params(key) for key in removed])
    if changed:
        conn.execute(finess_authorisation.update().where(*_by_key()).values(
            end_date=sa.bindparam("new_end"), updated_at=now),
            [{**_key_params(key), "new_end": wanted[key]} for key in changed])
    if added:
        conn.execute(finess_authorisation.insert(), [
            {**_columns(key), "end_date": wanted[key], "updated_at": now} for key in added])
    return Replaced(len(added), len(changed), len(removed))


_KEY_COLUMNS = ("finess", "activity", "modality", "form")


def _columns(key: _AuthKey) -> dict[str, str]:
    return dict(zip(_KEY_COLUMNS, key, strict=True))


def _key_params(key: _AuthKey) -> dict[str, str]:
    return {f"k_{name}": value for name, value in _columns(key).items()}


def _by_key() -> tuple[sa.ColumnElement[bool], ...]:
    """WHERE on the primary key, bound per row (executemany)."""
    return tuple(finess_authorisation.c[name] == sa.bindparam(f"k_{name}")
                 for name in _KEY_COLUMNS)
