"""The referent's one-screen capacity entry and the alerts pages, in a real browser, on both
back-ends: one save updates every place of the site or none; a wrong number is shown next
to its field with a summary at the top; a place changed meanwhile refuses the save."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import orjson
import pytest

from openror.access.caller import SYSTEM
from openror.fhir import capacity_indicators as ci
from openror.services.writes import WritePath
from openror.store.feed import LogEntry
from openror.store.resources import read_current
from openror.terminology import default_terminology
from tests.api.people_fixture import ACCOUNTS, PASSWORD, add_accounts
from tests.capacity.feed_fixture import available, installed
from tests.conftest import LiveServer, wipe
from tests.services import roles_world

if TYPE_CHECKING:
    from playwright.sync_api import Page

OLD = "2026-11-20T08:00:00Z"


@pytest.fixture(scope="module")
def server(region_server: LiveServer) -> LiveServer:
    return region_server


@pytest.fixture
def base_url(server: LiveServer) -> str:
    return server.url


@pytest.fixture
def world(server: LiveServer) -> WritePath:
    db = server.app.state.services.db
    wipe(db)
    writes = roles_world.load(db)
    for rid, records in (("loc-a", (installed(12, updated=OLD), available(2, updated=OLD))),
                         ("loc-new-a", (installed(4, updated=OLD),))):
        body = _current(server, rid)
        body["extension"] = [*body.get("extension", []), *records]
        writes.update("Location", rid, body, LogEntry(actor="test"), caller=SYSTEM)
    add_accounts(server, {**ACCOUNTS, "ref-b": (None, ("referent:eg-b",))})
    return WritePath(db, default_terminology(), "32")


def _current(server: LiveServer, rid: str) -> dict[str, Any]:
    with server.app.state.services.db.read() as conn:
        found = read_current(conn, "Location", rid)
    assert found is not None and found.content is not None
    body: dict[str, Any] = orjson.loads(found.content)
    return body


def counts(server: LiveServer, rid: str) -> list[Any]:
    return [r.count for _, r in ci.records(_current(server, rid))]


def log_in(page: Page, login: str, then: str = "/") -> None:
    page.goto(f"/connexion?suite={then}")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(re.escape(then) + "$"))


def test_a_referent_updates_every_place_of_the_site_with_one_save(
        page: Page, server: LiveServer, world: WritePath) -> None:
    log_in(page, "ref")
    page.get_by_role("link", name="Saisir les lits et places : Site A").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Lits et places — Site A"
    stale = page.locator("td.perime")
    assert stale.count() == 1  # the availability of 20 November
    assert "(gestion des lits) — périmé" in stale.inner_text()
    page.get_by_label("Lits disponibles — femmes, maintenant").fill("5")
    page.get_by_label("Lits installés").nth(1).fill("6")
    page.get_by_role("button", name="Enregistrer toutes les capacités").click()
    assert "Capacités enregistrées (2 lieux mis à jour)" in page.get_by_role("status").inner_text()
    assert counts(server, "loc-a") == [12, 5] and counts(server, "loc-new-a") == [6]
    assert page.locator("td.perime").count() == 0  # everything dated now
    record = ci.records(_current(server, "loc-a"))[1][1]
    assert record.codes["capacitySourceType"] == "01"


def test_a_wrong_number_is_shown_next_to_its_field_and_nothing_is_saved(
        page: Page, server: LiveServer, world: WritePath) -> None:
    log_in(page, "ref", "/capacites/site/eg-a")
    page.get_by_label("Lits installés").first.fill("20")
    field = page.get_by_label("Lits disponibles — femmes, maintenant")
    field.fill("-3")
    page.get_by_role("button", name="Enregistrer toutes les capacités").click()
    summary = page.get_by_role("alert")
    assert "1 valeur à corriger — rien n'a été enregistré" in summary.inner_text()
    assert field.get_attribute("aria-invalid") == "true"
    assert "nombre entier" in page.locator(".message-champ").inner_text()
    assert page.get_by_label("Lits installés").first.input_value() == "20"  # kept as typed
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == field.get_attribute("id")
    assert counts(server, "loc-a") == [12, 2]  # the valid field was not saved either


def test_a_place_changed_meanwhile_refuses_the_whole_save(
        page: Page, server: LiveServer, world: WritePath) -> None:
    log_in(page, "ref", "/capacites/site/eg-a")
    body = _current(server, "loc-a")  # a bed-management feed writes meanwhile
    body["extension"][-1] = available(1, updated="2026-11-25T08:00:00Z")
    world.update("Location", "loc-a", body, LogEntry(actor="feed"), caller=SYSTEM)
    page.get_by_label("Lits installés").nth(1).fill("9")
    page.get_by_role("button", name="Enregistrer toutes les capacités").click()
    assert "modifié par ailleurs" in page.get_by_role("alert").inner_text()
    assert counts(server, "loc-new-a") == [4] and counts(server, "loc-a") == [12, 1]


def test_a_referent_of_another_site_cannot_save_this_one(
        page: Page, server: LiveServer, world: WritePath) -> None:
    log_in(page, "ref-b", "/capacites/site/eg-a")
    page.get_by_label("Lits installés").first.fill("30")
    page.get_by_role("button", name="Enregistrer toutes les capacités").click()
    assert page.get_by_role("heading", level=1).inner_text() == \
        "Vous n'avez pas le droit de faire cela."
    assert counts(server, "loc-a") == [12, 2]


def test_pages_ask_anonymous_visitors_to_log_in(page: Page, world: WritePath) -> None:
    page.goto("/capacites/site/eg-a")
    assert page.url.endswith("/connexion?suite=/capacites/site/eg-a")
    page.get_by_label("Identifiant").fill("ref")
    page.get_by_label("Mot de passe").fill("pas le bon")
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("alert").is_visible()


def test_alerts_are_created_listed_and_deleted(page: Page, world: WritePath) -> None:
    log_in(page, "admin", "/capacites/alertes")
    page.get_by_label("Nom", exact=True).fill("Réa Aisne")
    page.get_by_label("Département", exact=True).fill("02")
    page.get_by_label("Prévenir sous ce nombre de lits disponibles").fill("3")
    page.get_by_label("Adresse du webhook").fill("ftp://nope")
    page.get_by_role("button", name="Créer l'alerte").click()
    url_field = page.get_by_label("Adresse du webhook")
    assert url_field.get_attribute("aria-invalid") == "true"
    url_field.fill("https://regulation.example/hook")
    page.get_by_role("button", name="Créer l'alerte").click()
    assert "Clé de signature" in page.get_by_role("status").inner_text()
    row = page.get_by_role("row", name=re.compile("Réa Aisne"))
    assert "sous le seuil" in row.inner_text()  # 2 available beds in the Aisne
    row.get_by_role("link", name="Envois").click()
    assert "passage sous le seuil" in page.locator("table").inner_text()
    page.go_back()
    page.get_by_role("button", name=re.compile("Supprimer")).click()
    assert "Vous n'avez pas encore d'alerte." in page.locator("main").inner_text()
