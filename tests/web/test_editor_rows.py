"""The editor's hours, contacts and intervention zone of an offer, over HTTP on both
back-ends: what the rows write (the ROR extensions), a form sent unchanged writes nothing,
the API's validation told next to the input of the row, « modifié entre-temps » when someone
saved the hours meanwhile, and the change log in words (world: tests/web/editor_world.py)."""

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

OFFER = "/etablissement/offre/hs-a"


@pytest.fixture(scope="module")
def server(region_server: LiveServer) -> LiveServer:
    return region_server


@pytest.fixture
def world(server: LiveServer) -> WritePath:
    return editor_world.load(server)


def ext(holder: dict[str, object], url: str) -> list[dict[str, object]]:
    return [e for e in holder.get("extension") or []  # type: ignore[attr-defined]
            if e.get("url") == url]


def sub_code(holder: dict[str, object], url: str) -> str:
    [found] = ext(holder, url)
    return str(found["valueCodeableConcept"]["coding"][0]["code"])  # type: ignore[index]


HOURS = {"h0-type": "07", "h0-jour": "1", "h0-debut": "8h30", "h0-fin": "12:00",
         "h1-type": "06", "h1-jour": "3", "h1-debut": "14:00", "h1-fin": "18:00",
         "h1-du": "2026-07-01", "h1-au": "2026-08-31"}
CONTACT = {"c0-nature": "02", "c0-canal": "2", "c0-valeur": "03 23 00 00 01",
           "c0-precision": "Secrétariat", "c0-niveau": "2"}


def test_hours_contacts_and_zone_are_written_with_the_ror_extensions(
        server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "ref") as (client, _):
        form = form_of(client.get(OFFER).text, OFFER)
        form.update({**HOURS, **CONTACT, "zones-0": "Gauchy (02430)", "zones-1": "02691"})
        saved = client.post(OFFER, data=form)
        assert saved.status_code == 200, text(saved.text)
        again = client.get(OFFER).text
    assert "Offre enregistrée (version 2)" in text(saved.text)
    body = current(server, "HealthcareService", "hs-a")
    monday, wednesday = body["availableTime"]
    assert (monday["availableStartTime"], monday["availableEndTime"]) == ("08:30:00", "12:00:00")
    assert sub_code(monday, p.EXT_TYPE_OF_TIME) == "07"
    assert ext(monday, p.EXT_DAYS_OF_WEEK)[0]["valueInteger"] == 1
    assert ext(wednesday, p.EXT_EFFECTIVE_DATES)[0]["valuePeriod"] == {
        "start": "2026-07-01", "end": "2026-08-31"}
    [contact] = ext(body, p.EXT_HS_CONTACT)
    assert sub_code(contact, "purposeContact") == "02"
    assert sub_code(contact, p.EXT_CONFIDENTIALITY) == "2"
    [telecom] = ext(contact, p.EXT_HS_CONTACT_TELECOM)
    assert ext(telecom, "telecomAddress")[0]["valueString"] == "03 23 00 00 01"
    zones = [sub_code(z, "codeTerritorialDivision")
             for z in ext(body, p.EXT_TERRITORIAL_DIVISION)]
    assert zones == ["02340", "02691"]  # Gauchy, Saint-Quentin
    # drawn again as typed words, and told in words in the change log
    assert 'value="08:30"' in again and 'value="Gauchy (02430)"' in again
    words = text(again)
    assert "Horaires : — → Lundi 08:30–12:00 (consultation sur rendez-vous)" in words
    assert "Réservé aux professionnels habilités" in words  # the level, in plain words


def test_a_form_sent_unchanged_writes_nothing(server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "ref") as (client, _):
        form = form_of(client.get(OFFER).text, OFFER)
        form.update({**HOURS, **CONTACT, "zones-0": "02691"})
        client.post(OFFER, data=form)
        same = client.post(OFFER, data=form_of(client.get(OFFER).text, OFFER))
    assert "Aucune modification à enregistrer." in text(same.text)
    assert current(server, "HealthcareService", "hs-a")["meta"]["versionId"] == "2"


def test_emptying_a_row_removes_it(server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "ref") as (client, _):
        form = form_of(client.get(OFFER).text, OFFER)
        client.post(OFFER, data={**form, **HOURS, **CONTACT})
        form = form_of(client.get(OFFER).text, OFFER)
        form.update({"h0-debut": "", "h0-fin": "", "c0-valeur": "", "c0-precision": ""})
        client.post(OFFER, data=form)
    body = current(server, "HealthcareService", "hs-a")
    assert len(body["availableTime"]) == 1 and not ext(body, p.EXT_HS_CONTACT)


def test_refusals_are_told_next_to_the_input_of_the_row(
        server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "ref") as (client, _):
        form = form_of(client.get(OFFER).text, OFFER)
        form.update({**HOURS, "h1-debut": "25h00", "zones-0": "Atlantide"})
        refused = client.post(OFFER, data=form)
    assert refused.status_code == 400
    words = text(refused.text)
    assert "rien n'a été enregistré" in words
    assert "Horaires, plage 2 — de (hh:mm)" in words  # the summary names the row
    assert "hh:mm" in field_error(refused.text, "h1-debut")
    assert 'value="25:00"' in refused.text  # what was typed, shown back as hh:mm
    assert "Choisissez la commune" in field_error(refused.text, "zones")
    assert current(server, "HealthcareService", "hs-a")["meta"]["versionId"] == "1"


def test_hours_saved_meanwhile_are_told_and_mine_reapplied(
        server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "ref") as (client, _):
        form = form_of(client.get(OFFER).text, OFFER)
        body = current(server, "HealthcareService", "hs-a")
        body["availableTime"] = [{"availableStartTime": "09:00:00",
                                  "availableEndTime": "10:00:00", "extension": [
                                      {"url": p.EXT_DAYS_OF_WEEK, "valueInteger": 5}]}]
        world.update("HealthcareService", "hs-a", body,
                     LogEntry(actor="Bruno Voisin", reason="horaires"), caller=person("op"))
        form.update(CONTACT)
        conflict = client.post(OFFER, data=form)
    assert conflict.status_code == 409
    words = text(conflict.text)
    assert "Modifié entre-temps par" in words
    assert "Vendredi 09:00–10:00" in words  # their hours, in the log of what changed
    assert 'value="03 23 00 00 01"' in conflict.text  # my contact, reapplied
