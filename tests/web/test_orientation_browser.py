"""The orientation page in a real browser, on both back-ends: a professional searches from
the navigation, reaches the first result with the keyboard, chooses two results, prints the
page and the short list (only the chosen ones on paper) and exports them; a refused field
is reached from the error summary (world: tests/web/orientation_world.py).

With ``OPENROR_SCREENSHOTS=DIR`` the tests also save the screenshots of the user guide
(docs/user/orientation.md) in DIR."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.api.people_fixture import PASSWORD
from tests.conftest import LiveServer
from tests.web.orientation_world import orientation_server  # noqa: F401 (fixture)

if TYPE_CHECKING:
    from playwright.sync_api import Page

SHOTS = os.environ.get("OPENROR_SCREENSHOTS", "")


@pytest.fixture(scope="module")
def live_server(orientation_server: LiveServer) -> LiveServer:  # noqa: F811 (imported fixture)
    return orientation_server


def shot(page: Page, name: str, full_page: bool = True) -> None:
    if SHOTS and "sqlite" in os.environ.get("PYTEST_CURRENT_TEST", ""):
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(Path(SHOTS) / f"orientation-{name}.png"), full_page=full_page)


def log_in(page: Page, login: str, then: str) -> None:
    page.goto(f"/connexion?suite={then}")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(re.escape(then) + "$"))


def search(page: Page, need: str, where: str, age: str) -> None:
    page.get_by_label("Besoin").fill(need)
    page.get_by_label("Où").fill(where)
    page.get_by_label("Âge").fill(age)
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r"/orientation\?.*#reponse$"))


def offers(page: Page) -> list[str | None]:
    items = page.locator("ol.resultats > li")
    return [items.nth(i).get_attribute("data-offre") for i in range(items.count())]


def test_search_choose_print_and_export(page: Page) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "pro", "/")
    page.get_by_role("navigation").get_by_role("link", name="Orientation").click()
    page.wait_for_url(re.compile("/orientation$"))
    search(page, "cardio", "Versailles", "45")
    assert offers(page) == ["cardio-sgl", "cardio-versailles", "cardio-chartres"]
    # the answer is where the page lands: the next Tab is the first result
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == \
        "Cardiologie — soins intensifs"
    assert page.evaluate("document.activeElement.closest('li').id") == "offre-1"
    # the map numbers the results like the list and leads to them
    markers = page.locator("svg#carte-resultats .carte-offre")
    assert [markers.nth(i).get_attribute("data-rang") for i in range(3)] == ["1", "2", "3"]
    assert page.locator('svg#carte-resultats a[href="#offre-3"]').count() == 1
    stale = page.locator("#offre-3 .badge-ancien")
    assert stale.is_visible() and stale.inner_text().lower() == "donnée ancienne"
    page.get_by_label("Ajouter à la liste courte : 1. Cardiologie — soins intensifs").check()
    page.get_by_label("Ajouter à la liste courte : 3. Cardiologie").check()
    shot(page, "resultats")
    # printing the page itself: the chosen results only, no navigation, no form, no map
    page.emulate_media(media="print")
    assert page.locator("#offre-1").is_visible() and page.locator("#offre-3").is_visible()
    assert page.locator("#offre-2").is_hidden()
    for hidden in ("nav", "form.recherche", "svg#carte-resultats", "#pourquoi-pas"):
        assert page.locator(hidden).is_hidden(), hidden
    assert "Recherche du " in page.locator(".trouve").inner_text()
    page.emulate_media(media="screen")
    # the CSV of the chosen ones
    with page.expect_download() as info:
        page.get_by_role("button", name="Exporter (CSV)").click()
    download = info.value
    assert re.fullmatch(r"orientation-\d{8}-\d{4}\.csv", download.suggested_filename)
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig")),
                           delimiter=";"))
    assert [(r[0], r[2]) for r in rows[1:]] == [("1", "cardio-sgl"), ("3", "cardio-chartres")]
    # the printable short list
    page.get_by_role("button", name="Imprimer la liste courte").click()
    page.wait_for_url(re.compile(r"/orientation/liste\?.*choix=cardio-chartres"))
    assert offers(page) == ["cardio-sgl", "cardio-chartres"]
    assert page.get_by_role("heading", level=1).inner_text() == "Liste courte — orientation"
    page.emulate_media(media="print")
    assert page.locator("nav").is_hidden()
    assert page.get_by_role("link", name="Retour aux résultats").is_hidden()
    assert re.search(r"\d\d/\d\d/\d{4} à \d\d:\d\d", page.locator("#date-recherche").inner_text())
    assert page.locator("#offre-3 .badge-ancien").is_visible()
    shot(page, "liste")
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Retour aux résultats").click()
    page.wait_for_url(re.compile(r"/orientation\?q=cardio.*#reponse$"))
    assert page.get_by_label("Besoin").input_value() == "cardio"


def test_a_refused_field_is_reached_from_the_summary(page: Page) -> None:
    log_in(page, "pro", "/orientation")
    search(page, "cardio", "Versailles", "200 ans")
    summary = page.get_by_role("alert")
    assert "Âge : Indiquez l'âge du patient en années" in summary.inner_text()
    shot(page, "erreur", full_page=False)
    summary.get_by_role("link").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "age"
    field = page.get_by_label("Âge")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.input_value() == "200 ans"
    described = (field.get_attribute("aria-describedby") or "").split()
    assert "age-erreur" in described
    assert "de 0 à 130" in page.locator("#age-erreur").inner_text()
