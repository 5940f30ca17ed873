"""The establishment editor in a real browser, on both back-ends: a referent edits an offer
with the NOS lists, meets the « modifié entre-temps » message when someone saved the offer
meanwhile (through the write path, in the test) and saves again, closes two offers at once,
and reaches a refused field from the error summary (world: tests/web/editor_world.py).

With ``OPENROR_SCREENSHOTS=DIR`` the tests also save the screenshots of the user guide
(docs/user/editeur-etablissement.md) in DIR."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from openror.services.writes import WritePath
from openror.store.feed import LogEntry
from tests.api.people_fixture import PASSWORD
from tests.conftest import LiveServer
from tests.web import editor_world
from tests.web.editor_world import current, person

if TYPE_CHECKING:
    from playwright.sync_api import Page

SHOTS = os.environ.get("OPENROR_SCREENSHOTS")


@pytest.fixture(scope="module")
def server(region_server: LiveServer) -> LiveServer:
    return region_server


@pytest.fixture
def base_url(server: LiveServer) -> str:
    return server.url


@pytest.fixture
def world(server: LiveServer) -> WritePath:
    return editor_world.load(server)


def shot(page: Page, name: str, full_page: bool = True) -> None:
    if SHOTS and "sqlite" in os.environ.get("PYTEST_CURRENT_TEST", ""):
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(Path(SHOTS) / f"editeur-{name}.png"), full_page=full_page)


def log_in(page: Page, login: str, then: str = "/") -> None:
    page.goto(f"/connexion?suite={then}")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(re.escape(then) + "$"))


def test_a_referent_edits_an_offer_from_the_tree(page: Page, server: LiveServer,
                                                 world: WritePath) -> None:
    log_in(page, "ref-ej")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Établissements").click()
    page.wait_for_url(re.compile("/etablissement/organisation/ej-a$"))
    assert page.get_by_role("heading", level=1).inner_text() == "EJ A"
    shot(page, "arbre")
    page.get_by_role("link", name="Modifier Offre hs-a").click()
    page.get_by_label("Nom de l'offre").fill("Consultations de gynécologie")
    activity = page.get_by_label("Activité opérationnelle")
    assert activity.get_attribute("list") == "activite-liste"  # search-as-you-type list
    activity.fill("Gynécologie médicale (053)")
    page.get_by_label("Téléconsultation", exact=True).check()
    page.get_by_label("Âge minimum (ans)").fill("15")
    shot(page, "offre")
    page.get_by_role("button", name="Enregistrer l'offre").click()
    assert "Offre enregistrée (version 2)" in page.get_by_role("status").inner_text()
    body = current(server, "HealthcareService", "hs-a")
    assert body["name"] == "Consultations de gynécologie"
    assert body["specialty"][0]["coding"][0]["code"] == "053"
    history = page.locator(".historique")
    assert "Jean Direction — modification" in history.inner_text()
    assert "Gynécologie médicale (053)" in history.inner_text()


def test_a_change_made_meanwhile_is_shown_and_the_edit_reapplied(
        page: Page, server: LiveServer, world: WritePath) -> None:
    log_in(page, "ref", "/etablissement/offre/hs-a")
    page.get_by_label("Nom de l'offre").fill("Consultations du matin")
    page.get_by_label("Âge maximum (ans)").fill("99")
    body = current(server, "HealthcareService", "hs-a")  # meanwhile, through the write path
    body["name"], body["comment"] = "Consultations de Jean", "Ouvert le samedi"
    world.update("HealthcareService", "hs-a", body,
                 LogEntry(actor="user:ref-ej", reason="correction"), caller=person("ref-ej"))
    page.get_by_role("button", name="Enregistrer l'offre").click()
    alert = page.locator("#entre-temps")
    assert re.search(r"Modifié entre-temps par Jean Direction le \d\d/\d\d/\d{4}",
                     alert.inner_text())
    assert "Nom de l'offre : Offre hs-a → Consultations de Jean" in alert.inner_text()
    assert "Commentaire : — → Ouvert le samedi" in alert.inner_text()
    assert page.get_by_label("Nom de l'offre").input_value() == "Consultations du matin"
    assert page.get_by_label("Commentaire").input_value() == "Ouvert le samedi"
    assert current(server, "HealthcareService", "hs-a")["name"] == "Consultations de Jean"
    shot(page, "modifie-entre-temps")
    page.get_by_role("button", name="Enregistrer l'offre").click()
    assert "Offre enregistrée (version 3)" in page.get_by_role("status").inner_text()
    stored = current(server, "HealthcareService", "hs-a")
    assert (stored["name"], stored["comment"]) == ("Consultations du matin", "Ouvert le samedi")


def test_a_referent_closes_two_offers_at_once(page: Page, server: LiveServer,
                                              world: WritePath) -> None:
    log_in(page, "ref", "/etablissement/organisation/eg-a")
    page.get_by_label("Sélectionner l'offre Consultations du site").check()
    page.get_by_label("Sélectionner l'offre Téléconsultations").check()
    page.get_by_role("button", name="Fermer les offres cochées…").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Fermer 2 offres"
    page.get_by_label("Type de fermeture").select_option(label="Provisoire")
    page.get_by_label("Date de fermeture").fill("2026-11-20")
    page.get_by_label("Réouverture prévue le").fill("2027-01-05")
    shot(page, "fermeture")
    page.get_by_role("button", name="Confirmer la fermeture de 2 offres").click()
    assert "2 offres fermées." in page.get_by_role("status").inner_text()
    shot(page, "fermeture-resultat")
    for rid in ("hs-a2", "hs-a3"):
        assert current(server, "HealthcareService", rid)["notAvailable"][0]["during"] == {
            "start": "2026-11-20", "end": "2027-01-05"}
    page.get_by_role("link", name="Revenir à la liste des offres").click()
    assert "3 offres, dont 2 fermées" in page.locator("main").inner_text()


def test_a_refused_field_is_reached_from_the_error_summary(
        page: Page, server: LiveServer, world: WritePath) -> None:
    log_in(page, "ref", "/etablissement/lieu/loc-new-a")
    page.get_by_label("Nombre en service").first.fill("deux")
    page.get_by_role("button", name="Enregistrer le lieu").click()
    summary = page.get_by_role("alert")
    assert "1 problème à corriger — rien n'a été enregistré" in summary.inner_text()
    field = page.get_by_label("Nombre en service").first
    assert field.get_attribute("aria-invalid") == "true"
    shot(page, "lieu-erreur")
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "eq0-nombre"
    assert current(server, "Location", "loc-new-a")["meta"]["versionId"] == "2"


def test_a_referent_enters_hours_contacts_zone_and_acts_without_script(
        page: Page, server: LiveServer, world: WritePath) -> None:
    """Rows of inputs and search-as-you-type lists (datalists): no script on the page."""
    log_in(page, "ref", "/etablissement/offre/hs-a")
    assert page.locator("script").count() == 0
    acts = page.get_by_label("Actes spécifiques, ligne 1")
    assert acts.get_attribute("list") == "actes-liste"
    assert page.locator("#actes-liste option[value='ECG (électrocardiographie) (0172)']"
                        ).count() == 1  # the JDV_J16 list
    acts.fill("ECG (électrocardiographie) (0172)")
    page.get_by_label("Compétences spécifiques, ligne 1").fill("Neuropsychologue (05)")
    page.get_by_label("Plage 1 : type").select_option(label="Consultation sur rendez-vous")
    page.get_by_label("Plage 1 : jour").select_option(label="Mardi")
    page.get_by_label("Plage 1 : début").fill("8h30")
    page.get_by_label("Plage 1 : fin").fill("12:00")
    page.get_by_label("Contact 1 : à quoi il sert").select_option(label="Prise de rendez-vous")
    page.get_by_label("Contact 1 : moyen").select_option(label="Téléphone fixe")
    page.get_by_label("Contact 1 : numéro ou adresse").fill("03 23 00 00 01")
    page.get_by_label("Contact 1 : qui peut le voir").select_option(
        label="Réservé aux professionnels habilités")
    page.get_by_label("Zone d'intervention, commune 1").fill("Gauchy (02430)")
    if SHOTS and "sqlite" in os.environ.get("PYTEST_CURRENT_TEST", ""):
        page.locator("fieldset.lignes-offre").screenshot(
            path=str(Path(SHOTS) / "editeur-horaires-contacts.png"))
    page.get_by_role("button", name="Enregistrer l'offre").click()
    assert "Offre enregistrée (version 2)" in page.get_by_role("status").inner_text()
    body = current(server, "HealthcareService", "hs-a")
    [slot] = body["availableTime"]
    assert (slot["availableStartTime"], slot["availableEndTime"]) == ("08:30:00", "12:00:00")
    assert page.get_by_label("Plage 1 : début").input_value() == "08:30"
    assert page.get_by_label("Contact 1 : numéro ou adresse").input_value() == "03 23 00 00 01"
    codes = {c["code"] for ch in body["characteristic"] for c in ch["coding"]}
    assert {"0172", "05"} <= codes
    history = page.locator(".historique").inner_text()
    assert "Mardi 08:30–12:00 (consultation sur rendez-vous)" in history
    assert "Gauchy (02430)" in history


def test_a_referent_edits_the_site_and_adds_a_unit(page: Page, server: LiveServer,
                                                   world: WritePath) -> None:
    log_in(page, "ref", "/etablissement/organisation/eg-a")
    page.get_by_role("link", name="Modifier Site A").click()
    page.get_by_label("Téléphone", exact=True).fill("03 23 06 71 71")
    page.get_by_label("Qui peut voir le téléphone et le courriel").select_option(
        label="Visible par tous, y compris les sites publics")
    page.get_by_label("Adresse", exact=True).fill("1 avenue Michel de l'Hospital")
    shot(page, "structure")
    page.get_by_role("button", name="Enregistrer la structure").click()
    assert "Structure enregistrée (version 2)" in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="Retour à la structure").click()
    page.get_by_role("link", name="Ajouter une unité à Site A").click()
    page.get_by_label("Nom (obligatoire)").fill("Service de gynécologie")
    page.get_by_role("button", name="Créer l'unité").click()
    assert "Unité interne créée." in page.get_by_role("status").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Service de gynécologie"
    assert current(server, "Organization", "eg-a")["telecom"][0]["value"] == "03 23 06 71 71"
