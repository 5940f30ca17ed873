"""« À compléter »: what the last quality run found missing or stale in an owner's
establishments, for the rules that raise no anomaly (completeness and recency: PE, CP4–CP6,
RE1.2, RE2…, which concern most establishments while a region populates its directory).

A referent sees the sites under the organisation of their role (itself included), every
unit of them; a professional sees the sites of the offers they govern (their practice; no
site when the run could place it in none), only the offers and places they govern. Per
site and rule: how many units deviate and the first ``CAP`` of them with what is missing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from openror.access.caller import Caller, Grant
from openror.access.roles import PROFESSIONAL, REFERENT
from openror.errors import OpenRORError
from openror.quality import catalog
from openror.quality.freshness import (
    HS,
    ORG,
    PLACE,
    Ownership,
    offers_of_practitioner,
    organizations_under,
)
from openror.quality.inbox import Unit, name_of
from openror.quality.model import Rule
from openror.store import quality_inbox, quality_reports, quality_todo
from openror.store.database import Database
from openror.store.hierarchy import Graph

#: units listed per rule; the others are counted (the CSV export has them all)
CAP = 50


@dataclass(frozen=True)
class Entry:
    unit: Unit | None  # None: not a ROR resource (a FINESS site or field)
    label: str  # the unit as the run named it ("finess:…" when not in the ROR)
    detail: str | None  # what is missing, in French


@dataclass(frozen=True)
class RuleTodo:
    rule: Rule
    total: int  # deviating units; more than ``len(entries)`` when the list is cut
    entries: list[Entry]

    @property
    def more(self) -> int:
        return self.total - len(self.entries)


@dataclass(frozen=True)
class SiteTodo:
    site: Unit | None  # None: units the run placed in no site (a practice without category)
    rules: list[RuleTodo]
    whole: bool  # every unit: the caller may edit the site (and read its results in the API)


@dataclass(frozen=True)
class Todo:
    run_at: datetime | None  # when the last run finished (or started, while it runs)
    sites: list[SiteTodo]


def _rules() -> list[str]:
    return [rule.id for rule in catalog.rules() if not rule.anomaly]


def _unit(reference: str, names: dict[tuple[str, str], dict[str, object]]) -> Unit | None:
    rtype, slash, rid = reference.partition("/")
    if not slash or reference.startswith("finess:"):
        return None
    return Unit(rtype, rid, name_of(names.get((rtype, rid)) or {}))


def _may_edit(conn: sa.Connection, ownership: Ownership, caller: Caller,
              site: str | None) -> bool:
    if site is None:
        return False
    try:
        ownership.authorise_edit(conn, caller, *site.split("/", 1))
    except OpenRORError:
        return False
    return True


def _governed(conn: sa.Connection, ownership: Ownership, graph: Graph, grant: Grant
              ) -> set[str]:
    """The offers of a professional's practice and their places, those the role governs."""
    offers = [o for o in offers_of_practitioner(graph, grant.scope or "")
              if ownership.governs(conn, grant, HS, o)]
    places = {p for o in offers for p in graph.targets(HS, o, "location")}
    return ({f"{HS}/{o}" for o in offers}
            | {f"{PLACE}/{p}" for p in places if ownership.governs(conn, grant, PLACE, p)})


def _scopes(conn: sa.Connection, ownership: Ownership, caller: Caller
            ) -> dict[str | None, set[str] | None]:
    """Site -> the units of it the caller sees (None: all of them)."""
    graph, found = Graph(conn), dict[str | None, set[str] | None]()
    for grant in caller.grants:
        if grant.role == REFERENT and grant.scope:
            under = [f"{ORG}/{o}" for o in organizations_under(graph, grant.scope)]
            found.update(dict.fromkeys(quality_todo.sites_among(conn, under)))
        elif grant.role == PROFESSIONAL and grant.scope:
            units = _governed(conn, ownership, graph, grant)
            for site in quality_todo.sites_of_units(conn, units):
                if site not in found or found[site] is not None:
                    found[site] = (found.get(site) or set()) | units
    return found


def _listed(conn: sa.Connection, site: str | None, units: Collection[str] | None
            ) -> list[tuple[Rule, int, list[quality_todo.Deviation]]]:
    """Per rule with deviations: the rule, how many units deviate, the first ``CAP``."""
    rules = _rules()
    counts = quality_todo.counts(conn, site, rules, units)
    return [(catalog.rule(rule), counts[rule],
             quality_todo.deviations(conn, site, rule, CAP, units))
            for rule in rules if counts.get(rule)]


def _named(conn: sa.Connection, caller: Caller, site: str | None,
           listed: list[tuple[Rule, int, list[quality_todo.Deviation]]], whole: bool
           ) -> SiteTodo:
    """The site's list with the names of the units the caller may see."""
    units = [_unit(d.unit, {}) for _, _, found in listed for d in found]
    refs = {(u.type, u.id) for u in units if u is not None}
    if site is not None:
        refs.add((ORG, site.removeprefix(f"{ORG}/")))
    names = quality_inbox.visible_contents(conn, caller, refs)
    return SiteTodo(None if site is None else _unit(site, names),
                    [RuleTodo(rule, total, [Entry(_unit(d.unit, names), d.unit, d.detail)
                                            for d in found])
                     for rule, total, found in listed], whole)


def owner_todo(db: Database, caller: Caller, ownership: Ownership) -> Todo:
    """What the owner's establishments have to complete, after the last quality run."""
    with db.read() as conn:
        last = quality_reports.last_run(conn)
        if last is None:
            return Todo(None, [])
        sites = []
        for site, units in _scopes(conn, ownership, caller).items():
            whole = _may_edit(conn, ownership, caller, site)
            if not whole and units is None and site is None:
                continue  # never every unit placed in no site
            listed = _listed(conn, site, None if whole else units)
            if listed:
                sites.append(_named(conn, caller, site, listed, whole))
    return Todo(last[1] or last[0], sites)
