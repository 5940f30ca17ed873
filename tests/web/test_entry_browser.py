"""The guided entry in a real browser (Debian's chromium), on both back-ends: the demo GP,
a first-time user, goes from logging in to validating, with the few changes a GP would make
to what the registries already hold. The run counts the fields she fills, the actions she
takes (clicks, buttons) and the pre-filled values she has to read, step by step; it prints
them, and docs/user/saisie-guidee.md turns them into the « 15 minutes » estimate.

With ``OPENROR_SCREENSHOTS=DIR`` the SQLite run also saves the screenshots of that guide in
DIR (docs/user)."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from openror.config import Settings
from openror.templates.loader import load_bundled
from tests.api.people_fixture import PASSWORD
from tests.conftest import LiveServer
from tests.web import entry_world as w

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

SHOTS = os.environ.get("OPENROR_SCREENSHOTS", "")
GP_TEMPLATE = "https://openror.org/fhir/Questionnaire/offre-de-ville-medecine-generale|1"
#: the estimate's assumptions (docs/user/saisie-guidee.md): seconds per field filled, per
#: action, and per pre-filled value read and checked
SECONDS_PER_FIELD, SECONDS_PER_ACTION, SECONDS_PER_VALUE_READ = 20, 3, 1
#: what a step shows to read: filled inputs, chosen options, checked boxes, and the values
#: of its read-only lists (the registries' data of step 1, the review of step 6)
PREFILLED = """() => [...document.querySelectorAll(
    'main form input:not([type=hidden]):not([aria-hidden]), main form select, ' +
    'main form textarea, main dl.donnees dd')]
  .filter(e => e.closest('details') === null || e.closest('details').open)
  .filter(e => e.tagName === 'DD' ? e.textContent.trim() !== '—' :
          (e.type === 'checkbox' || e.type === 'radio') ? e.checked : e.value.trim() !== '')
  .length"""


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), database_url=database_url,
                        region="32", log_level="WARNING", cookie_secure=False,
                        alert_interval_seconds=0)
    with LiveServer(settings) as live:
        yield live


@pytest.fixture
def base_url(server: LiveServer) -> str:
    return server.url


class Walk:
    """The user's hands: every field filled and every action counted, by step."""

    def __init__(self, page: Page) -> None:
        self.page, self.step, self.steps = page, "connexion", ["connexion"]
        self.fields: Counter[str] = Counter()
        self.actions: Counter[str] = Counter()
        self.read: Counter[str] = Counter()

    def at(self, step: str) -> None:
        self.step = step
        if step not in self.steps:
            self.steps.append(step)
        self.read[step] = max(self.read[step], int(self.page.evaluate(PREFILLED)))

    def fill(self, target: Locator, value: str) -> None:
        target.fill(value)
        self.fields[self.step] += 1

    def choose(self, target: Locator, value: str) -> None:
        target.select_option(label=value)
        self.fields[self.step] += 1

    def check(self, target: Locator) -> None:
        target.check()
        self.fields[self.step] += 1

    def click(self, target: Locator) -> None:
        target.click()
        self.actions[self.step] += 1

    def shot(self, name: str, target: Locator | None = None) -> None:
        if SHOTS and "sqlite" in os.environ.get("PYTEST_CURRENT_TEST", ""):
            path = str(Path(SHOTS) / f"saisie-{name}.png")
            if target is None:
                self.page.screenshot(path=path)
            else:
                target.screenshot(path=path)

    def report(self) -> tuple[str, float]:
        lines = ["step | fields filled | actions | pre-filled values read"]
        for step in self.steps:
            lines.append(f"{step} | {self.fields[step]} | {self.actions[step]} | "
                         f"{self.read[step]}")
        total = (sum(self.fields.values()), sum(self.actions.values()),
                 sum(self.read.values()))
        lines.append(f"total | {total[0]} | {total[1]} | {total[2]}")
        seconds = total[0] * SECONDS_PER_FIELD + total[1] * SECONDS_PER_ACTION + \
            total[2] * SECONDS_PER_VALUE_READ
        return "\n".join(lines), seconds / 60


def _next(walk: Walk, n: int) -> None:
    walk.click(walk.page.get_by_role("button", name=re.compile("continuer$")).last)
    walk.page.wait_for_url(re.compile(f"/saisie/etape-{n}$"))
    walk.at(f"étape {n}")


def _login_and_start(walk: Walk) -> None:
    page = walk.page
    page.goto("/connexion?suite=/saisie")
    walk.fill(page.get_by_label("Identifiant"), "demo-pro")
    walk.fill(page.get_by_label("Mot de passe"), PASSWORD)
    walk.click(page.get_by_role("button", name="Se connecter"))
    page.wait_for_url(re.compile("/saisie$"))
    walk.at("accueil")
    walk.shot("0-accueil")
    walk.click(page.get_by_role("button", name="Commencer"))
    page.wait_for_url(re.compile("/saisie/etape-1$"))
    walk.at("étape 1")
    assert page.get_by_text("Étape 1 sur 6").is_visible()
    walk.shot("1-verifier")


def _registry(walk: Walk) -> None:
    """Step 1: the group practice moved: she says so."""
    page = walk.page
    remparts = page.locator("#element-structure-demo-group-practice")
    walk.click(remparts.get_by_text("Signaler une erreur"))
    walk.fill(remparts.get_by_label("Qu'est-ce qui est faux ?"),
              "Le cabinet a déménagé au 8 rue Sérurier, 02000 Laon, en janvier.")
    walk.shot("1-signaler", remparts)
    walk.click(remparts.get_by_role("button", name="Envoyer le signalement"))
    assert "transmis à l'opérateur régional" in page.get_by_role("status").first.inner_text()
    _next(walk, 2)


def _offers(walk: Walk) -> None:
    """Step 2: acts (search as you type: the datalist's option), equipment."""
    page = walk.page
    walk.fill(page.locator("#o0-acts-0"), "ECG (électrocardiographie) (0172)")
    walk.fill(page.locator("#o1-acts-0"), "Frottis du col utérin (1208)")
    walk.click(page.get_by_role("button", name=re.compile(
        "Ajouter des lignes : Actes spécifiques")).nth(1))
    page.wait_for_url(re.compile("/saisie/etape-2"))
    walk.fill(page.locator("#o1-acts-1"), "Pose de DIU (1245)")
    walk.fill(page.locator("#o1-acts-2"), "Pose d'implant contraceptif (1244)")
    walk.fill(page.locator("#p0-e0-type"), "Echographe transportable (021)")
    walk.fill(page.locator("#p0-e0-count"), "1")
    walk.shot("2-offres", page.locator("#offre-1"))
    _next(walk, 3)


def _places(walk: Walk) -> None:
    """Step 3: one more commune for home visits, accessibility of her two places."""
    page = walk.page
    walk.fill(page.locator("#o0-zone-3"), "Gauchy (02430)")
    walk.shot("3-modalites", page.locator("#offre-0"))
    walk.choose(page.locator("#p0-accessibility"), "Accessible")
    walk.choose(page.locator("#p1-accessibility"), "Accessible")
    walk.shot("3-lieux", page.locator("#lieu-0"))
    _next(walk, 4)


def _contacts(walk: Walk) -> None:
    """Step 4: a line for tele-expertise, and no publication on public sites."""
    page = walk.page
    walk.choose(page.locator("#s0-c3-purpose"), "Télémédecine")
    walk.choose(page.locator("#s0-c3-channel"), "Téléphone mobile")
    walk.fill(page.locator("#s0-c3-value"), "0639980299")
    walk.fill(page.locator("#s0-c3-description"), "Téléexpertise, confrères")
    walk.choose(page.locator("#s0-c3-level"), "Réservé aux professionnels habilités")
    walk.check(page.get_by_label("Ne pas diffuser sur les sites publics"))
    walk.shot("4-contacts", page.locator("#site-0"))
    walk.shot("4-diffusion", page.locator("#diffusion"))
    _next(walk, 5)


def _hours(walk: Walk) -> None:
    """Step 5: walk-in consultations on Wednesday evening, closed in August."""
    page = walk.page
    walk.choose(page.locator("#o0-h7-type"), "Consultation sans rendez-vous")
    walk.choose(page.locator("#o0-h7-day"), "Mercredi")
    walk.fill(page.locator("#o0-h7-start"), "17:00")
    walk.fill(page.locator("#o0-h7-end"), "19:00")
    walk.fill(page.locator("#o0-closure_start"), "01/08/2026")
    walk.fill(page.locator("#o0-closure_end"), "24/08/2026")
    walk.shot("5-horaires", page.locator("#offre-0"))
    _next(walk, 6)


def _validate(walk: Walk) -> None:
    """Step 6: read it all, validate."""
    page = walk.page
    assert "Tout est prêt" in page.get_by_role("status").first.inner_text()
    walk.shot("6-relire")
    walk.click(page.get_by_role("button", name="Valider et publier"))
    assert page.get_by_role("heading", level=1).inner_text() == "Votre saisie est validée"
    walk.shot("7-validee")


def test_the_demo_gp_describes_her_practice_from_login_to_validation(
        page: Page, server: LiveServer) -> None:
    load_bundled(w.load(server))  # as the demo: the entry follows the city GP template
    walk = Walk(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    for step in (_login_and_start, _registry, _offers, _places, _contacts, _hours,
                 _validate):
        step(walk)
    table, minutes = walk.report()
    print(f"\n{table}\nestimate: {minutes:.1f} min")
    office = w.current(server, "HealthcareService", "demo-gp-office-437")
    assert any(c["code"] == "0172" for ch in office["characteristic"] for c in ch["coding"])
    assert office["notAvailable"][0]["during"]["start"] == "2026-08-01"
    assert w.version(server, "Location", "demo-office-place") == 2
    assert [e["valueCanonical"] for e in office["extension"] if e["url"].endswith(
        "questionnaire-used-as-a-template")] == [GP_TEMPLATE]
    assert sum(walk.fields.values()) <= 30 and minutes <= 15  # the promise, as estimated


def test_an_error_is_announced_and_its_link_leads_to_the_field(page: Page,
                                                               server: LiveServer) -> None:
    w.load(server)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/connexion?suite=/saisie")
    page.get_by_label("Identifiant").fill("demo-pro")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("button", name="Commencer").click()
    page.get_by_role("button", name=re.compile("continuer$")).click()
    field = page.locator("#o0-age_max")
    field.fill("douze")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    summary = page.get_by_role("alert")
    assert "1 point à corriger dans cette étape" in summary.inner_text()
    if SHOTS and "sqlite" in os.environ.get("PYTEST_CURRENT_TEST", ""):
        page.screenshot(path=str(Path(SHOTS) / "saisie-erreur.png"))
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "o0-age_max"
    assert field.get_attribute("aria-invalid") == "true"
    assert field.input_value() == "douze"
    # the keyboard alone opens « Signaler une erreur » on step 1
    page.goto("/saisie/etape-1")
    summary_line = page.locator("#element-praticien summary")
    summary_line.focus()
    page.keyboard.press("Enter")
    assert page.locator("#element-praticien details").get_attribute("open") is not None
