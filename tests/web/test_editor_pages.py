"""The establishment referent's editor over HTTP, on both back-ends: the tree of a legal
entity, editing, creating, duplicating and closing offers, editing a place, refusals told
in French next to their field, the « modifié entre-temps » message when someone saved
meanwhile, the change log of each object, and the scope of a referent (world:
tests/web/editor_world.py). Every write goes through the write path as the person."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import httpx
import pytest

from openror.services.writes import WritePath
from openror.store.feed import LogEntry, changes
from tests.api.people_fixture import logged_in
from tests.conftest import LiveServer
from tests.web import editor_world
from tests.web.editor_world import current, person, version
from tests.web.html_forms import form_of

OFFER = "/etablissement/offre/hs-a"
R286 = "https://mos.esante.gouv.fr/NOS/TRE_R286-TypeFermeture/FHIR/TRE-R286-TypeFermeture"


@pytest.fixture(scope="module")
def server(region_server: LiveServer) -> LiveServer:
    return region_server


@pytest.fixture
def world(server: LiveServer) -> WritePath:
    return editor_world.load(server)


def text(html: str) -> str:
    """The page's visible words, on one line."""
    main = html[html.index("<main"):html.index("</main>")]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)))


def field_error(html: str, name: str) -> str:
    found = re.search(rf'<p class="message-champ" id="{re.escape(name)}-erreur">(.*?)</p>',
                      html, re.S)
    assert found, f"no error next to {name}"
    return unescape(found.group(1))


def log_of(server: LiveServer, rtype: str, rid: str) -> list[Any]:
    with server.app.state.services.db.read() as conn:
        return list(changes(conn, rtype=rtype, rid=rid))


def edited(client: httpx.Client, url: str, **values: str) -> dict[str, str]:
    """The form of ``url`` as drawn, with some fields changed."""
    form = form_of(client.get(url).text, url)
    form.update(values)
    return form


# -- the tree ---------------------------------------------------------------------------

def test_the_tree_shows_the_legal_entity_its_sites_units_offers_and_places(
        server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "ref-ej") as (client, _):
        home = client.get("/")
        assert 'href="/etablissement"' in home.text  # in the navigation
        shown = client.get("/etablissement", follow_redirects=True)
    assert str(shown.url).endswith("/etablissement/organisation/ej-a")  # the only one
    words = text(shown.text)
    assert "EJ A Entité juridique — 3 offres" in words
    assert "Site A Établissement (site) — 3 offres" in words
    assert "Unité A Unité interne — 2 offres" in words
    for rid in ("hs-a", "hs-a2", "hs-a3"):
        assert f'href="/etablissement/offre/{rid}"' in shown.text
        assert f'name="choix-{rid}"' in shown.text
    assert "Lieu : Bloc opératoire Saint-Quentin (02691) — 1 équipement" in words
    assert "Lieu loc-shared Saint-Quentin (02691) partagé avec un autre établissement" in words
    assert "hs-b" not in shown.text  # another legal entity's offer
    # nested lists of links: the page is walked with the keyboard alone
    assert re.search(r'<ul class="arbre">\s*<li class="noeud legal-entity">', shown.text)


def test_pages_ask_anonymous_visitors_to_log_in(server: LiveServer, world: WritePath) -> None:
    found = httpx.get(f"{server.url}{OFFER}", follow_redirects=False)
    assert found.status_code == 303
    assert found.headers["location"] == f"/connexion?suite={OFFER}"


# -- editing an offer -------------------------------------------------------------------

def test_editing_an_offer_writes_it_as_the_person_with_the_nos_vocabularies(
        server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "ref") as (client, _):
        form = edited(client, OFFER, nom="Consultations de gynécologie",
                      activite="Gynécologie médicale", age_min="15", age_max="99",
                      **{"actes-0": "ECG (électrocardiographie) (0172)"})
        form.update({"modalites-04": "04", "publics-08": "08"})
        saved = client.post(OFFER, data=form)
    assert saved.status_code == 200
    assert "Offre enregistrée (version 2)" in text(saved.text)
    body = current(server, "HealthcareService", "hs-a")
    assert body["name"] == "Consultations de gynécologie"
    assert [c["code"] for c in body["specialty"][0]["coding"]] == ["053"]
    codes = {c["code"] for item in body["characteristic"] for c in item["coding"]}
    assert codes == {"32", "04", "0172"}  # care mode kept, modality and act added
    act = next(i for i in body["characteristic"] if i["coding"][0]["code"] == "0172")
    assert act["extension"][0]["valueCode"] == "specificAct"
    last = log_of(server, "HealthcareService", "hs-a")[-1]
    assert last.actor == "user:ref"
    assert last.reason == "éditeur établissement : modification de l'offre"
    words = text(saved.text)  # the change log, newest first, field by field
    assert ("Claire Référente — modification (éditeur établissement : modification de "
            "l'offre) Nom de l'offre : Offre hs-a → Consultations de gynécologie") in words
    assert "Activité opérationnelle : Médecine générale (437) → Gynécologie médicale (053)" \
        in words
    assert "Âge minimum (ans) : 0 → 15" in words


def test_a_form_sent_unchanged_makes_no_version(server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "ref") as (client, _):
        saved = client.post(OFFER, data=edited(client, OFFER))
    assert "Aucune modification à enregistrer" in text(saved.text)
    assert version(server, "HealthcareService", "hs-a") == 1


def test_refused_values_are_told_in_french_next_to_their_field(
        server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "ref") as (client, _):
        refused = client.post(OFFER, data=edited(client, OFFER, nom="", activite="Truc (999)",
                                                 age_min="dix-huit"))
        ages = client.post(OFFER, data=edited(client, OFFER, age_min="50", age_max="20"))
    assert refused.status_code == 400
    summary = re.search(r'<div class="alerte erreur" role="alert".*?</div>', refused.text, re.S)
    assert summary and "3 problèmes à corriger — rien n'a été enregistré" in text(
        f"<main>{summary.group(0)}</main>")
    for name in ("nom", "activite", "age_min"):
        assert f'href="#{name}"' in summary.group(0)
        assert re.search(rf'id="{name}"[^>]*aria-invalid="true"', refused.text)
    assert field_error(refused.text, "nom") == "Ce champ est obligatoire. Donnez un nom à l'offre."
    assert field_error(refused.text, "activite").startswith(
        "« 999 » n'est pas dans la nomenclature.")
    assert "années" in field_error(refused.text, "age_min")
    assert 'value="dix-huit"' in refused.text  # kept as typed
    # a quality rule checked on write (OF1), in its own words, next to the age
    assert ages.status_code == 400
    assert "tranche d'âge 50–20 ans incohérente" in field_error(ages.text, "age_min")
    assert version(server, "HealthcareService", "hs-a") == 1  # nothing stored


def test_an_offer_changed_meanwhile_is_not_overwritten_and_what_changed_is_shown(
        server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "ref") as (client, _):
        form = edited(client, OFFER, nom="Consultations du matin", age_max="99")
        body = current(server, "HealthcareService", "hs-a")  # meanwhile, someone saves
        body["name"], body["comment"] = "Consultations de Jean", "Ouvert le samedi"
        world.update("HealthcareService", "hs-a", body,
                     LogEntry(actor="user:ref-ej", reason="correction"),
                     caller=person("ref-ej"))
        conflict = client.post(OFFER, data=form)
        assert conflict.status_code == 409
        words = text(conflict.text)
        assert re.search(r"Modifié entre-temps par Jean Direction le \d\d/\d\d/\d{4} à "
                         r"\d\d:\d\d", words)
        assert "Nom de l'offre : Offre hs-a → Consultations de Jean" in words
        assert "Commentaire : — → Ouvert le samedi" in words
        assert "Modifié aussi par l'autre personne, qui avait enregistré : « Consultations " \
               "de Jean »" in words
        stored = current(server, "HealthcareService", "hs-a")
        assert stored["name"] == "Consultations de Jean"  # not overwritten
        # the form now carries the current version, with my changes on top of theirs
        again = form_of(conflict.text, OFFER)
        assert again["version"] == "2" and again["nom"] == "Consultations du matin"
        assert again["commentaire"] == "Ouvert le samedi" and again["age_max"] == "99"
        saved = client.post(OFFER, data=again)
    assert saved.status_code == 200
    stored = current(server, "HealthcareService", "hs-a")
    assert (stored["name"], stored["comment"]) == ("Consultations du matin", "Ouvert le samedi")


# -- creating, duplicating ----------------------------------------------------------------

def test_creating_an_offer_under_a_unit(server: LiveServer, world: WritePath) -> None:
    url = "/etablissement/organisation/unit-a/nouvelle-offre"
    with logged_in(server, "ref") as (client, _):
        form = edited(client, url, nom="Hôpital de jour", champ="01", mode="",
                      activite="Médecine générale (437)", age_min="18", age_max="150")
        refused = client.post(url, data=form)
        assert refused.status_code == 400  # the care mode is required by the profile
        assert "Choisissez un mode de prise en charge" in field_error(refused.text, "mode")
        form["mode"] = "29"
        form["lieux-loc-new-a"] = "loc-new-a"
        created = client.post(url, data=form, follow_redirects=False)
    assert created.status_code == 303
    rid = created.headers["location"].split("/")[-1].removesuffix("?cree=1")
    body = current(server, "HealthcareService", rid)
    assert body["providedBy"] == {"reference": "Organization/unit-a"}
    assert body["identifier"][0]["value"].startswith("32/")  # given by the server
    assert body["location"] == [{"reference": "Location/loc-new-a"}]
    assert log_of(server, "HealthcareService", rid)[-1].reason == \
        "éditeur établissement : création d'une offre"


def test_duplicating_an_offer_prefills_a_new_one(server: LiveServer, world: WritePath) -> None:
    url = "/etablissement/organisation/unit-a/nouvelle-offre"
    with logged_in(server, "ref") as (client, _):
        page = client.get(url, params={"depuis": "hs-a"})
        words = text(page.text)
        assert "Nouvelle offre (copie)" in words
        assert "non repris, car partagés avec un établissement dont vous n'êtes pas " \
               "référent : Lieu loc-shared" in words
        form = form_of(page.text, url)
        assert form["nom"] == "Offre hs-a (copie)" and form["depuis"] == "hs-a"
        assert form["activite"] == "Médecine générale (437)" and "lieux-loc-a" in form
        form["nom"] = "Offre hs-a, site Nord"
        created = client.post(url, data=form, follow_redirects=True)
    assert "Offre créée" in text(created.text)
    rid = str(created.url).split("/")[-1].split("?")[0]
    copy, source = current(server, "HealthcareService", rid), current(
        server, "HealthcareService", "hs-a")
    assert copy["specialty"] == source["specialty"]
    assert copy["location"] == [{"reference": "Location/loc-a"}]
    assert copy["identifier"] != source["identifier"]
    assert version(server, "HealthcareService", "hs-a") == 1  # the source is untouched


# -- closing several offers -----------------------------------------------------------------

def test_closing_several_offers_at_once(server: LiveServer, world: WritePath) -> None:
    url = "/etablissement/organisation/eg-a/fermer"
    with logged_in(server, "ref") as (client, _):
        confirm = client.get(url, params={"choix-hs-a2": "1", "choix-hs-a3": "1"})
        assert "Fermer 2 offres" in text(confirm.text)
        form = form_of(confirm.text, url)
        form.update(fermeture_debut="2026-11-20", fermeture_fin="2027-01-05")
        done = client.post(url, data=form)
        tree = client.get("/etablissement/organisation/eg-a")
    assert done.status_code == 200
    assert "2 offres fermées." in text(done.text)
    assert ("Téléconsultations fermée : fermeture provisoire à partir du 20/11/2026, "
            "réouverture prévue le 05/01/2027.") in text(done.text)
    for rid in ("hs-a2", "hs-a3"):
        body = current(server, "HealthcareService", rid)
        assert body["notAvailable"] == [{"id": "closingReopeningDate",
                                         "description": "Période de fermeture et de "
                                                        "réouverture prévisionnelle",
                                         "during": {"start": "2026-11-20",
                                                    "end": "2027-01-05"}}]
        assert {"coding": [{"system": R286, "code": "PRO"}]} in body["characteristic"]
    assert "Site A Établissement (site) — 3 offres, dont 2 fermées" in text(tree.text)
    assert "fermée depuis le 20/11/2026 (provisoire), réouverture prévue le 05/01/2027" in \
        text(tree.text)


def test_closing_several_offers_reports_each_one(server: LiveServer, world: WritePath) -> None:
    url = "/etablissement/organisation/eg-a/fermer"
    with logged_in(server, "ref") as (client, _):
        form = form_of(client.get(url, params={"choix-hs-a2": "1", "choix-hs-a3": "1",
                                               "choix-hs-b": "1"}).text, url)
        form["fermeture_type"] = "DEF"
        body = current(server, "HealthcareService", "hs-a3")  # meanwhile
        body["name"] = "Téléconsultations du soir"
        world.update("HealthcareService", "hs-a3", body, LogEntry(actor="user:ref-ej"),
                     caller=person("ref-ej"))
        done = client.post(url, data=form)
    words = text(done.text)
    assert "1 offre fermée, 2 non fermées" in words
    assert "Consultations du site fermée : fermeture définitive à partir du" in words
    assert ("Téléconsultations du soir non fermée : modifiée entre-temps par Jean Direction "
            "le") in words
    assert "(Nom de l'offre)" in words
    assert "Offre hs-b non fermée : vous n'avez pas le droit de modifier cette offre." in words
    assert "notAvailable" not in current(server, "HealthcareService", "hs-a3")
    assert "notAvailable" not in current(server, "HealthcareService", "hs-b")
    assert "notAvailable" in current(server, "HealthcareService", "hs-a2")


def test_closing_needs_a_kind_and_a_date(server: LiveServer, world: WritePath) -> None:
    url = "/etablissement/organisation/eg-a/fermer"
    with logged_in(server, "ref") as (client, _):
        form = form_of(client.get(url, params={"choix-hs-a2": "1"}).text, url)
        form.update(fermeture_type="DEF", fermeture_debut="", fermeture_fin="2027-01-01")
        refused = client.post(url, data=form)
    assert refused.status_code == 400
    assert field_error(refused.text, "fermeture_debut").startswith("Indiquez la date")
    assert "définitive n'a pas de date de réouverture" in field_error(refused.text,
                                                                      "fermeture_fin")
    assert "notAvailable" not in current(server, "HealthcareService", "hs-a2")


# -- places -------------------------------------------------------------------------------

def test_editing_a_place_its_commune_and_equipment(server: LiveServer, world: WritePath) -> None:
    url = "/etablissement/lieu/loc-new-a"
    with logged_in(server, "ref") as (client, _):
        page = client.get(url)
        assert 'href="/capacites/site/eg-a"' in page.text  # the capacities have their page
        form = edited(client, url, **{"eq0-lim0-valeur": "300", "eq1-type": "Angioscope (003)",
                                      "eq1-nombre": "2", "code_postal": "02000",
                                      "commune": "Laon", "latitude": "49,5641",
                                      "longitude": "3,6199", "fiables": "oui"})
        saved = client.post(url, data=form)
        bad = client.post(url, data=edited(client, url, **{"eq0-nombre": "deux",
                                                           "latitude": "nord"}))
    assert saved.status_code == 200 and "Lieu enregistré (version 3)" in text(saved.text)
    body = current(server, "Location", "loc-new-a")
    commune = next(e for e in body["extension"] if e["url"].endswith("ror-commune-cog"))
    assert commune["valueCodeableConcept"]["coding"][0]["code"] == "02408"
    assert body["position"]["latitude"] == 49.5641
    kinds = [p["valueCodeableConcept"]["coding"][0]["code"] for e in body["extension"]
             if e["url"].endswith("ror-location-equipment") for p in e["extension"]
             if p["url"] == "equipmentType"]
    assert kinds == ["088", "003"]
    assert "poids maximum : 250 kg → Table de bloc opératoire" in text(saved.text)
    assert bad.status_code == 400
    assert field_error(bad.text, "eq0-nombre") == \
        "Indiquez un nombre entier d'équipements en service."
    assert "latitude" in field_error(bad.text, "latitude")
    assert version(server, "Location", "loc-new-a") == 3


def test_creating_a_place_of_a_site(server: LiveServer, world: WritePath) -> None:
    url = "/etablissement/organisation/eg-a/nouveau-lieu"
    with logged_in(server, "ref") as (client, _):
        form = edited(client, url, nom="Hôpital de jour, bâtiment C",
                      adresse="3 rue de la Paix", code_postal="02000", ville="Laon")
        created = client.post(url, data=form, follow_redirects=False)
        on_a_unit = client.get("/etablissement/organisation/unit-a/nouveau-lieu")
        tree = text(client.get("/etablissement/organisation/eg-a").text)
    assert created.status_code == 303
    rid = created.headers["location"].split("/")[-1].removesuffix("?cree=1")
    body = current(server, "Location", rid)
    assert body["managingOrganization"] == {"reference": "Organization/eg-a"}
    commune = next(e for e in body["extension"] if e["url"].endswith("ror-commune-cog"))
    assert commune["valueCodeableConcept"]["coding"][0]["code"] == "02408"  # from the city
    assert "Lieu : Hôpital de jour, bâtiment C Laon (02408)" in tree
    assert on_a_unit.status_code == 400
    assert "Un lieu se crée sur un établissement (site)" in text(on_a_unit.text)


# -- scope and change logs ----------------------------------------------------------------

def test_a_referent_may_neither_open_nor_change_another_establishment(
        server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "ref") as (client, _):
        form = edited(client, OFFER, nom="Pris par un autre")
        shared = client.get("/etablissement/lieu/loc-shared")
        above = client.get("/etablissement/organisation/ej-a")  # ref is referent of eg-a
    assert shared.status_code == 403
    assert "Ce lieu ne relève pas de vos droits" in text(shared.text)
    assert above.status_code == 403
    with logged_in(server, "ref-b") as (client, csrf):
        opened = client.get(OFFER)
        form["csrf"] = csrf
        posted = client.post(OFFER, data=form)
        created = client.get("/etablissement/organisation/eg-a/nouvelle-offre")
    assert opened.status_code == posted.status_code == created.status_code == 403
    assert "Cette offre ne relève pas de vos droits" in text(posted.text)
    assert current(server, "HealthcareService", "hs-a")["name"] == "Offre hs-a"


def test_the_change_log_is_on_every_object(server: LiveServer, world: WritePath) -> None:
    site = current(server, "Organization", "eg-a")
    site["alias"] = ["Hôpital A"]
    world.update("Organization", "eg-a", site, LogEntry(actor="user:op", reason="alias FINESS"),
                 caller=person("op"))
    with logged_in(server, "ref") as (client, _):
        organisation = text(client.get("/etablissement/organisation/eg-a").text)
        place = text(client.get("/etablissement/lieu/loc-new-a").text)
        offer = text(client.get("/etablissement/offre/hs-a2").text)
    assert re.search(r"Odile Opératrice — modification \(alias FINESS\) Nom d'usage : — → "
                     r"Hôpital A", organisation)
    assert "roles test — création Nom : — → Site A" in organisation
    assert ("import de test — modification (chargement du monde de test) Nom du lieu : "
            "Lieu loc-new-a → Bloc opératoire") in place
    assert "Équipements spécifiques : — → Table de bloc opératoire obésité" in place
    assert ("import de test — création (chargement du monde de test) Nom de l'offre : — → "
            "Consultations du site") in offer
    assert "Lieux de réalisation : — → Bloc opératoire" in offer
