"""How many availability figures there are, by the activity family of their place and by
freshness, for monitoring (``/-/metrics``).

An availability figure is a capacity record of status *available* (02) of a place; it is
stale when it has no update date or one older than the threshold of its place's family
(``store.freshness``). Everything is read through indexes, whatever the size of the
directory, in statements that each follow one index and give the planner no other choice
(a join left to it started, on SQLite, from every reference to a place):

- every figure, and those stale by the default threshold: one pass over the index of the
  figures' update dates (``ix_search_capacity_available_updated``, partial on status 02,
  which is why the status is written as a literal);
- the places of the critical and emergency families: the offers of those activities
  (``ix_search_token``), their places (``ix_search_ref_owner``), and those places' figures
  (by primary key), counted again by their own family's threshold.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa

from openror.fhir import capacity_indicators as ci
from openror.fhir.search_values import instant_text
from openror.store import freshness
from openror.store.search_tables import search_capacity, search_ref, search_token

FRESH, STALE = "fresh", "stale"
#: as the partial index is defined: a literal (with a bound parameter it would not be used)
_AVAILABLE = search_capacity.c.status == sa.literal_column("'02'")
_CHUNK = 900  # ids per statement: SQLite's parameter limit


def availability_freshness(conn: sa.Connection, now: datetime) -> dict[tuple[str, str], int]:
    """(family, fresh|stale) -> how many availability figures, every pair present."""
    limits = freshness.thresholds()
    cutoff = {family: instant_text(now - limits.of(family)) for family in freshness.FAMILIES}
    total, stale = conn.execute(_everywhere(cutoff[freshness.DEFAULT])).one()
    found = {(family, state): 0 for family in freshness.FAMILIES for state in (FRESH, STALE)}
    default = {FRESH: int(total) - int(stale or 0), STALE: int(stale or 0)}
    for family, updated in _special_figures(conn):
        found[family, _state(updated, cutoff[family])] += 1
        default[_state(updated, cutoff[freshness.DEFAULT])] -= 1  # counted above as default
    found[freshness.DEFAULT, FRESH], found[freshness.DEFAULT, STALE] = default[FRESH], default[
        STALE]
    return found


def _state(updated: str | None, cutoff: str) -> str:
    return STALE if updated is None or updated < cutoff else FRESH


def _everywhere(cutoff: str) -> sa.Select[int, int]:
    c = search_capacity
    updated = c.c.updated_low
    stale = sa.func.count(sa.case((sa.or_(updated.is_(None), updated < cutoff), 1)))
    return sa.select(sa.func.count(), stale).where(c.c.type == "Location", _AVAILABLE,
                                                    c.c.n == 0)


def _special_figures(conn: sa.Connection) -> Iterator[tuple[str, str | None]]:
    """(family, update date) of each figure of the critical and emergency places."""
    places = _special_places(conn)
    c = search_capacity
    ids = sorted(places)
    for start in range(0, len(ids), _CHUNK):
        # by primary key: the records of a place are stored together (a dozen or so)
        for place, status, n, updated in conn.execute(sa.select(
                c.c.id, c.c.status, c.c.n, c.c.updated_low).where(
                c.c.type == "Location", c.c.id.in_(ids[start:start + _CHUNK]))):
            if status == ci.AVAILABLE and n == 0:
                yield places[place], updated


def _special_places(conn: sa.Connection) -> dict[str, str]:
    """Place id -> critical or emergency: the most demanding family among its offers."""
    codes = freshness.family_codes()
    t, r = search_token, search_ref
    offers: dict[str, str] = {}
    for offer, code in conn.execute(sa.select(t.c.id, t.c.code).where(
            t.c.type == "HealthcareService", t.c.param == "specialty",
            t.c.code.in_(sorted(codes[freshness.CRITICAL] | codes[freshness.EMERGENCY])))):
        offers[offer] = freshness.most_demanding(offers.get(offer),
                                                 freshness.family_of(code, codes))
    places: dict[str, str] = {}
    ids = sorted(offers)
    for start in range(0, len(ids), _CHUNK):
        for offer, place in conn.execute(sa.select(r.c.id, r.c.target_id).where(
                r.c.type == "HealthcareService", r.c.id.in_(ids[start:start + _CHUNK]),
                r.c.param == "location")):
            places[place] = freshness.most_demanding(places.get(place), offers[offer])
    return places
