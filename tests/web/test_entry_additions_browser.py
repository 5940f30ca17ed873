"""« Ajouter une offre » and « Ajouter un lieu » in a real browser (Debian's chromium), on
both back-ends: the demo GP adds sports medicine at her own office, in a new secondary
office in Guise, and validates; the offer, her role in it and the place are created.

With ``OPENROR_SCREENSHOTS=DIR`` the SQLite run saves the two screenshots of
docs/user/saisie-guidee.md in DIR."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from openror.store.hierarchy import Graph
from tests.api.people_fixture import PASSWORD
from tests.conftest import LiveServer
from tests.web import entry_world as w
from tests.web.test_entry_browser import base_url, server

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

__all__ = ["base_url", "server"]  # the fixtures of the entry's browser test
SHOTS = os.environ.get("OPENROR_SCREENSHOTS", "")


def shot(name: str, target: Locator) -> None:
    if SHOTS and "sqlite" in os.environ.get("PYTEST_CURRENT_TEST", ""):
        target.screenshot(path=str(Path(SHOTS) / f"saisie-{name}.png"))


def _continue(page: Page, n: int) -> None:
    page.get_by_role("button", name=re.compile("continuer$")).last.click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert alert.count() == 0, alert.first.inner_text()  # nothing to correct
    page.wait_for_url(re.compile(f"/saisie/etape-{n}(\\?verifier=\\d)?$"))


def _roles(server: LiveServer) -> list[str]:
    with server.app.state.services.db.read() as conn:
        return Graph(conn).referrers("PractitionerRole", "practitioner", "Practitioner", w.GP)


def test_the_demo_gp_adds_an_offer_and_a_place(page: Page, server: LiveServer) -> None:
    w.load(server)
    before = _roles(server)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/connexion?suite=/saisie")
    page.get_by_label("Identifiant").fill("demo-pro")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("button", name="Commencer").click()
    _continue(page, 2)
    # step 2: the practice among hers, the activity searched as typed in the NOS labels
    adding = page.locator("#nouvelle-offre")
    adding.get_by_label("Structure").select_option(label="Cabinet du Dr Claire VALMONT")
    adding.get_by_label("Activité").fill("Médecine du sport (081)")
    shot("2-ajouter-offre", adding)
    adding.get_by_role("button", name="Ajouter cette offre").click()
    page.wait_for_url(re.compile("/saisie/etape-2#offre-5$"))
    new = page.locator("#offre-5")
    assert "Médecine du sport — Cabinet du Dr Claire VALMONT (nouvelle)" in \
        new.locator("legend").first.inner_text()
    page.locator("#o5-age_min").fill("12")
    page.locator("#o5-age_max").fill("60")
    shot("2-nouvelle-offre", new)
    _continue(page, 3)
    # step 3: its modalities, then a new place for it: address → commune → coordinates
    page.locator("#offre-5").get_by_label("Consultation en présentiel").check()
    place = page.locator("#nouveau-lieu")
    place.get_by_label("Offre pratiquée dans ce lieu").select_option(
        label="Médecine du sport — Cabinet du Dr Claire VALMONT (nouvelle)")
    place.get_by_label("Nom du lieu").fill("Cabinet secondaire de Guise")
    place.get_by_role("button", name="Ajouter ce lieu").click()
    page.wait_for_url(re.compile("/saisie/etape-3#lieu-3$"))
    assert page.locator("#o5-modalities-03").is_checked()  # kept in the draft
    page.locator("#p3-line").fill("12 rue de la Gare")
    page.locator("#p3-postal").fill("02120")
    page.locator("#p3-city").fill("Guise")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    assert "Commune reconnue : Guise" in page.locator("#lieu-3").inner_text()
    shot("3-nouveau-lieu", page.locator("#lieu-3"))
    for n in (4, 5, 6):
        _continue(page, n)
    assert "Tout est prêt" in page.get_by_role("status").first.inner_text()
    page.get_by_role("button", name="Valider et publier").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Votre saisie est validée"
    added = sorted(set(_roles(server)) - set(before))
    assert len(added) == 1
    role = w.current(server, "PractitionerRole", added[0])
    offer_id = role["healthcareService"][0]["reference"].split("/")[1]
    offer = w.current(server, "HealthcareService", offer_id)
    assert offer["identifier"] and offer["providedBy"]["reference"] == \
        "Organization/demo-office"
    where = w.current(server, "Location", offer["location"][0]["reference"].split("/")[1])
    assert where["name"] == "Cabinet secondaire de Guise" and "position" in where
