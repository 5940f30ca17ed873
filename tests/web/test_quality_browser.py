"""The quality pages in a real browser, on both back-ends: a regional operator opens the
dashboard from the navigation and breaks it down by département; an owner answers an
anomaly with the keyboard only and finds what to complete below (world:
tests/web/quality_world.py)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.api.people_fixture import PASSWORD, people_server, world  # noqa: F401 (fixtures)
from tests.conftest import LiveServer
from tests.web.quality_world import Quality, load, set_status, status_of

if TYPE_CHECKING:
    from playwright.sync_api import Page


@pytest.fixture(scope="module")
def live_server(people_server: LiveServer) -> LiveServer:  # noqa: F811 (imported fixture)
    return people_server


@pytest.fixture
def quality(world: LiveServer) -> Quality:  # noqa: F811 (the fixture imported above)
    return Quality(world, load(world))


def log_in(page: Page, login: str, then: str) -> None:
    page.goto(f"/connexion?suite={then}")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(re.escape(then) + "$"))


def test_an_operator_opens_the_dashboard_and_breaks_it_down(page: Page,
                                                            quality: Quality) -> None:
    log_in(page, "op", "/")
    page.get_by_role("navigation").get_by_role("link", name="Qualité").click()
    page.wait_for_url(re.compile("/qualite$"))
    assert page.get_by_role("heading", level=1).inner_text() == \
        "Qualité des données — Hauts-de-France"
    pe = page.locator('#peuplement tr[data-regle="PE"]')
    assert pe.locator("td").all_inner_texts() == ["4", "0", "4", "0", "0\u202f%"]
    assert page.locator("svg#tendance-PE").get_attribute("role") == "img"
    page.get_by_label("Détailler par").select_option(label="Département")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(re.compile(r"/qualite\?par=departement$"))
    aisne = page.locator('#peuplement tr[data-regle="PE"][data-cle="02"]')
    assert aisne.locator("td").first.inner_text() == "Aisne (02)"
    assert page.get_by_role("columnheader", name="Département").count() == 2


def test_an_owner_answers_an_anomaly_with_the_keyboard(page: Page, quality: Quality) -> None:
    server, made = quality.server, quality.ids
    set_status(server, made["a"], "05")
    set_status(server, made["site"], "05")
    log_in(page, "ref", "/qualite/anomalies")
    card = page.locator(f"#anomalie-{made['a']}")
    assert "Renseigner la catégorie d'organisation" in card.inner_text()
    reason = card.get_by_label("Motif ou précision")
    reason.focus()
    page.keyboard.type("Déjà renseignée dans l'offre")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Corrigé"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Refusé"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "1 anomalie modifiée" in page.locator("#faits").inner_text()
    assert page.locator(f"#anomalie-{made['a']}").count() == 0
    assert status_of(server, made["a"]) == "09"
    # a refusal without a reason: the error summary says so and leads to the field
    other = page.locator(f"#anomalie-{made['site']}")
    other.get_by_role("button", name="Refusé").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    summary = page.locator("#erreurs")
    assert "rien n'a été modifié" in summary.inner_text()
    summary.get_by_role("link").focus()
    page.keyboard.press("Enter")
    field = page.locator(f"#motif-{made['site']}")
    assert field.get_attribute("aria-invalid") == "true"
    assert status_of(server, made["site"]) == "05"
    # under the anomalies, what the last run found to complete, a named region of the page
    todo = page.get_by_role("region", name="À compléter")
    offer = todo.get_by_role("link", name="Offre « Offre hs-a »")
    assert offer.get_attribute("href") == "/etablissement/offre/hs-a?regle=PE"  # the editor
    # one click from an anomaly to the field at fault: the editor, the field highlighted
    page.locator(f"#anomalie-{made['site']}").get_by_role(
        "link", name="Structure « Site A »").click()
    page.wait_for_url(re.compile(r"/etablissement/organisation/eg-a\?regle=CO4&champ="
                                 r"categorie#champ-categorie$"))
    assert page.evaluate("document.querySelector(':target').id") == "champ-categorie"
    target = page.locator("#champ-categorie")
    assert target.is_visible() and "Corriger la catégorie" in target.inner_text()
