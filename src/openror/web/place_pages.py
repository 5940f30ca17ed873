"""A place's capacity page, ``/capacites/lieu/{id}``: its current figures (what each is, its
count, its date and age, stale or not) and the chart of each indicator over the last 30
days, as the caller may see them: the place as the read policy shows it, the history with
the rules of ``/api/capacity/history`` (whose CSV the page links to)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.access.caller import Caller
from openror.capacity import labels, timeline
from openror.capacity.paris_time import local
from openror.errors import NotFound, error
from openror.fhir import capacity_indicators as ci
from openror.services.container import Services
from openror.store import capacity_dashboard as queries
from openror.store import freshness
from openror.store.capacity_history import COLUMNS, moment
from openror.store.capacity_queries import INDICATOR_COLUMNS
from openror.store.resources import utcnow
from openror.web import charts
from openror.web.capacity_access import may_see_capacities
from openror.web.moments import age, day, duration, paris, plural
from openror.web.pages import logged_in
from openror.web.render import caller_of, page

HISTORY_DAYS = 30


@dataclass(frozen=True)
class Figure:
    label: str
    count: Any
    updated: str
    age: str
    ageing: bool  # every figure but the installed capacity
    stale: bool


@dataclass
class PlaceView:
    id: str
    name: str
    family: str
    now: datetime
    figures: list[Figure] = field(default_factory=list)
    fresh: freshness.Freshness | None = None
    series: dict[queries.Indicator, timeline.Steps] = field(default_factory=dict)


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def indicator_label(indicator: queries.Indicator) -> str:
    return labels.indicator(dict(zip(INDICATOR_COLUMNS, indicator, strict=True)))


def load(services: Services, rid: str, caller: Caller, now: datetime) -> PlaceView:
    start = now - timedelta(days=HISTORY_DAYS)
    with services.db.read() as conn:
        stored = services.reader.seen_now("Location", rid, caller, conn)
        if stored is None or stored.content is None:
            raise NotFound([error("not-found", f"Aucun lieu « {rid} » que vous puissiez "
                                  "voir.")])
        family = freshness.families_of(conn, [rid]).get(rid, freshness.DEFAULT)
        changes = queries.changes(conn, caller, start, place=rid)
    body = orjson.loads(stored.content)
    view = PlaceView(rid, str(body.get("name") or rid), family, now,
                     fresh=freshness.freshness(body, family, now),
                     series=timeline.steps(changes, start))
    view.figures = figures(body, view)
    return view


def figures(body: dict[str, Any], view: PlaceView) -> list[Figure]:
    stale = set(view.fresh.stale) if view.fresh else set()
    found = []
    for _, record in ci.records(body):
        updated = moment(record.updated)
        ageing = record.key[1] != ci.INSTALLED
        found.append(Figure(labels.indicator(dict(zip(COLUMNS.values(), record.key,
                                                      strict=True))),
                            record.count, paris(updated) if record.updated else "non datée",
                            age(updated, view.now) if ageing else "—", ageing,
                            record.key in stale))
    return found


def history_chart(view: PlaceView) -> str:
    start = view.now - timedelta(days=HISTORY_DAYS)

    def x_of(at: datetime) -> float:
        return (at - start).total_seconds() / 86400

    series = [charts.Series(indicator_label(key), tuple((x_of(at), None if n is None
                                                         else float(n)) for at, n in steps))
              for key, steps in sorted(view.series.items(), key=_order)]
    ticks = tuple((float(d), day(local(start + timedelta(days=d)).date()))
                  for d in range(0, HISTORY_DAYS + 1, 5))
    x = charts.Axis("Date (heure de Paris)", 0, HISTORY_DAYS, ticks)
    y = charts.value_axis("Nombre de lits ou places",
                          [n for steps in view.series.values() for _, n in steps])
    return charts.line_chart(
        "historique", f"Chiffres de {view.name} sur {HISTORY_DAYS} jours",
        f"{plural(len(series), 'courbe', 'courbes')}, une par indicateur ; chaque valeur "
        "vaut jusqu'au chiffre suivant. Les changements sont aussi listés sous le "
        "graphique.", series, x, y, step=True)


def _order(item: tuple[queries.Indicator, timeline.Steps]) -> tuple[str, ...]:
    return tuple(code or "" for code in item[0])


def changes_table(view: PlaceView) -> list[tuple[str, str, str]]:
    """(when, indicator, value) of every value the chart draws, latest first."""
    rows = [(at, indicator_label(key), "retiré" if n is None else str(n))
            for key, steps in view.series.items() for at, n in steps]
    return [(paris(at), label, value) for at, label, value in
            sorted(rows, key=lambda r: r[0], reverse=True)]


@logged_in
async def place_page(request: Request) -> Response:
    caller = caller_of(request)
    may_see_capacities(caller)
    rid = request.path_params["id"]
    view = await run_in_threadpool(load, _services(request), rid, caller, utcnow())
    return page(request, "lieu.html", place=view, family=labels.FAMILY[view.family],
                chart=history_chart(view) if view.series else None,
                changes=changes_table(view), days=HISTORY_DAYS, paris=paris,
                duration=duration)


ROUTES = [Route("/capacites/lieu/{id}", place_page, methods=["GET"])]
