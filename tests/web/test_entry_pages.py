"""The professional's guided entry (``/saisie``) over HTTP, on both back-ends: the draft is
saved at every step and resumed; a wrong value is refused next to its field by the write
path's own validation; « Signaler une erreur » opens an anomaly with the comment; validation
writes the demo GP's offers and place as she entered them, visible through /fhir; and a
professional cannot validate into a practice that is not (any longer) entirely hers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import httpx
import pytest

from openror.access.caller import SYSTEM
from openror.config import Settings
from openror.geo import default_gazetteer
from openror.services.writes import WritePath
from openror.store.feed import LogEntry
from tests.api.people_fixture import logged_in
from tests.api.search_fixture import _tag, role
from tests.conftest import LiveServer
from tests.web import entry_world as w
from tests.web.form_values import form_values

OFFICE, OFFICE_GYN = "demo-gp-office-437", "demo-gp-office-485"


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), database_url=database_url,
                        region="32", log_level="WARNING", cookie_secure=False,
                        anonymous_access=True, alert_interval_seconds=0)
    with LiveServer(settings) as live:
        yield live


@pytest.fixture
def world(server: LiveServer) -> WritePath:
    return w.load(server)


def text(html: str) -> str:
    """The visible words (of the page's main part, when there is one), on one line."""
    main = html[html.index("<main"):html.index("</main>")] if "<main" in html else html
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)))


def start(client: httpx.Client, csrf: str) -> None:
    assert client.post("/saisie/commencer", data={"csrf": csrf}).status_code == 303


def post_step(client: httpx.Client, n: int, changes: dict[str, str] | None = None,
              action: str = "suivant") -> httpx.Response:
    """Send step ``n``'s form as the page draws it, with ``changes``."""
    shown = client.get(f"/saisie/etape-{n}")
    assert shown.status_code == 200, shown.text
    values = form_values(shown.text, f"/saisie/etape-{n}")
    values.update(changes or {})
    values["action"] = action
    return client.post(f"/saisie/etape-{n}", data=values)


def walk(client: httpx.Client, changes: dict[int, dict[str, str]]) -> None:
    """Steps 1 to 5, each with its changes, each accepted."""
    for n in range(1, 6):
        answer = post_step(client, n, changes.get(n))
        assert answer.status_code == 303, text(answer.text)
        assert answer.headers["location"] == f"/saisie/etape-{n + 1}"


def fhir(server: LiveServer, path: str, token: bool = True) -> Any:
    headers = server.headers if token else {}
    answer = httpx.get(f"{server.url}/fhir/{path}", headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def codes(offer: dict[str, Any], system_part: str) -> list[str]:
    return [c["code"] for ch in offer.get("characteristic", []) for c in ch["coding"]
            if system_part in c["system"]]


def levels(offer: dict[str, Any]) -> set[str]:
    return {e["valueCodeableConcept"]["coding"][0]["code"]
            for contact in offer.get("extension", []) if contact["url"].endswith("-contact")
            for e in contact["extension"] if e["url"].endswith("confidentiality-level")}


# -- who may use it --------------------------------------------------------------------------

def test_the_entry_is_for_professionals_linked_to_their_registry_record(
        server: LiveServer, world: WritePath) -> None:
    anonymous = httpx.get(f"{server.url}/saisie", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/connexion?suite=/saisie"
    with logged_in(server, "op") as (client, _):
        refused = client.get("/saisie")
        assert refused.status_code == 403
        assert "réservée aux professionnels de santé" in text(refused.text)
    with logged_in(server, "demo-pro") as (client, _):
        home = client.get("/saisie")
        assert home.status_code == 200
        assert "décrivez vos 5 offres et vos 3 lieux" in text(home.text)
        assert client.get("/saisie/etape-2", follow_redirects=False).headers["location"] \
            == "/saisie"  # no draft yet


# -- drafts ------------------------------------------------------------------------------------

def test_the_draft_is_saved_at_every_step_and_resumed(server: LiveServer,
                                                      world: WritePath) -> None:
    before = w.version(server, "HealthcareService", OFFICE)
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        assert post_step(client, 1).headers["location"] == "/saisie/etape-2"
        saved = post_step(client, 2, {"o0-comment": "Pas de nouveaux patients cet été."},
                          action="brouillon")
        assert saved.headers["location"] == "/saisie/etape-2?enregistre=1"
        assert "Brouillon enregistré" in text(client.get(saved.headers["location"]).text)
        # a step not reached yet sends back to the furthest one reached
        assert client.get("/saisie/etape-4", follow_redirects=False).headers["location"] \
            == "/saisie/etape-2"
    with logged_in(server, "demo-pro") as (client, csrf):  # another day, another session
        home = text(client.get("/saisie").text)
        assert "Vous avez une saisie en cours : étape 2 sur 6 (Décrire vos offres)" in home
        assert "Reprendre ma saisie" in home
        page = client.get("/saisie/etape-2").text
        assert form_values(page, "/saisie/etape-2")["o0-comment"] == \
            "Pas de nouveaux patients cet été."
    assert w.version(server, "HealthcareService", OFFICE) == before  # nothing published


def test_starting_again_forgets_the_draft(server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        post_step(client, 1)
        post_step(client, 2, {"o0-name": "Un autre nom"}, action="brouillon")
        start(client, csrf)  # « Recommencer à partir du répertoire »
        values = form_values(client.get("/saisie/etape-1").text, "/saisie/etape-1")
        assert values == {"csrf": csrf}
        assert client.get("/saisie/etape-2", follow_redirects=False).status_code == 303
        post_step(client, 1)
        name = form_values(client.get("/saisie/etape-2").text, "/saisie/etape-2")["o0-name"]
        assert name == "Médecine générale - Dr Claire VALMONT"


# -- errors next to their fields ---------------------------------------------------------------

def test_a_refused_value_is_shown_next_to_its_field_and_the_step_stays(
        server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        post_step(client, 1)
        refused = post_step(client, 2, {"o0-age_max": "douze", "o1-age_min": "40",
                                        "o1-age_max": "12", "o0-activity": "cardiologie ?"})
        assert refused.status_code == 400
        html = refused.text
        summary = re.search(r'<div class="alerte erreur" role="alert" id="erreurs".*?</div>',
                            html, re.S)
        assert summary is not None
        links = re.findall(r'href="#([^"]+)"', summary.group(0))
        assert set(links) == {"o0-age_max", "o0-activity", "o1-age_min"}
        words = text(summary.group(0))
        assert "3 points à corriger dans cette étape avant de continuer" in words
        assert "Médecine générale — Cabinet du Dr Claire VALMONT : Âge maximum" in words
        field = re.search(r'<input id="o0-age_max"[^>]*>', html)
        assert field and 'aria-invalid="true"' in field.group(0)
        assert 'aria-describedby="o0-age_max-aide o0-age_max-erreur"' in field.group(0)
        assert 'value="douze"' in field.group(0)  # kept as typed
        message = re.search(r'<p class="message-champ" id="o0-age_max-erreur">(.*?)</p>', html)
        assert message and "Indiquez l'âge maximum en années" in unescape(message.group(1))
        # the API's own rule, told in French
        assert "la valeur saisie n'est pas un nombre" in unescape(message.group(1))
        assert "OF1 Tranche d'âge cohérente" in text(html)  # the quality rule, in French
        assert client.get("/saisie/etape-3", follow_redirects=False).headers["location"] \
            == "/saisie/etape-2"
        # corrected, the step goes on
        fixed = post_step(client, 2, {"o0-age_max": "120", "o1-age_min": "12",
                                      "o1-age_max": "120",
                                      "o0-activity": "Médecine générale (437)"})
        assert fixed.headers["location"] == "/saisie/etape-3"


def test_errors_of_hours_and_contacts_name_their_row(server: LiveServer,
                                                      world: WritePath) -> None:
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        walk(client, {})
        refused = post_step(client, 3, {"o0-zone-3": "Gauchi"})  # no such commune
        assert refused.status_code == 400
        assert 'href="#o0-zone-3"' in refused.text
        assert "« Gauchi » n'est pas dans la liste JDV_J124" in text(refused.text)
        refused = post_step(client, 4, {"s0-c0-value": "", "s0-c0-description": "Accueil"})
        assert refused.status_code == 400
        assert 'href="#s0-c0-value"' in refused.text
        assert "Contact 1 (numéro ou adresse)" in text(refused.text)
        refused = post_step(client, 5, {"o0-h0-start": "25:00"})
        assert refused.status_code == 400
        assert 'href="#o0-h0-start"' in refused.text
        assert "Horaires, ligne 1 (début)" in text(refused.text)
        assert "« 25:00:00 » n'est pas une heure" in text(refused.text)


# -- step 1: registry data, errors reported, membership ----------------------------------------

def test_signaler_une_erreur_opens_an_anomaly_with_the_comment(server: LiveServer,
                                                             world: WritePath) -> None:
    comment = "Mon nom d'exercice est VALMONT-DURAND depuis mars."
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        page = text(client.get("/saisie/etape-1").text)
        assert "Identifiant national (RPPS) 819900000001" in page
        assert "Vous exercez au sein de : Centre de santé des Trois Rivières (centre de santé)" \
            in page
        empty = client.post("/saisie/signaler", data={"csrf": csrf, "element": "praticien",
                                                      "commentaire": " "})
        assert empty.status_code == 400
        assert 'id="commentaire-praticien-erreur"' in empty.text
        sent = client.post("/saisie/signaler", data={"csrf": csrf, "element": "praticien",
                                                     "commentaire": comment})
        assert sent.status_code == 303
        shown = text(client.get(sent.headers["location"]).text)
        assert "Votre signalement a été transmis à l'opérateur régional" in shown
        forged = client.post("/saisie/signaler", data={
            "csrf": csrf, "element": "structure-other-office", "commentaire": "x"})
        assert forged.status_code == 400
    found = fhir(server, f"Task?focus=Practitioner/{w.GP}")["entry"]
    assert len(found) == 1
    task = found[0]["resource"]
    assert comment in task["description"] and "Claire VALMONT" in task["description"]
    assert task["businessStatus"]["coding"][0]["code"] == "02"  # à traiter, for the operator
    assert task["reasonCode"]["coding"][0]["code"] == "COR"
    inputs = {i["type"]["coding"][0]["code"]: i for i in task["input"]}
    assert inputs["systemRequester"]["valueString"] == "IHM"
    assert inputs["identifierRequester"]["valueIdentifier"]["value"] == "819900000001"
    assert "VALMONT" in inputs["errorValue"]["valueString"]
    assert task["meta"]["tag"][0]["code"] == "32"


def test_membership_of_a_health_house_is_declared(server: LiveServer,
                                                  world: WritePath) -> None:
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        refused = client.post("/saisie/appartenance", data={"csrf": csrf, "type": "maison"})
        assert refused.status_code == 400
        assert "Indiquez le nom de la structure" in text(refused.text)
        sent = client.post("/saisie/appartenance", data={
            "csrf": csrf, "type": "maison", "nom": "MSP du Vermandois",
            "commune": "Saint-Quentin", "commentaire": "Le jeudi après-midi."})
        assert sent.headers["location"] == "/saisie/etape-1?declare=1#appartenance"
    task = fhir(server, f"Task?focus=Practitioner/{w.GP}")["entry"][0]["resource"]
    assert "maison de santé « MSP du Vermandois » (Saint-Quentin)" in task["description"]
    assert task["reasonCode"]["coding"][0]["code"] == "AJO"


# -- validation ----------------------------------------------------------------------------------

CHANGES = {
    2: {"o0-acts-0": "ECG (électrocardiographie) (0172)", "o1-acts-0": "frottis du col utérin",
        "p0-e0-type": "Echographe transportable (021)", "p0-e0-count": "1"},
    3: {"o0-zone-3": "Gauchy (02430)", "p0-description": "Rez-de-chaussée, rampe d'accès",
        "p0-accessibility": "1"},
    4: {"diffusion": "non-public", "s0-c3-purpose": "09", "s0-c3-channel": "1",
        "s0-c3-value": "0639980299", "s0-c3-level": "2",
        "s0-c3-description": "Téléexpertise"},
    5: {"o0-h7-type": "06", "o0-h7-day": "6", "o0-h7-start": "14h", "o0-h7-end": "16:30",
        "o0-closure_start": "2026-08-01", "o0-closure_end": "2026-08-24"},
}


def test_validation_writes_the_offers_as_entered_visible_through_fhir(
        server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        walk(client, CHANGES)
        review = text(client.get("/saisie/etape-6").text)
        assert "Tout est prêt" in review
        assert "ECG (électrocardiographie)" in review and "Gauchy (02430)" in review
        assert "Ne pas diffuser sur les sites publics" in review
        done = client.post("/saisie/valider", data={"csrf": csrf})
        assert done.status_code == 200, text(done.text)
        words = text(done.text)
        assert "Votre saisie est validée" in words and "6 fiches mises à jour" in words
        assert "Commencer" in text(client.get("/saisie").text)  # the draft is done with
    bundle = fhir(server, f"HealthcareService?_has:PractitionerRole:service:practitioner="
                          f"Practitioner/{w.GP}")
    offers = {e["resource"]["id"]: e["resource"] for e in bundle["entry"]}
    assert set(offers) == set(w.OFFERS)
    office = offers[OFFICE]
    assert "0172" in codes(office, "TRE_R210") and "1208" in codes(offers[OFFICE_GYN],
                                                                   "TRE_R210")
    zone = [e["extension"][1]["valueCodeableConcept"]["coding"][0]["code"]
            for e in office["extension"] if e["url"].endswith("territorial-division")]
    gauchy = default_gazetteer().find("02430", "Gauchy")
    assert gauchy is not None and zone == ["02691", "02237", "02332", gauchy.code]
    added = office["availableTime"][-1]  # « 14h » read as 14:00
    assert (added["availableStartTime"], added["availableEndTime"]) == ("14:00:00", "16:30:00")
    assert [e.get("valueInteger") for e in added["extension"]] == [None, 6]
    assert office["notAvailable"][0]["during"] == {"start": "2026-08-01", "end": "2026-08-24"}
    assert all(levels(o) <= {"2", "3"} for o in offers.values())  # « non-public »: no level 1
    assert office["meta"]["versionId"] == "2"
    sources = {p["valueCode"] for e in office["meta"]["extension"]
               for p in e["extension"] if p["url"] == "source"}
    assert "professional" in sources
    place = fhir(server, "Location/demo-office-place")
    assert place["description"] == "Rez-de-chaussée, rampe d'accès"
    assert any(e["url"].endswith("location-equipment") for e in place["extension"])
    public = fhir(server, f"HealthcareService/{OFFICE}", token=False)  # a public site
    assert not [e for e in public.get("extension", []) if e["url"].endswith("-contact")]
    history = fhir(server, f"HealthcareService/{OFFICE}/_history")
    assert history["total"] == 2
    proposal = fhir(server, "Task?focus=Organization/demo-office")["entry"][0]["resource"]
    assert "Accessible" in proposal["description"]


def test_nothing_changed_writes_nothing(server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        walk(client, {})
        done = client.post("/saisie/valider", data={"csrf": csrf})
        assert "Aucune modification" in text(done.text)
    assert w.version(server, "HealthcareService", OFFICE) == 1
    assert w.version(server, "Location", "demo-office-place") == 1


def test_a_field_changed_meanwhile_is_kept_and_a_clash_is_told(server: LiveServer,
                                                                world: WritePath) -> None:
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        walk(client, {2: {"o0-comment": "Ouvert aux nouveaux patients."}})
        body = w.current(server, "HealthcareService", OFFICE)  # the operator, meanwhile
        body["name"] = "Médecine générale - Dr Claire VALMONT (Saint-Quentin)"
        world.update("HealthcareService", OFFICE, body, LogEntry(actor="op"), caller=SYSTEM)
        done = client.post("/saisie/valider", data={"csrf": csrf})
        assert done.status_code == 200, text(done.text)
        stored = w.current(server, "HealthcareService", OFFICE)
        assert stored["name"].endswith("(Saint-Quentin)")  # theirs kept: she did not touch it
        assert stored["comment"] == "Ouvert aux nouveaux patients."
        start(client, csrf)
        walk(client, {2: {"o0-comment": "Complet."}})
        body = w.current(server, "HealthcareService", OFFICE)
        body["comment"] = "Fermé le samedi."
        world.update("HealthcareService", OFFICE, body, LogEntry(actor="op"), caller=SYSTEM)
        clash = client.post("/saisie/valider", data={"csrf": csrf})
        assert clash.status_code == 400
        assert 'href="/saisie/etape-2#o0-comment"' in clash.text
        assert "Modifié entre-temps" in text(clash.text) and "Fermé le samedi." in text(
            clash.text)
    assert w.current(server, "HealthcareService", OFFICE)["comment"] == "Fermé le samedi."


def test_a_professional_cannot_validate_into_a_practice_not_hers(
        server: LiveServer, world: WritePath) -> None:
    other = w.current(server, "HealthcareService", "other-offer")
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        # a forged field naming another's offer is no field of her draft: ignored
        walk(client, {2: {"o9-name": "Piraté", "o0-comment": "Nouveaux patients acceptés !",
                          "o1-comment": "Sur rendez-vous seulement."}})
        # meanwhile, another GP joins the gynecology offer: it is no longer hers alone
        joined = {**role("role-other-485", "pr-other", OFFICE_GYN), "meta": _tag("32")}
        world.update("PractitionerRole", "role-other-485", joined, LogEntry(actor="op"),
                     caller=SYSTEM)
        walk_back = client.post("/saisie/valider", data={"csrf": csrf})
        assert walk_back.status_code == 400
        html = walk_back.text
        assert 'href="/saisie/etape-2#o1-name"' in html
        assert "Vous n'avez pas le droit de modifier ceci" in text(html)
        assert "rien n'a été publié" in text(html)
        step2 = client.get("/saisie/etape-2").text
        assert 'id="o1-name-erreur"' in step2
    assert w.version(server, "HealthcareService", OFFICE) == 1  # all or nothing
    assert w.current(server, "HealthcareService", "other-offer") == other
