"""What the dashboard page shows of a ``capacity.dashboard.Dashboard``: the texts of each
cell of the table, the trend chart and its figures, the map of the places."""

from __future__ import annotations

from dataclasses import dataclass

from openror.capacity import labels
from openror.capacity.dashboard import ALL, NONE, SOME, STALE, UNKNOWN, Cell, Dashboard, Place
from openror.store import freshness
from openror.web import charts
from openror.web.moments import age, day, paris, plural

MARKERS = {
    SOME: charts.Marker("Des lits disponibles", "#1d6b34"),
    NONE: charts.Marker("Aucun lit disponible", "#b3261e", "square"),
    STALE: charts.Marker("Chiffres périmés", "#b35c00", "diamond"),
    UNKNOWN: charts.Marker("Disponibilité non déclarée", "#6b7079", "ring"),
}
STATES = {kind: marker.label for kind, marker in MARKERS.items()}


@dataclass(frozen=True)
class CellView:
    departement: str
    available: int
    places: str  # « 3 lieux déclarants »
    stale: str | None  # « 1 lieu aux chiffres périmés (4 lits) »
    oldest: str | None  # « plus ancien chiffre : il y a 3 h »

    @property
    def empty(self) -> bool:
        return self.places.startswith("0 ")


def cell_view(departement: str, cell: Cell, board: Dashboard) -> CellView:
    stale = None
    if cell.stale:
        stale = (f"{plural(cell.stale, 'lieu', 'lieux')} aux chiffres périmés "
                 f"({plural(cell.stale_available, 'lit', 'lits')})")
    oldest = None
    if cell.places:
        oldest = "un chiffre non daté" if cell.undated else \
            f"plus ancien chiffre : {age(cell.oldest, board.now)}"
    return CellView(departement, cell.available,
                    plural(cell.places, "lieu déclarant", "lieux déclarants"), stale, oldest)


@dataclass(frozen=True)
class RowView:
    family: str
    label: str
    cells: list[CellView]


def table(board: Dashboard) -> list[RowView]:
    """One row per family then the total, one cell per département then the region."""
    columns = [code for code, _ in board.departements] + [ALL]
    return [RowView(family, labels.FAMILY.get(family, "Toutes activités"),
                    [cell_view(code, board.cell(family, code), board) for code in columns])
            for family in (*freshness.FAMILIES, ALL)]


def stale_places(board: Dashboard) -> int:
    return sum(1 for p in board.places if p.stale)


# -- trend -----------------------------------------------------------------------------------

def trend_days(board: Dashboard) -> list[str]:
    assert board.trend is not None
    dates = board.trend.days.dates
    return [*(day(d) for d in dates[:-1]), f"{day(dates[-1])} (maintenant)"]


def trend_chart(board: Dashboard) -> str:
    assert board.trend is not None
    days = trend_days(board)
    totals = board.trend.totals
    series = [charts.Series(labels.FAMILY[family],
                            tuple((float(i), float(v)) for i, v in enumerate(values)))
              for family, values in totals.items()]
    x = charts.Axis("Fin de journée (heure de Paris)", 0, len(days) - 1,
                    tuple((float(i), label.split(" (")[0]) for i, label in enumerate(days)))
    y = charts.value_axis("Lits disponibles", [v for vs in totals.values() for v in vs])
    return charts.line_chart(
        "tendance", "Lits disponibles en fin de journée, sur 7 jours",
        f"Une courbe par famille d'activité, du {days[0]} au {days[-1]} ; les valeurs sont "
        "aussi dans le tableau qui suit.", series, x, y)


# -- map -------------------------------------------------------------------------------------

def dot_title(place: Place, board: Dashboard) -> str:
    figures = "disponibilité non déclarée" if place.available is None else \
        plural(place.available, "lit disponible", "lits disponibles")
    state = f", chiffres périmés (le plus ancien : {age(place.oldest, board.now)})" \
        if place.stale else (f", chiffres du {paris(place.oldest)}" if place.oldest else "")
    return f"{place.name} ({place.id}) — {figures}{state}"


def _dot(place: Place, board: Dashboard) -> charts.Dot:
    lat, lon = place.position or (0.0, 0.0)
    return charts.Dot(lat, lon, place.state, dot_title(place, board),
                      f"/capacites/lieu/{place.id}", place.id)


def map_svg(board: Dashboard) -> str:
    dots = [_dot(p, board) for p in board.places if p.position is not None]
    return charts.dot_map(
        "carte", "Carte des lieux de la région",
        f"{plural(len(dots), 'lieu', 'lieux')}, chacun coloré selon sa disponibilité ; "
        "les mêmes lieux sont listés dans le tableau des lieux.", dots, MARKERS)


def unplaced(board: Dashboard) -> int:
    return sum(1 for p in board.places if p.position is None)
