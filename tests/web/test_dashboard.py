"""The regional capacity dashboard and a place's history chart, in a real browser, on both
back-ends: beds available now by activity family × département with stale figures marked,
the 7-day trend, the map, the CSV export, the place page and its chart, and who may see
them.

The world (region 32, Hauts-de-France): two intensive-care places (activity 127, family
"critical"), icu-a in the Aisne (02) fed three times over the last days, icu-b in the Oise
(60) whose figure is two days old (stale after 24 h); two other places, med-c (Aisne, fed
from a figure ten days old) and med-d (Oise, no bed left); noinfo-e (Oise, installed beds
only, no position); and a place of region 11 that must not show."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import sqlalchemy as sa

from openror.access.caller import Caller
from openror.capacity import timeline
from openror.store.capacity_history import capacity_history
from openror.store.capacity_queries import HistoryQuery, figure_policy, history
from openror.store.resources import utcnow
from tests.api.people_fixture import PASSWORD, add_accounts
from tests.builders import coding, healthcare_service, organization
from tests.capacity.feed_fixture import (
    FHIR,
    SITE,
    available,
    indicator_path,
    installed,
    place,
    record,
    replace,
    send,
)
from tests.conftest import LiveServer, wipe

if TYPE_CHECKING:
    from playwright.sync_api import Page

DASHBOARD = "/capacites/tableau-de-bord"
#: login -> roles
ACCOUNTS = {"op": ("operator:32",), "op11": ("operator:11",), "admin": ("admin",),
            "ref": ("referent:eg",), "nobody": ()}


@pytest.fixture(scope="module")
def live_server(region_server: LiveServer) -> LiveServer:
    return region_server


@dataclass(frozen=True)
class World:
    days: timeline.Days
    server: LiveServer


def noon(day: date) -> str:
    """Noon of a day, Paris time (always in the past for the days before today)."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=timeline.PARIS).isoformat()


def instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds") + "Z"


def positioned(body: dict[str, Any], lat: float, lon: float) -> dict[str, Any]:
    return {**body, "position": {"latitude": lat, "longitude": lon}}


def _seed(api: httpx.Client, days: timeline.Days) -> None:
    d = days.dates  # d[-1] is today, d[-2] yesterday…
    today = instant(max(days.ends[-2] + timedelta(seconds=1), utcnow() - timedelta(minutes=5)))
    ten_days_ago = noon(d[-1] - timedelta(days=10))
    built = noon(d[-4])  # the installed capacities' date (they do not age)
    places = [
        positioned(place("icu-a", f"{SITE}/UF0001", installed(20, updated=built),
                         available(6, updated=noon(d[-4])),
                         record("06", 2, updated=today, additionalBedType="01"),
                         commune="02691"), 49.85, 3.29),
        positioned(place("icu-b", None, installed(10, updated=built),
                         available(3, updated=noon(d[-3])), commune="60057"), 49.43, 2.08),
        positioned(place("med-c", f"{SITE}/UF0003", installed(30, updated=built),
                         available(1, updated=ten_days_ago), commune="02408"), 49.56, 3.62),
        positioned(place("med-d", None, available(0, updated=today), commune="60175"),
                   49.26, 2.48),
        place("noinfo-e", None, installed(8, updated=built), commune="60057"),
        positioned(place("far", None, available(9, updated=today), commune="75056",
                         region="11"), 48.85, 2.35),
    ]
    for body in places:
        api.put(f"/fhir/Location/{body['id']}", json=body, headers=FHIR).raise_for_status()
    api.put("/fhir/Organization/eg", json={**organization(), "id": "eg"},
            headers=FHIR).raise_for_status()
    offer = {**healthcare_service("Organization/eg"), "id": "hs-icu",
             "specialty": [coding("TRE_R211-ActiviteOperationnelle", "127")],
             "location": [{"reference": "Location/icu-a"}, {"reference": "Location/icu-b"}]}
    api.put("/fhir/HealthcareService/hs-icu", json=offer, headers=FHIR).raise_for_status()
    for count, when, unit in ((2, noon(d[-2]), "UF0001"), (4, today, "UF0001"),
                              (5, noon(d[-2]), "UF0003")):
        sent = send(api, replace(available(count, updated=when),
                                 indicator_path("02", gender="01")), f"{SITE}/{unit}")
        assert sent.status_code == 200, sent.text


@pytest.fixture
def world(live_server: LiveServer) -> World:
    wipe(live_server.app.state.services.db)
    days = timeline.last_days(utcnow(), 7)
    with live_server.client("") as api:
        _seed(api, days)
    add_accounts(live_server, {login: (None, roles) for login, roles in ACCOUNTS.items()})
    return World(days, live_server)


def log_in(page: Page, login: str, then: str = DASHBOARD) -> None:
    page.goto(f"/connexion?suite={then}")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(re.escape(then) + "$"))


def cell(page: Page, family: str, departement: str) -> Any:
    return page.locator(f'#disponibles tr[data-famille="{family}"] '
                        f'td[data-departement="{departement}"]')


def row_values(page: Page, family: str) -> list[str]:
    values: list[str] = page.locator(
        f'#tendance-valeurs tr[data-famille="{family}"] td').all_inner_texts()
    return values


# -- the dashboard ---------------------------------------------------------------------------

def test_available_beds_now_by_family_and_departement(page: Page, world: World) -> None:
    log_in(page, "op")  # a regional operator of 32: their region by default
    assert page.get_by_role("heading", level=1).inner_text() == \
        "Lits disponibles — Hauts-de-France"
    fresh = cell(page, "critical", "02")
    assert fresh.locator(".lits").inner_text() == "4 lits"
    assert "1 lieu déclarant" in fresh.inner_text()
    assert "chiffres à jour" in fresh.inner_text()
    assert "perime" not in (fresh.get_attribute("class") or "")
    stale = cell(page, "critical", "60")  # icu-b: 3 beds, two days old
    assert stale.locator(".lits").inner_text() == "3 lits"
    assert "perime" in (stale.get_attribute("class") or "")
    assert "1 lieu aux chiffres périmés (3 lits)" in stale.inner_text()
    assert "plus ancien chiffre : il y a" in stale.inner_text()
    assert cell(page, "default", "02").locator(".lits").inner_text() == "5 lits"
    nothing = cell(page, "default", "60")  # med-d reports 0; noinfo-e does not report
    assert nothing.locator(".lits").inner_text() == "0 lit"
    assert "1 lieu déclarant" in nothing.inner_text()
    assert cell(page, "emergency", "02").locator(".lits").inner_text() == "0 lit"
    assert "0 lieu déclarant" in cell(page, "critical", "80").inner_text()
    region = cell(page, "*", "*")
    assert region.locator(".lits").inner_text() == "12 lits"
    assert "4 lieux déclarants" in region.inner_text()
    assert "1 lieu aux chiffres périmés (3 lits)" in region.inner_text()
    assert "1 lieu a des chiffres périmés" in page.locator("#perimes").inner_text()
    assert page.locator('#lieux tr[data-lieu="far"]').count() == 0  # region 11


def test_the_trend_of_the_last_seven_days(page: Page, world: World) -> None:
    log_in(page, "admin", f"{DASHBOARD}?region=32")
    # icu-a: 6 from D-3, 2 from D-1, 4 today; icu-b: 3 from D-2
    assert row_values(page, "critical") == ["0", "0", "0", "6", "9", "5", "7"]
    # med-c: 1 from ten days ago (before the window), 5 from D-1; med-d: 0 today
    assert row_values(page, "default") == ["1", "1", "1", "1", "1", "5", "5"]
    assert row_values(page, "emergency") == ["0"] * 7
    chart = page.locator("svg#tendance")
    assert chart.locator("g.serie").count() == 3
    assert chart.get_attribute("role") == "img"
    assert "Lits disponibles en fin de journée" in chart.locator("title").first.inner_html()
    assert "(maintenant)" in page.locator("#tendance-valeurs thead").inner_text()


def test_the_map_shows_each_placed_place_by_its_state(page: Page, world: World) -> None:
    log_in(page, "op")
    dots = page.locator("svg#carte .point")
    assert dots.count() == 4  # noinfo-e has no position, far is in region 11
    states = {dots.nth(i).get_attribute("data-lieu"): dots.nth(i).get_attribute("data-etat")
              for i in range(4)}
    assert states == {"icu-a": "some", "icu-b": "stale", "med-c": "some", "med-d": "none"}
    stale = page.locator('svg#carte .point[data-lieu="icu-b"] title').inner_html()
    assert "Unité icu-b (icu-b) — 3 lits disponibles, chiffres périmés" in stale
    assert page.locator("svg#carte g.legende").count() == 4
    note = page.get_by_text("Les contours des départements ne sont pas encore disponibles")
    assert "1 lieu n'a pas de coordonnées" in note.inner_text()
    assert "Disponibilité non déclarée" in \
        page.locator('#lieux tr[data-lieu="noinfo-e"]').inner_text()


def test_the_table_downloads_as_a_french_csv(page: Page, world: World) -> None:
    log_in(page, "op")
    with page.expect_download() as started:
        page.get_by_role("link", name=re.compile("Télécharger ce tableau")).click()
    download = started.value
    assert download.suggested_filename == "lits-disponibles-region-32.csv"
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: spreadsheets read it as UTF-8
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:4] == ["Famille d'activité", "Code département", "Département",
                            "Lits disponibles"]
    rows = {(line[0], line[1]): line for line in lines[1:]}
    assert len(rows) == 3 * 5  # families × départements of the region
    assert rows["Soins critiques", "02"][2:7] == ["Aisne", "4", "0", "1", "0"]
    assert rows["Soins critiques", "60"][3:7] == ["3", "3", "1", "1"]
    assert rows["Autres activités", "02"][3:7] == ["5", "0", "1", "0"]
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", rows["Soins critiques", "60"][7])


# -- a place's page --------------------------------------------------------------------------

def test_a_place_shows_its_figures_and_one_line_per_indicator(page: Page,
                                                              world: World) -> None:
    log_in(page, "admin", f"{DASHBOARD}?region=32")
    page.locator('#lieux tr[data-lieu="icu-a"]').get_by_role("link").click()
    page.wait_for_url(re.compile("/capacites/lieu/icu-a$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Unité icu-a"
    figures = page.locator("#chiffres tbody tr").all_inner_texts()
    assert len(figures) == 3
    assert any(f.startswith("Lits disponibles — femmes, maintenant\t4") for f in figures)
    chart = page.locator("svg#historique")
    # installed, available (6, 2, 4 over the period) and supplementary beds
    assert chart.locator("g.serie").count() == 3
    assert page.locator("#historique-valeurs tbody tr").count() == 5
    link = page.get_by_role("link", name=re.compile("Télécharger tout l'historique"))
    href = link.get_attribute("href")
    assert href == "/api/capacity/history?place=icu-a&_format=csv"
    answer = page.request.get(href)  # with the person's session
    assert answer.status == 200
    assert "icu-a" in answer.text()


def test_a_place_with_stale_figures_says_so(page: Page, world: World) -> None:
    log_in(page, "op", "/capacites/lieu/icu-b")
    assert "1 chiffre est périmé sur 1" in page.locator("#perimes").inner_text()
    stale = page.locator("#chiffres tr.perime")
    assert stale.count() == 1 and "périmé" in stale.inner_text()


def test_a_professional_profile_sees_no_supplementary_beds(page: Page, world: World) -> None:
    log_in(page, "ref", "/capacites/lieu/icu-a")  # a referent reads with profile 2
    assert page.locator("svg#historique g.serie").count() == 2
    assert page.locator("#chiffres tbody tr").count() == 2


# -- who may see them ------------------------------------------------------------------------

def test_someone_reading_every_region_chooses_one(page: Page, world: World) -> None:
    log_in(page, "ref")
    assert page.locator("#disponibles").count() == 0
    page.get_by_label("Région").select_option("32")
    page.get_by_role("button", name="Afficher").click()
    assert cell(page, "*", "*").locator(".lits").inner_text() == "12 lits"


def test_anonymous_visitors_are_sent_to_log_in(page: Page, world: World) -> None:
    page.goto(DASHBOARD)
    assert page.url.endswith(f"/connexion?suite={DASHBOARD}")
    page.goto("/capacites/lieu/icu-a")
    assert page.url.endswith("/connexion?suite=/capacites/lieu/icu-a")


def test_a_person_without_capacities_is_refused(page: Page, world: World) -> None:
    log_in(page, "nobody", "/")
    answer = page.goto(DASHBOARD)
    assert answer is not None and answer.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == \
        "Vous n'avez pas le droit de faire cela."
    assert "profil d'accès (0)" in page.get_by_role("alert").inner_text()
    csv_answer = page.goto(f"{DASHBOARD}.csv?region=32")
    assert csv_answer is not None and csv_answer.status == 403


def test_an_operator_sees_only_their_region(page: Page, world: World) -> None:
    log_in(page, "op11")
    assert page.get_by_role("heading", level=1).inner_text() == "Lits disponibles — Île-de-France"
    assert page.locator("svg#carte .point").count() == 1  # far
    refused = page.goto(f"{DASHBOARD}?region=32")
    assert refused is not None and refused.status == 403
    hidden = page.goto("/capacites/lieu/icu-a")
    assert hidden is not None and hidden.status == 404


# -- without a browser -----------------------------------------------------------------------

def test_profile_5_is_told_it_sees_no_availability(world: World) -> None:
    clients = world.server.app.state.services.clients
    made = clients.add("installed only", 5)
    token = clients.authenticate(made.client_id, made.client_secret).access_token
    with httpx.Client(base_url=world.server.url, timeout=30,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        answer = client.get(DASHBOARD, params={"region": "32"})
        assert answer.status_code == 200
        assert "ne comprend que les capacités installées" in answer.text
        assert 'id="disponibles"' not in answer.text
        assert client.get("/capacites/lieu/icu-a").status_code == 200


CALLERS = [Caller("admin", 1), Caller("op32", 1, frozenset({"32"})),
           Caller("op11", 1, frozenset({"11"})), Caller("pro", 2), Caller("ms", 3),
           Caller("installed", 5), Caller("open", 0)]


@pytest.mark.parametrize("caller", CALLERS, ids=lambda c: c.actor)
def test_the_dashboard_reads_history_with_the_history_policy(world: World,
                                                             caller: Caller) -> None:
    """figure_policy selects exactly the history rows /api/capacity/history shows."""
    with world.server.app.state.services.db.read() as conn:
        expected = [r["seq"] for r in history(conn, HistoryQuery(), caller)]
        h = capacity_history
        found = list(conn.execute(sa.select(h.c.seq).where(
            *figure_policy(caller, h.c.place_id, h.c.status)).order_by(h.c.seq)).scalars())
    assert found == expected
    assert found or caller.profile in (0, 3)
