"""The referent's offer editor follows the entry template that applies to the offer (web.
editor.template_use), over HTTP on both back-ends: the template of the site's category and
the offer's field decides the form (the rest folded under it, never emptied), what is
required (told by the form) and read-only; the page footer names it; the offer saved
records it; the quality rules' warnings are shown « à vérifier » next to their field after
a save; and a link from an anomaly opens the page on the field at fault, highlighted.
World: tests/web/editor_world.py, plus the bundled templates."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from openror.access.caller import SYSTEM
from openror.fhir import profiles as p
from openror.quality import catalog
from openror.quality.inbox import Unit
from openror.services.writes import WritePath
from openror.store.feed import LogEntry
from openror.templates.loader import load_bundled
from openror.web import quality_links
from tests.api.people_fixture import logged_in
from tests.conftest import LiveServer
from tests.web import editor_world
from tests.web.editor_world import current, version
from tests.web.html_forms import form_of

MCO = "https://interop.esante.gouv.fr/ig/fhir/ror/Questionnaire/FDS-109|1"
GP = "https://openror.org/fhir/Questionnaire/offre-de-ville-medecine-generale|1"
R66 = "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-" \
      "CategorieEtablissement"
R227 = "https://mos.esante.gouv.fr/NOS/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite"
LOG = LogEntry(actor="import de test")


@pytest.fixture(scope="module")
def server(region_server: LiveServer) -> LiveServer:
    return region_server


@pytest.fixture
def world(server: LiveServer) -> WritePath:
    """eg-a a hospital (category 355) whose hs-a is in MCO; hs-p, the practice of P (no
    category), stays a city offer."""
    writes = editor_world.load(server)
    load_bundled(writes)
    site = current(server, "Organization", "eg-a")
    site["type"] = [{"coding": [{"system": R66, "code": "355"}]}]
    writes.update("Organization", "eg-a", site, LOG, caller=SYSTEM)
    offer = current(server, "HealthcareService", "hs-a")
    offer["type"] = [{"coding": [{"system": R227, "code": "01"}]}]
    writes.update("HealthcareService", "hs-a", offer, LOG, caller=SYSTEM)
    return writes


def words(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def footer(html: str) -> str:
    found = re.search(r'<p class="modele-saisie" id="modele-saisie">(.*?)</p>', html, re.S)
    assert found, "no template note in the footer"
    return words(found.group(1))


def folded(html: str) -> str:
    found = re.search(r'<details class="hors-modele"[^>]*>.*?</details>', html, re.S)
    return found.group(0) if found else ""


def templates_of(body: dict[str, Any]) -> list[str]:
    return [e["valueCanonical"] for e in body.get("extension", [])
            if e["url"] == p.EXT_TEMPLATE]


def test_a_hospital_offer_follows_the_mco_template(server: LiveServer,
                                                   world: WritePath) -> None:
    with logged_in(server, "ref") as (client, _):
        page = client.get("/etablissement/offre/hs-a").text
    assert footer(page) == "Modèle de saisie : Unité hospitalière de gynécologie (version 1)."
    form, rest = page.split('<details class="hors-modele"')
    # asked by the template (name, field, sensitive unit) or required by the profile
    for name in ("nom", "champ", "activite", "mode", "age_min", "age_max", "sensible"):
        assert f'id="champ-{name}"' in form, name
    # the rest is folded under the form, still sent with it
    for name in ("categorie", "temporalite", "modalites", "publics", "actes", "competences",
                 "expertise", "lieux", "horaires", "contacts", "zones", "commentaire",
                 "fermeture_type"):
        assert f'id="champ-{name}"' in rest and f'id="champ-{name}"' not in form, name
    assert "Autres champs, hors du modèle de saisie (15)" in words(folded(page))
    assert "<details class=\"hors-modele\">" in page  # closed: nothing to look at there


def test_a_city_offer_has_its_care_mode_fixed_and_modalities_required(
        server: LiveServer, world: WritePath) -> None:
    url = "/etablissement/offre/hs-p"  # P's practice (no category), in the city field
    with logged_in(server, "op") as (client, _):
        page = client.get(url).text
        assert footer(page) == "Modèle de saisie : Cabinet de ville de médecine générale " \
                               "(version 1)."
        form = form_of(page, url)
        assert "mode" not in form and "champ" not in form  # read-only: no input
        assert re.search(r'<span class="etiquette" id="mode">Mode de prise en charge :</span> '
                         r'<span class="valeur-fixe">[^<]+</span>', page)
        assert re.search(r"<legend>Modalités d'accueil <span class=.requis.>"
                         r"\(obligatoire\)</span></legend>", unescape(page))
        form["commentaire"] = "Sur rendez-vous."
        refused = client.post(url, data=form)  # no modality ticked: the form says so
        assert refused.status_code == 400
        message = re.search(r'<p class="message-champ" id="modalites-erreur">(.*?)</p>',
                            refused.text)
        assert message and unescape(message.group(1)) == \
            "Ce champ est obligatoire. Cochez les modalités d'accueil proposées."
        assert version(server, "HealthcareService", "hs-p") == 1
        form["modalites-03"] = "03"
        form["mode"] = "40"  # a forged value of a read-only field is not taken
        saved = client.post(url, data=form)
        assert saved.status_code == 200, words(saved.text)
    body = current(server, "HealthcareService", "hs-p")
    assert body["meta"]["versionId"] == "2" and body["comment"] == "Sur rendez-vous."
    assert templates_of(body) == [GP]
    modes = [c["code"] for ch in body["characteristic"] for c in ch["coding"]
             if "TRE_R213" in c["system"]]
    assert modes == ["32"]


def test_a_new_offer_records_the_template_of_its_site(server: LiveServer,
                                                      world: WritePath) -> None:
    url = "/etablissement/organisation/eg-a/nouvelle-offre"
    with logged_in(server, "ref") as (client, _):
        page = client.get(url).text
        assert footer(page) == "Modèle de saisie : Unité hospitalière de gynécologie " \
                               "(version 1)."
        form = form_of(page, url)
        form.update(nom="Consultations de gynécologie", champ="01", mode="32",
                    activite="Médecine générale (437)", age_min="15", age_max="150")
        created = client.post(url, data=form, follow_redirects=False)
        assert created.status_code == 303, words(created.text)
    rid = created.headers["location"].split("/")[-1].removesuffix("?cree=1")
    assert templates_of(current(server, "HealthcareService", rid)) == [MCO]


def test_without_a_template_the_built_in_form_is_kept_and_said(server: LiveServer) -> None:
    editor_world.load(server)  # no template loaded
    with logged_in(server, "ref") as (client, _):
        page = client.get("/etablissement/offre/hs-a").text
        assert footer(page).startswith("Aucun modèle de saisie ne s'applique à cette offre")
        assert folded(page) == ""
        form = form_of(page, "/etablissement/offre/hs-a")
        form["commentaire"] = "Ouvert le samedi"
        assert client.post("/etablissement/offre/hs-a", data=form).status_code == 200
    assert templates_of(current(server, "HealthcareService", "hs-a")) == []


def test_a_quality_warning_is_shown_next_to_its_field_after_a_save(
        server: LiveServer, world: WritePath) -> None:
    url = "/etablissement/offre/hs-a"
    with logged_in(server, "ref") as (client, _):
        form = form_of(client.get(url).text, url)
        form["nom"] = "Consultations UHSI"  # looks like a unit for detainees (CO3)
        saved = client.post(url, data=form)
    assert saved.status_code == 200
    html = saved.text
    assert "Offre enregistrée (version 3)" in words(html)
    note = re.search(r'<p class="verifier-champ" id="sensible-verifier">(.*?)</p>', html, re.S)
    assert note is not None
    assert words(note.group(1)) == ("À vérifier CO3 Unité sensible signalée comme telle : "
                                    "l'offre semble sensible mais n'est pas signalée comme "
                                    "unité sensible. Signaler l'offre comme unité sensible (ou "
                                    "retirer ce signalement s'il n'est pas justifié).")
    box = re.search(r'<div class="alerte verifier" id="a-verifier".*?</div>', html, re.S)
    assert box is not None and 'href="#champ-sensible"' in box.group(0)
    assert "À vérifier (l'offre est enregistrée)" in words(box.group(0))
    # the offers of the test world have no contact: PE says so, in the box (no such field)
    assert "PE Peuplement de l'offre : manque contact avec télécommunication." in words(
        box.group(0))
    assert 'id="sensible-erreur"' not in html
    checkbox = re.search(r'<input type="checkbox" id="sensible"[^>]*>', html)
    assert checkbox is not None and "sensible-verifier" in checkbox.group(0)
    assert "aria-invalid" not in checkbox.group(0)


def test_an_anomaly_link_opens_the_editor_on_the_field_at_fault(
        server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "ref") as (client, _):
        offer = client.get("/etablissement/offre/hs-a",
                           params={"regle": "CP5", "champ": "categorie"}).text
        site = client.get("/etablissement/organisation/eg-a",
                          params={"regle": "CO4", "champ": "categorie"}).text
        place = client.get("/etablissement/lieu/loc-new-a",
                           params={"regle": "EX2", "champ": "inconnu"}).text
    target = re.search(r'<div class="cible signalee" id="champ-categorie">.*?'
                       r'<p class="verifier-champ" id="categorie-verifier">(.*?)</p>',
                       offer, re.S)
    assert target is not None
    assert "CP5 Offre médico-sociale : catégorie d'organisation et temporalité : Renseigner " \
           "la catégorie d'organisation" in words(target.group(1))
    assert '<details class="hors-modele" open>' in offer  # the field is folded: opened
    target = re.search(r'<div class="cible signalee" id="champ-categorie"><dt>Catégorie</dt>'
                       r".*?</div>", site, re.S)
    assert target is not None
    assert "CO4 Catégorie d'établissement conforme au FINESS : Corriger la catégorie" in \
        words(target.group(0))
    assert "signalee" not in place  # a field the form does not have: nothing highlighted


def test_the_inbox_links_to_the_editor_only_for_what_the_person_may_edit(
        server: LiveServer, world: WritePath) -> None:
    offer = Unit("HealthcareService", "hs-a", "Offre hs-a")
    co3, re2 = catalog.rule("CO3"), catalog.rule("RE2")
    assert quality_links.link(offer, co3, None, frozenset({offer.reference})) == \
        "/etablissement/offre/hs-a?regle=CO3&champ=sensible#champ-sensible"
    assert quality_links.link(offer, co3, None, frozenset()) is None  # not theirs
    pe = catalog.rule("PE")
    assert quality_links.link(offer, pe, "manque : tranche d'âge, contact avec "
                              "télécommunication", frozenset({offer.reference})) == \
        "/etablissement/offre/hs-a?regle=PE&champ=age_min#champ-age_min"
    place = Unit("Location", "loc-a", None)  # capacities have their own page
    assert quality_links.link(place, re2, None, frozenset({place.reference})) is None
    db = server.app.state.services.db
    may = quality_links.editable(db, editor_world.person("ref"),
                                 [offer, Unit("HealthcareService", "hs-b", None), None])
    assert may == frozenset({"HealthcareService/hs-a"})  # hs-b is another referent's


def test_the_template_enable_when_hides_fields_until_they_apply(
        server: LiveServer, world: WritePath) -> None:
    """The GP template's ``enableWhen``: the intervention zone applies to home visits (05),
    the closing dates to a closing type. Hidden fields are still sent, so a save keeps what
    they hold; they show once what they depend on is saved."""
    url = "/etablissement/offre/hs-p"
    with logged_in(server, "op") as (client, _):
        page = client.get(url).text
        assert '<div class="cible" id="champ-zones" hidden>' in page
        assert '<div class="cible" id="champ-fermeture_debut" hidden>' in page
        form = form_of(page, url)
        assert "zones-0" in form  # drawn hidden, sent all the same
        form.update({"modalites-05": "05", "fermeture_type": "PRO"})
        saved = client.post(url, data=form)
        assert saved.status_code == 200, words(saved.text)
    assert '<div class="cible" id="champ-zones">' in saved.text
    assert '<div class="cible" id="champ-fermeture_debut">' in saved.text
