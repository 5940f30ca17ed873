"""FINESS's own word on each site (table ``finess_site``), kept apart from the ROR resources.

Each site line the FINESS source accepts carries its reference row on the site's record; the
import run hands the rows of every applied batch to :func:`keep` inside that batch's
transaction. Sites that vanish from a newer file are marked as the run closes their resources
(``importers.closing``): an open site becomes ``closed`` / ``DEF``, never deleted; a site FINESS
already gave as closed, provisionally closed or lapsed keeps that word.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

from openror.importers import finess_places
from openror.importers.base import Key
from openror.importers.finess_model import (
    CLOSED_DEFINITIVELY,
    CLOSED_PROVISIONALLY,
    SYSTEM_FINESS,
    Site,
)
from openror.store import finess_reference as store
from openror.store.resources import utcnow


def state_of(site: Site) -> tuple[str, str | None]:
    """(state, closing type): lapsed first (caducité: the site never opened or stopped being
    authorised), then the closing date; a closing date without a type is taken as definitive,
    as the importer writes it on the ROR site."""
    if site.lapsed:
        return store.LAPSED, site.closing_type or None
    if not site.closed:
        return store.OPEN, None
    closing_type = site.closing_type or CLOSED_DEFINITIVELY
    return (store.PROVISIONAL if closing_type == CLOSED_PROVISIONALLY else store.CLOSED,
            closing_type)


def site_row(site: Site, cog: str | None, departement: str) -> dict[str, str | None]:
    """The ``finess_site`` row of a site; ``departement`` (from its FINESS number) stands in
    when its commune is unknown."""
    state, closing_type = state_of(site)
    region, division = finess_places.division(cog, departement)
    return {"finess": site.finess, "finess_ej": site.finess_ej or None,
            "name": site.name or None, "category": site.category or None, "state": state,
            "closing_type": closing_type, "region": region, "departement": division}


def keep(conn: sa.Connection, references: list[Mapping[str, Any]]) -> int:
    return store.upsert_sites(conn, references, utcnow())


def mark_vanished(conn: sa.Connection, present: set[tuple[str, Key]], scopes: list[str],
                  scope_of: Callable[[str], str]) -> int:
    """Close the open sites of ``scopes`` whose FINESS ET is not among the staged sites."""
    staged = {key.value for rtype, key in present
              if rtype == "Organization" and key.system == SYSTEM_FINESS}
    wanted = set(scopes)
    return store.close_sites(
        conn, lambda number: number in staged or scope_of(number) not in wanted, utcnow(),
        CLOSED_DEFINITIVELY)

