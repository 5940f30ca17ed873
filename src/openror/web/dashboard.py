"""The regional capacity dashboard: ``/capacites/tableau-de-bord?region=32`` (the page) and
``/capacites/tableau-de-bord.csv?region=32`` (its table as a spreadsheet).

The region is the person's first one when none is asked; someone who reads every region
chooses it from the list. The CSV file is what French spreadsheets open as they are: UTF-8
with a byte order mark, ``;`` between fields, CRLF line ends, times in Paris time.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.access.caller import Caller
from openror.capacity import dashboard, labels
from openror.errors import Forbidden, InvalidInput, NotFound, error
from openror.geo import current_gazetteer
from openror.services.container import Services
from openror.store import freshness
from openror.store.resources import utcnow
from openror.web import dashboard_views as views
from openror.web.capacity_access import may_see_capacities
from openror.web.moments import duration, paris
from openror.web.pages import logged_in
from openror.web.render import caller_of, page

CSV_HEADERS = ("Famille d'activité", "Code département", "Département", "Lits disponibles",
               "Dont lits aux chiffres périmés", "Lieux déclarants",
               "Lieux aux chiffres périmés", "Chiffre le plus ancien (heure de Paris)",
               "Chiffre non daté")


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def regions_for(caller: Caller) -> list[tuple[str, str]]:
    """(code, name) of the regions the caller may choose."""
    return [(r.code, r.name) for r in current_gazetteer().rows.regions
            if not caller.regions or r.code in caller.regions]


def chosen_region(request: Request, caller: Caller) -> str | None:
    """The region asked for, or the person's first; None: they have to choose."""
    asked = request.query_params.get("region", "").strip()
    if not asked:
        return min(caller.regions) if caller.regions else None
    if current_gazetteer().region(asked) is None:
        raise NotFound([error("not-found", f"La région « {asked} » n'existe pas : "
                              "choisissez-la dans la liste.")])
    if asked not in {code for code, _ in regions_for(caller)}:
        raise Forbidden([error("forbidden", f"La région « {asked} » n'est pas dans votre "
                               "périmètre.")])
    return asked


async def _board(request: Request, caller: Caller, region: str) -> dashboard.Dashboard:
    return await run_in_threadpool(dashboard.build, _services(request).db, caller, region,
                                   utcnow())


@logged_in
async def dashboard_page(request: Request) -> Response:
    caller = caller_of(request)
    may_see_capacities(caller)
    region = chosen_region(request, caller)
    context: dict[str, Any] = {"regions": regions_for(caller), "region": region,
                               "board": None, "region_name": ""}
    if region is None:
        return page(request, "tableau_de_bord.html", 200, **context)
    board = await _board(request, caller, region)
    found = current_gazetteer().region(region)
    return page(request, "tableau_de_bord.html", 200, **{
        **context, "board": board, "region_name": found.name if found else region,
        "views": views, "paris": paris, "duration": duration,
        "thresholds": freshness.thresholds(), "families": labels.FAMILY})


@logged_in
async def dashboard_csv(request: Request) -> Response:
    caller = caller_of(request)
    may_see_capacities(caller)
    region = chosen_region(request, caller)
    if region is None:
        raise InvalidInput([error("required", "Indiquez la région, par exemple "
                                  "/capacites/tableau-de-bord.csv?region=32.")])
    board = await _board(request, caller, region)
    return Response(as_csv(board).encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename="
                             f'"lits-disponibles-region-{region}.csv"'})


def as_csv(board: dashboard.Dashboard) -> str:
    """One line per family × département of the region (no totals: a spreadsheet adds
    them up without counting anything twice)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    if not board.availability_visible:
        return out.getvalue()
    for family in freshness.FAMILIES:
        for code, name in board.departements:
            cell = board.cell(family, code)
            writer.writerow((labels.FAMILY[family], code, name, cell.available,
                             cell.stale_available, cell.places, cell.stale,
                             _csv_time(cell), "oui" if cell.undated else "non"))
    return out.getvalue()


def _csv_time(cell: dashboard.Cell) -> str:
    return paris(cell.oldest).replace(" à ", " ") if cell.oldest else ""


ROUTES = [Route("/capacites/tableau-de-bord", dashboard_page, methods=["GET"]),
          Route("/capacites/tableau-de-bord.csv", dashboard_csv, methods=["GET"])]
