"""One click from the quality inbox to the field at fault (web.quality_links), over HTTP on
both back-ends: an owner's anomalies about an offer and a site lead to the editor's page of
each, anchored on the field, which the page highlights with the rule's remedy; what has no
editor page (a professional's record) keeps its FHIR link (world:
tests/web/quality_world.py)."""

from __future__ import annotations

import json
import re
from html import unescape

from tests.api.people_fixture import logged_in, people_server, world  # noqa: F401 (fixtures)
from tests.web.quality_world import FHIR, Quality, reported, set_status
from tests.web.test_quality_pages import INBOX, quality  # noqa: F401 (the fixture)


def links(html: str, task: str) -> list[str]:
    card = re.search(rf'id="anomalie-{re.escape(task)}".*?</section>', html, re.S)
    assert card, task
    return [unescape(h) for h in re.findall(r'<a href="([^"]+)"', card.group(0))]


def test_an_owner_goes_from_an_anomaly_to_the_field_at_fault(
        quality: Quality) -> None:  # noqa: F811 (the fixture imported above)
    server, made = quality.server, quality.ids
    for task in (made["a"], made["site"]):
        set_status(server, task, "05")
    with logged_in(server, "ref") as (client, _):
        inbox = client.get(INBOX).text
        offer = links(inbox, made["a"])[0]
        site = links(inbox, made["site"])[0]
        assert offer == "/etablissement/offre/hs-a?regle=CP5&champ=categorie#champ-categorie"
        assert site == "/etablissement/organisation/eg-a?regle=CO4&champ=categorie" \
                       "#champ-categorie"
        assert "(ouvre l'éditeur sur le champ en cause)" in unescape(inbox)
        page = client.get(offer.split("#")[0]).text
        field = re.search(r'<div class="cible signalee" id="champ-categorie">(.*?)'
                          r'<p class="verifier-champ" id="categorie-verifier">(.*?)</p>',
                          page, re.S)
        assert field is not None
        assert "Renseigner la catégorie d'organisation" in unescape(field.group(2))
        assert re.search(r'id="categorie"[^>]*aria-describedby="categorie-aide '
                         r'categorie-verifier"', field.group(1))  # tied to the input
        page = client.get(site.split("#")[0]).text
        assert re.search(r'<div class="cible signalee" id="champ-categorie"><dt>Catégorie'
                         r"</dt>.*?Corriger la catégorie de l'établissement", unescape(page),
                         re.S)


def test_what_has_no_editor_page_keeps_its_fhir_link(
        quality: Quality) -> None:  # noqa: F811 (the fixture imported above)
    server = quality.server
    with server.client() as api:
        sent = api.post("/Task", content=json.dumps(reported("Practitioner/pract-p", "ST3")),
                        headers=FHIR)
        assert sent.status_code == 201, sent.text
        task = str(sent.json()["id"])
    with logged_in(server, "op") as (client, _):
        triage = client.get(INBOX, params={"statut": "toutes"}).text
    row = re.search(rf'<tr data-anomalie="{task}".*?</tr>', triage, re.S)
    assert row is not None
    assert 'href="/fhir/Practitioner/pract-p"' in row.group(0)
    # the operator may edit the region's offers: theirs open the editor
    assert 'href="/etablissement/offre/hs-a?regle=CP5&amp;champ=categorie' \
           '#champ-categorie"' in triage
