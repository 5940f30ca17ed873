"""The guided entry follows the entry template that applies to each offer (web.entry.
template_use), over HTTP on both back-ends: which fields each step draws, which are
required (told next to the field by the form itself) and read-only, the page footer naming
the template, the template recorded on each written offer, and the quality rules' warnings
shown « à vérifier » next to their field after a save. World: tests/web/entry_world.py, plus
the bundled templates."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from openror.config import Settings
from openror.fhir import profiles as p
from openror.services.writes import WritePath
from openror.templates.bundled import bundled_templates
from openror.templates.loader import load, load_bundled
from tests.api.people_fixture import logged_in
from tests.api.test_profile_validator import VALIDATOR
from tests.conftest import LiveServer
from tests.web import entry_world as w
from tests.web.form_values import form_values
from tests.web.test_entry_pages import fhir, post_step, start, text, walk

GP_TEMPLATE = "https://openror.org/fhir/Questionnaire/offre-de-ville-medecine-generale|1"
GP_TITLE = "Cabinet de ville de médecine générale (version 1)"
OFFICE, OFFICE_GYN, GROUP = "demo-gp-office-437", "demo-gp-office-485", "demo-gp-group-437"
R02 = "https://mos.esante.gouv.fr/NOS/TRE_R02-SecteurActivite/FHIR/TRE-R02-SecteurActivite"


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
    writes = w.load(server)
    load_bundled(writes)
    return writes


def office_variant() -> dict[str, Any]:
    """A narrower template for individual offices (SA07) only: no specific acts, the
    expertise level read-only, the way in (descriptionLieu) required."""
    body = copy.deepcopy(bundled_templates()[1])
    body.update(id="cabinet-individuel", url="https://example.org/Questionnaire/cabinet",
                version="3", title="Cabinet individuel")
    for ctx in body["useContext"]:
        if ctx["code"]["code"] == "EG":
            ctx["valueCodeableConcept"] = {"coding": [{"system": R02, "code": "SA07"}]}

    def edit(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for item in items:
            if item.get("linkId") == "acteSpecifique":
                continue
            if item.get("linkId") == "niveauExpertise":
                item["readOnly"] = True
            if item.get("linkId") == "descriptionLieu":
                item["required"] = True
            if "item" in item:
                item["item"] = edit(item["item"])
            out.append(item)
        return out

    body["item"] = edit(body["item"])
    return body


def footer(html: str) -> str:
    found = re.search(r'<p class="modele-saisie" id="modele-saisie">(.*?)</p>', html, re.S)
    assert found, "no template note in the footer"
    return re.sub(r"\s+", " ", unescape(found.group(1)))


def note(html: str, field_id: str) -> str:
    found = re.search(rf'<p class="verifier-champ" id="{re.escape(field_id)}-verifier">(.*?)'
                      r"</p>", html, re.S)
    assert found, f"no « à vérifier » next to {field_id}"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", found.group(1)))).strip()


def error(html: str, field_id: str) -> str:
    """The error next to a field, without the « Erreur : » said to screen readers."""
    found = re.search(rf'<p class="message-champ" id="{re.escape(field_id)}-erreur">'
                      r'<span class="masque">Erreur : </span>(.*?)</p>', html, re.S)
    assert found, f"no error next to {field_id}"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", found.group(1)))).strip()


# -- which fields ------------------------------------------------------------------------------

def test_the_gp_entry_follows_the_city_template(server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        post_step(client, 1)
        page = client.get("/saisie/etape-2").text
        assert footer(page) == f"Modèle de saisie : {GP_TITLE}."
        values = form_values(page, "/saisie/etape-2")
        # « Informations pratiques » (HealthcareService.comment) is no item of the template
        assert "o0-comment" not in values and "o0-name" in values
        assert re.search(r'<label for="o0-activity">Activité <span class="requis">'
                         r"\(obligatoire\)</span></label>", page)
        assert re.search(r'<label for="o0-age_min">Âge minimum \(en années\) <span '
                         r'class="requis">\(obligatoire\)</span>', page)  # the profile's
        assert '<label for="o0-expertise">Niveau d\'expertise</label>' in unescape(page)
        step3 = post_step(client, 2)
        assert step3.status_code == 303, text(step3.text)
        page = client.get("/saisie/etape-3").text
        assert re.search(r"<legend>Modalités d'intervention <span class=.requis.>"
                         r"\(obligatoire\)</span></legend>", unescape(page))
        for n in (3, 4, 5):
            assert post_step(client, n).status_code == 303
        review = text(client.get("/saisie/etape-6").text)
        assert "Actes spécifiques" in review and "Informations pratiques" not in review


def test_without_a_template_the_built_in_list_is_kept_and_said(server: LiveServer) -> None:
    w.load(server)  # no template loaded
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        post_step(client, 1)
        page = client.get("/saisie/etape-2").text
        assert footer(page).startswith("Aucun modèle de saisie ne s'applique : liste de "
                                       "champs intégrée")
        assert "o0-comment" in form_values(page, "/saisie/etape-2")
        walk(client, {2: {"o0-comment": "Nouveaux patients acceptés."}})
        assert client.post("/saisie/valider", data={"csrf": csrf}).status_code == 200
    offer = fhir(server, f"HealthcareService/{OFFICE}")
    assert not [e for e in offer["extension"] if e["url"] == p.EXT_TEMPLATE]


def test_a_narrower_template_hides_requires_and_fixes_fields(server: LiveServer,
                                                             world: WritePath) -> None:
    load(world, [office_variant()])
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        post_step(client, 1)
        page = client.get("/saisie/etape-2").text
        assert footer(page) == ("Modèle de saisie : Cabinet individuel (version 3) ; "
                                f"{GP_TITLE}.")
        values = form_values(page, "/saisie/etape-2")
        # offers 0 and 1 are the individual office's (SA07), 2 the group practice's (SA08)
        assert "o0-acts-0" not in values and "o1-acts-0" not in values
        assert "o2-acts-0" in values
        assert "o0-expertise" not in values and "o2-expertise" in values
        assert re.search(r'<span class="etiquette" id="o0-expertise">Niveau d.*?expertise '
                         r":</span>", page)  # shown, fixed by the template
        assert post_step(client, 2).status_code == 303
        # the office's way in is now required; the group practice's is not
        refused = post_step(client, 3, {"p0-description": " ", "p1-description": ""})
        assert refused.status_code == 400
        assert error(refused.text, "p0-description") == "Ce champ est obligatoire. " \
            "Corrigez ce texte."
        assert 'id="p1-description-erreur"' not in refused.text
        assert 'href="#p0-description"' in refused.text  # in the summary at the top


def test_a_required_field_is_told_by_the_form_and_the_api_rules_still_run(
        server: LiveServer, world: WritePath) -> None:
    before = w.version(server, "HealthcareService", OFFICE)
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        walk(client, {})
        # no modality at all: the write path would take it, the template does not
        modalities = {k: "" for k in form_values(client.get("/saisie/etape-3").text,
                                                   "/saisie/etape-3")
                      if k.startswith("o0-modalities-")}
        refused = post_step(client, 3, {**modalities, "p0-postal": "99999"})
        assert refused.status_code == 400
        assert error(refused.text, "o0-modalities") == \
            "Ce champ est obligatoire. Cochez au moins une modalité."
        assert error(refused.text, "p0-postal").startswith(  # the write path's refusal
            "Vérifiez le code postal et la ville : la commune n'a pas été trouvée.")
        # validating the draft as it stands is refused too, and publishes nothing
        done = client.post("/saisie/valider", data={"csrf": csrf})
        assert done.status_code == 400
        assert 'href="/saisie/etape-3#o0-modalities"' in done.text
    assert w.version(server, "HealthcareService", OFFICE) == before


# -- what the written offer records ------------------------------------------------------------

def test_each_written_offer_records_its_template(server: LiveServer, world: WritePath,
                                                 tmp_path: Path) -> None:
    load(world, [office_variant()])
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        walk(client, {2: {"o0-name": "Médecine générale - Dr VALMONT",
                          "o2-name": "Médecine générale - Dr VALMONT (Laon)"}})
        assert client.post("/saisie/valider", data={"csrf": csrf}).status_code == 200

    def recorded(rid: str) -> list[str]:
        offer = fhir(server, f"HealthcareService/{rid}")
        return [e["valueCanonical"] for e in offer["extension"] if e["url"] == p.EXT_TEMPLATE]

    assert recorded(OFFICE) == ["https://example.org/Questionnaire/cabinet|3"]
    assert recorded(GROUP) == [GP_TEMPLATE]
    assert recorded(OFFICE_GYN) == []  # left as it was: not written, nothing recorded
    if (VALIDATOR / "node_modules").is_dir() and shutil.which("node"):
        _passes_the_profile_validator(fhir(server, f"HealthcareService/{GROUP}"), tmp_path)


def _passes_the_profile_validator(body: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "offer.json").write_text(json.dumps(body), encoding="utf-8")
    run = subprocess.run(["node", str(VALIDATOR / "validate.mjs"), "--json", str(tmp_path)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode in (0, 1), run.stderr
    index = next(i for i, e in enumerate(body["extension"]) if e["url"] == p.EXT_TEMPLATE)
    bad = [issue for entry in json.loads(run.stdout)["report"] for result in entry["results"]
           for issue in result["issues"] if issue["severity"] == "error"
           and f"extension[{index}]" in issue["path"]]
    assert bad == []


# -- quality warnings next to their field --------------------------------------------------------

def test_a_quality_warning_is_shown_next_to_its_field_after_a_save(
        server: LiveServer, world: WritePath) -> None:
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        walk(client, {})
        shown = form_values(client.get("/saisie/etape-4").text, "/saisie/etape-4")
        emptied = {k: "" for k in shown if re.match(r"s0-c\d+-(value|description)$", k)}
        saved = post_step(client, 4, emptied)  # the office's contacts all removed
        assert saved.status_code == 303  # a warning does not stop the entry
        assert saved.headers["location"] == "/saisie/etape-5?verifier=4"
        box = client.get(saved.headers["location"]).text
        found = re.search(r'<div class="alerte verifier" role="status" id="verifier-etape">'
                          r"(.*?)</div>", box, re.S)
        assert found is not None
        words = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", found.group(1))))
        assert "Étape 4 enregistrée : 1 point à vérifier" in words
        assert "PE Peuplement de l'offre : manque contact avec télécommunication." in words
        assert 'href="/saisie/etape-4#s0-c0-value"' in found.group(1)
        step4 = client.get("/saisie/etape-4").text
        assert note(step4, "s0-c0-value") == ("À vérifier PE Peuplement de l'offre : manque "
                                              "contact avec télécommunication.")
        assert 'id="s0-c0-value-erreur"' not in step4  # not an error
        field = re.search(r'<input id="s0-c0-value"[^>]*>', step4)
        assert field is not None and "s0-c0-value-verifier" in field.group(0)
        assert "aria-invalid" not in field.group(0)
        # validated all the same, the warning said once more on the last page
        assert post_step(client, 5).status_code == 303
        done = client.post("/saisie/valider", data={"csrf": csrf})
        assert done.status_code == 200
        last = re.search(r'<div class="alerte verifier" id="a-verifier">(.*?)</div>',
                         done.text, re.S)
        assert last is not None
        assert "Cabinet du Dr Claire VALMONT, Saint-Quentin : Contact 1 (numéro ou adresse) — " \
               "PE Peuplement de l'offre : manque contact avec télécommunication." in \
               re.sub(r"\s+", " ", unescape(last.group(1)))


def test_the_zone_applies_only_to_home_visits_and_asks_for_itself_once_ticked(
        server: LiveServer, world: WritePath) -> None:
    """The GP template's ``enableWhen``: the intervention zone (ZoneInter) applies when the
    reception modalities include home visits (05). Hidden otherwise; ticking home visits
    and continuing shows step 3 again, on the zone, instead of moving on."""
    with logged_in(server, "demo-pro") as (client, csrf):
        start(client, csrf)
        for n in (1, 2):
            assert post_step(client, n).status_code == 303
        page = client.get("/saisie/etape-3").text
        hidden = [int(i) for i in re.findall(r'<fieldset class="lignes" id="o(\d+)-zone" '
                                             r'hidden>', page)]
        shown = [int(i) for i in re.findall(r'<fieldset class="lignes" id="o(\d+)-zone">',
                                            page)]
        assert hidden and shown  # the demo GP visits patients from her office only
        i = hidden[0]
        answer = post_step(client, 3, {f"o{i}-modalities-05": "1"})
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/saisie/etape-3?completer=1#o{i}-zone-0"
        again = client.get("/saisie/etape-3?completer=1").text
        assert f'<fieldset class="lignes" id="o{i}-zone">' in again  # now drawn
        assert "fait apparaître de nouveaux champs" in text(again)
        # continuing again moves on: the zone is optional in the template
        assert post_step(client, 3).headers["location"].startswith("/saisie/etape-4")
