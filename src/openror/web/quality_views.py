"""What the quality pages show of a ``quality.dashboard.QualityBoard`` and of an inbox: labels
of the breakdown values, rates in French, one trend chart per rule, the links of units."""

from __future__ import annotations

from urllib.parse import urlencode

from openror.fhir.profiles import nos_url
from openror.geo import current_gazetteer
from openror.quality.dashboard import QualityBoard
from openror.quality.inbox import Unit
from openror.quality.model import Rule
from openror.quality.todo import SiteTodo
from openror.terminology import Terminology
from openror.web import charts, quality_links

BREAKDOWN_LABELS = {"": "Aucun (toute la région)", "departement": "Département",
                    "field": "Champ d'activité", "category": "Catégorie d'établissement"}
_SYSTEMS = {"field": nos_url("TRE_R227-ChampActivite"),
            "category": nos_url("TRE_R66-CategorieEtablissement")}
UNIT_KINDS = {"HealthcareService": "Offre", "Organization": "Structure", "Location": "Lieu",
              "Practitioner": "Professionnel", "PractitionerRole": "Exercice professionnel"}


def key_label(by: str, key: str | None, terminology: Terminology) -> str:
    """« Aisne (02) », « Médecine Chirurgie Obstétrique (MCO) »…; « non renseigné »."""
    if not key:
        return "non renseigné"
    if by == "departement":
        found = current_gazetteer().departement(key)
        return f"{found.name} ({key})" if found else key
    system = _SYSTEMS.get(by)
    display = terminology.display(system, key) if system else None
    return f"{display} ({key})" if display else key


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{charts.number(round(rate * 100, 1))}\u202f%"


def chart_id(rule: Rule) -> str:
    return "tendance-" + rule.id.replace(".", "-")


def trend_chart(board: QualityBoard, rule: Rule) -> str:
    weeks = board.trend.weeks
    rates = board.trend.rates.get(rule.id, [])
    series = [charts.Series("Taux de conformité", tuple(
        (float(i), None if r is None else round(r * 100, 1)) for i, r in enumerate(rates)))]
    x = charts.Axis("Semaine (lundi)", 0, max(len(weeks) - 1, 1),
                    tuple((float(i), w.strftime("%d/%m")) for i, w in enumerate(weeks)))
    y = charts.Axis("Taux (%)", 0, 100, tuple((v, f"{v:.0f}") for v in (0., 25., 50., 75., 100.)))
    frame = charts.Frame(width=420, plot_height=140)
    label = "finalisé" if rule.id in ("PE", "CP4") else "conforme"
    return charts.line_chart(
        chart_id(rule), f"{rule.id} — part {label} par semaine",
        f"Part du périmètre {label} pour la règle {rule.id} ({rule.title}), semaine par "
        "semaine ; les valeurs sont aussi dans le tableau des tendances.", series, x, y,
        frame=frame)


def csv_links(board: QualityBoard) -> dict[str, str]:
    """The exports of /api/quality for what the page shows."""
    regions = {"region": ",".join(sorted(board.regions))} if board.regions else {}
    by = ",".join(d for d in ("region", board.by) if d)
    week = {"week": board.week.isoformat()} if board.week else {}
    return {"indicators": "/api/quality/indicators?" + urlencode(
                {"_format": "csv", "by": by, **week, **regions}),
            "results": "/api/quality/results?" + urlencode(
                {"_format": "csv", "deviating": "true", "_count": "1000", **regions})}


def unit_link(unit: Unit, rule: Rule | None, editable: frozenset[str] = frozenset(),
              detail: str | None = None) -> str:
    """The most useful page about a unit: the editor's page opened on the field at fault
    when the person may edit it (web.quality_links); a place's page, the freshness of a
    site's offers for the rule on updates (RE1.2); else its FHIR description."""
    found = quality_links.link(unit, rule, detail, editable)
    if found is not None:
        return found
    if unit.type == "Location":
        return f"/capacites/lieu/{unit.id}"
    if unit.type == "Organization" and rule is not None and rule.id == "RE1.2":
        return "/qualite/fraicheur?" + urlencode({"site": unit.reference})
    return f"/fhir/{unit.reference}"


def results_export(site: SiteTodo, rule: Rule) -> str | None:
    """The CSV of the site's units deviating from the rule (/api/quality/results), when the
    person may read every result of the site."""
    if site.site is None or not site.whole:
        return None
    return "/api/quality/results?" + urlencode(
        {"site": site.site.reference, "rule": rule.id, "deviating": "true", "_count": "1000",
         "_format": "csv"})


def unit_label(unit: Unit) -> str:
    kind = UNIT_KINDS.get(unit.type, unit.type)
    return f"{kind} « {unit.name} »" if unit.name else f"{kind} {unit.id}"


def day_of(moment: str | None) -> str:
    """« 04/01/2025 » of a FHIR date or instant."""
    if not moment or len(moment) < 10:
        return "—"
    return f"{moment[8:10]}/{moment[5:7]}/{moment[:4]}"


def error_links(mode: str, errors: dict[str, str], form: dict[str, str],
                first: str | None) -> list[tuple[str, str]]:
    """(anchor, message) of the error summary: each message links to its field. An owner's
    fields are those of the anomaly they answered."""
    answered = next((k.removeprefix("choix-") for k in form if k.startswith("choix-")), "")
    anchors = {"statut": f"reponse-{answered}", "motif": f"motif-{answered}",
               "choix": f"reponse-{answered}"} if mode == "owner" else \
        {"statut": "statut", "motif": "motif", "choix": f"choix-{first}" if first else "liste"}
    return [(anchors.get(field, field), message) for field, message in errors.items()]
