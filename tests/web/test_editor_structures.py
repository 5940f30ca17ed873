"""A referent changes the basics of a site or an internal unit and creates an internal unit
under a site, over HTTP on both back-ends, through the write path as the person: what is
written, refusals told next to their field, the scope of a referent, and « modifié
entre-temps » (world: tests/web/editor_world.py)."""

from __future__ import annotations

import pytest

from openror.fhir import profiles as p
from openror.services.writes import WritePath
from openror.store.feed import LogEntry
from tests.api.people_fixture import logged_in
from tests.conftest import LiveServer
from tests.web import editor_world
from tests.web.editor_world import current, person
from tests.web.html_forms import form_of
from tests.web.test_editor_pages import field_error, text

SITE = "/etablissement/organisation/eg-a/modifier"


@pytest.fixture(scope="module")
def server(region_server: LiveServer) -> LiveServer:
    return region_server


@pytest.fixture
def world(server: LiveServer) -> WritePath:
    return editor_world.load(server)


def test_a_referent_changes_the_site_s_name_telephone_and_address(
        server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "ref") as (client, _):
        tree = client.get("/etablissement/organisation/eg-a").text
        assert 'href="/etablissement/organisation/eg-a/modifier"' in tree
        assert 'href="/etablissement/organisation/eg-a/nouvelle-unite"' in tree
        form = form_of(client.get(SITE).text, SITE)
        form.update(nom="Centre hospitalier de Saint-Quentin", telephone="03 23 06 71 71",
                    niveau="1", adresse="1 avenue Michel de l'Hospital", code_postal="02100",
                    ville="Saint-Quentin")
        saved = client.post(SITE, data=form)
        assert saved.status_code == 200, text(saved.text)
        page = client.get("/etablissement/organisation/eg-a").text
    assert "Structure enregistrée (version 2)" in text(saved.text)
    body = current(server, "Organization", "eg-a")
    assert body["name"] == "Centre hospitalier de Saint-Quentin"
    [phone] = [t for t in body["telecom"] if t["system"] == "phone"]
    assert phone["value"] == "03 23 06 71 71"
    levels = [e["valueCodeableConcept"]["coding"][0]["code"] for e in phone["extension"]
              if e["url"] == p.EXT_TELECOM_CONFIDENTIALITY]
    assert levels == ["1"]
    assert (body["address"][0]["line"], body["address"][0]["city"]) == (
        ["1 avenue Michel de l'Hospital"], "Saint-Quentin")
    assert "Nom : Site A → Centre hospitalier de Saint-Quentin" in text(page)  # change log


def test_refusals_are_told_next_to_their_field(server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "ref") as (client, _):
        form = form_of(client.get(SITE).text, SITE)
        form.update(telephone="03 23 06 71 71", niveau="")
        refused = client.post(SITE, data=form)
        assert refused.status_code == 400
        assert "qui peut voir" in field_error(refused.text, "niveau")
        form.update(nom="", niveau="2")
        refused = client.post(SITE, data=form)
        assert refused.status_code == 400
        assert "nom" in field_error(refused.text, "nom").lower()
    assert current(server, "Organization", "eg-a")["meta"]["versionId"] == "1"


def test_a_referent_creates_an_internal_unit_under_a_site(
        server: LiveServer, world: WritePath) -> None:
    url = "/etablissement/organisation/eg-a/nouvelle-unite"
    with logged_in(server, "ref") as (client, _):
        form = form_of(client.get(url).text, url)
        assert "adresse" not in form  # a unit is at its site's address
        refused = client.post(url, data=form)  # no name
        assert refused.status_code == 400 and "obligatoire" in field_error(refused.text, "nom")
        form.update(nom="Service de gynécologie")
        created = client.post(url, data=form, follow_redirects=False)
        assert created.status_code == 303, text(created.text)
        location = created.headers["location"]
        assert location.endswith("?cree=1")
        shown = client.get(location).text
    rid = location.split("/")[-1].removesuffix("?cree=1")
    body = current(server, "Organization", rid)
    assert body["partOf"] == {"reference": "Organization/eg-a"}
    assert p.PROFILE_INTERNAL_ORGANIZATION in body["meta"]["profile"]
    [oi] = [i for i in body["identifier"] if i["system"] == p.SYSTEM_OI]
    assert oi["value"].startswith("32/OI-")
    assert "Unité interne créée." in text(shown)
    assert "Service de gynécologie Unité interne" in text(shown)


def test_the_legal_entity_and_another_establishment_are_not_edited_here(
        server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "ref-ej") as (client, _):
        refused = client.get("/etablissement/organisation/ej-a/modifier")
        assert refused.status_code == 400
        assert "L'entité juridique est décrite par le FINESS" in text(refused.text)
    with logged_in(server, "ref-b") as (client, _):
        assert client.get(SITE).status_code == 403
        assert client.get("/etablissement/organisation/eg-a/nouvelle-unite"
                          ).status_code == 403


def test_a_change_made_meanwhile_is_told(server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "ref") as (client, _):
        form = form_of(client.get(SITE).text, SITE)
        body = current(server, "Organization", "eg-a")
        body["name"] = "Site A (nom FINESS)"
        world.update("Organization", "eg-a", body, LogEntry(actor="user:op"),
                     caller=person("op"))
        form.update(courriel="accueil@site-a.fr", niveau="2")
        conflict = client.post(SITE, data=form)
    assert conflict.status_code == 409
    words = text(conflict.text)
    assert "Modifié entre-temps par" in words and "Site A (nom FINESS)" in words
    assert 'value="accueil@site-a.fr"' in conflict.text  # mine, reapplied
