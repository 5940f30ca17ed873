"""« Ajouter une offre » and « Ajouter un lieu » in the guided entry, over HTTP, on both
back-ends: the demo GP adds an offer at one of her practices and a new place for it; both
are drafted like the rest and created at validation through the write path — the offer
with its national identifier and her role in it, the place with its commune and position —
visible through /fhir. What the small forms refuse (no structure, an activity not in the
list, a structure that is not hers) is said next to the field."""

from __future__ import annotations

import re
from typing import Any

import httpx

from openror.services.writes import WritePath
from tests.api.people_fixture import logged_in
from tests.conftest import LiveServer
from tests.web import entry_world as w
from tests.web.test_entry_pages import fhir, post_step, server, start, text, world

__all__ = ["server", "world"]  # the fixtures of the entry's page tests
ACTIVITY = "Médecine du sport"  # a JDV_J17 label the demo GP does not offer yet


def option(page: str, select: str, label_part: str) -> str:
    """The value of the option of ``select`` whose label contains ``label_part``."""
    block = page[page.index(f'id="{select}"'):]
    block = block[:block.index("</select>")]
    found = re.search(r'<option value="([^"]+)"[^>]*>[^<]*' + re.escape(label_part), block)
    assert found is not None, block
    return found.group(1)


def activity_typed(page: str) -> str:
    found = re.search(r'<option value="(' + re.escape(ACTIVITY) + r' \(\d+\))">', page)
    assert found is not None
    return found.group(1)


def add_offer(client: httpx.Client, **changes: str) -> httpx.Response:
    return post_step(client, 2, changes, action="nouvelle-offre")


def test_the_small_forms_say_what_to_correct(server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        post_step(client, 1)
        refused = add_offer(client, **{"no-activite": "n'importe quoi"})
        assert refused.status_code == 400
        words = text(refused.text)
        assert "Choisissez la structure où vous exercez cette activité." in words
        assert "Choisissez l'activité dans la liste proposée" in words
        assert "Nouvelle offre : structure" in words  # the summary at the top names it
        page = client.get("/saisie/etape-2").text
        forged = add_offer(client, **{"no-structure": "other-office",  # another GP's office
                                      "no-activite": activity_typed(page)})
        assert forged.status_code == 400
        assert "Choisissez la structure" in text(forged.text)
        assert "(nouvelle)" not in text(client.get("/saisie/etape-2").text)


def test_a_new_offer_and_a_new_place_are_created_at_validation(
        server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        post_step(client, 1)
        page = client.get("/saisie/etape-2").text
        office = option(page, "no-structure", "Cabinet du Dr Claire VALMONT")
        added = add_offer(client, **{"no-structure": office,
                                     "no-activite": activity_typed(page)})
        assert added.status_code == 303, text(added.text)
        assert added.headers["location"] == "/saisie/etape-2#offre-5"
        page = client.get("/saisie/etape-2").text
        assert f"{ACTIVITY} — Cabinet du Dr Claire VALMONT (nouvelle)" in text(page)
        described = post_step(client, 2, {"o5-age_min": "12", "o5-age_max": "60"})
        assert described.status_code == 303, text(described.text)
        # step 3: a new place for the new offer, then its address
        page = client.get("/saisie/etape-3").text
        offer_id = option(page, "nl-offre", "(nouvelle)")
        placed = post_step(client, 3, {"nl-offre": offer_id, "nl-nom": "Cabinet secondaire"},
                           action="nouveau-lieu")
        assert placed.status_code == 303, text(placed.text)
        m = int(placed.headers["location"].rsplit("-", 1)[1])
        moved = post_step(client, 3, {f"p{m}-line": "12 rue de la Gare",
                                      f"p{m}-postal": "02120", f"p{m}-city": "Guise",
                                      "o5-modalities-03": "1", "o5-modalities-04": "1"})
        assert moved.status_code == 303, text(moved.text)
        assert "Commune reconnue : Guise" in text(client.get("/saisie/etape-3").text)
        for n in (4, 5):
            answer = post_step(client, n)
            assert answer.status_code == 303, text(answer.text)
        review = text(client.get("/saisie/etape-6").text)
        assert ACTIVITY in review
        done = client.post("/saisie/valider", data={"csrf": csrf})
        assert done.status_code == 200, text(done.text)
        assert "Votre saisie est validée" in text(done.text)
    created = fhir(server, f"HealthcareService/{offer_id}")
    assert created["providedBy"] == {"reference": f"Organization/{office}"}
    assert created["identifier"][0]["value"]  # the national identifier the server gives
    assert created["specialty"][0]["coding"][0]["display"] == ACTIVITY
    place_ref = created["location"][0]["reference"]
    place = fhir(server, place_ref)
    assert place["name"] == "Cabinet secondaire" and place["address"]["city"] == "Guise"
    assert "position" in place and any(e["url"].endswith("commune-cog")
                                       for e in place["extension"])
    roles = fhir(server, f"PractitionerRole?service=HealthcareService/{offer_id}")["entry"]
    role: dict[str, Any] = roles[0]["resource"]
    assert role["practitioner"] == {"reference": f"Practitioner/{w.GP}"}
    assert role["organization"] == {"reference": f"Organization/{office}"}
    # the new offer is hers: the next entry describes it with the others
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        assert ACTIVITY in text(client.get("/saisie/etape-1").text)
