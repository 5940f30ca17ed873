"""The orientation's short list as a spreadsheet, and its results on the map.

The CSV file is what French spreadsheets open as they are (as the capacity dashboard's):
UTF-8 with a byte order mark, ``;`` between fields, CRLF line ends, decimal commas, times in
Paris time. Each line says how old its availability figure is and whether it is stale."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from markupsafe import Markup

from openror.api.orientation_api import Orientation
from openror.search.orientation.model import french_km
from openror.web import maps
from openror.web.moments import paris
from openror.web.orientation_views import ResultView

CSV_HEADERS = ("Rang", "Offre", "Identifiant de l'offre", "Structure", "Lieux",
               "Distance (km)", "Disponibilité", "Date du chiffre (heure de Paris)",
               "Donnée ancienne", "Ouverture", "Contacts", "Pourquoi ce résultat",
               "Lien", "Recherche du (heure de Paris)")


def chosen(found: list[ResultView], ids: list[str]) -> tuple[list[ResultView], list[str]]:
    """The results chosen, in their rank (every result when none is), and the chosen ids
    this run of the search no longer returns."""
    if not ids:
        return found, []
    returned = {r.id for r in found}
    return [r for r in found if r.id in ids], [i for i in ids if i not in returned]


def as_csv(found: list[ResultView], done: Orientation, base_url: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    searched = _csv_time(done.now)
    for r in found:
        writer.writerow((
            r.rank, r.name, r.id, r.site,
            " | ".join(", ".join(p for p in (place.name, place.address) if p)
                       for place in r.places),
            "" if r.distance_km is None else french_km(r.distance_km),
            r.beds, _csv_time(r.updated), "oui" if r.stale else "non", r.opening,
            " | ".join(f"{c.channel} : {c.value}" + (f" ({c.label})" if c.label else "")
                       for c in r.contacts),
            r.why, base_url + r.href, searched))
    return out.getvalue()


def _csv_time(moment: datetime | None) -> str:
    return paris(moment).replace(" à ", " ") if moment else ""


def map_of(done: Orientation, found: list[ResultView], tiles_url: str | None) -> Markup:
    """The patient's point, the search radius, and one marker per placed result, numbered
    like the list and leading to it."""
    markers = [maps.Marker(r.position[0], r.position[1], str(r.rank),
                           f"{r.rank}. {r.name} — {r.distance}", f"#{r.anchor}")
               for r in found if r.position is not None]
    scope = done.outcome.scope
    return maps.render_map((done.where.lat, done.where.lon),
                           f"Patient : {done.where.label}", markers,
                           radius_km=None if scope.national else float(scope.radius_km),
                           tiles_url=tiles_url, ident="carte-resultats")
