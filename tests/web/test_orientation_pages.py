"""The orientation page ``/orientation`` and its short list (``/orientation/liste``,
``/orientation/export.csv``) over HTTP, on both back-ends, as a browser without JavaScript
sends them: the form returns ranked results, a refused field says why next to itself and in
the summary, the printed list and the CSV keep the chosen offers only (world:
tests/web/orientation_world.py)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from html import unescape

import httpx
import pytest

from openror.web.orientation_export import CSV_HEADERS
from tests.api.people_fixture import logged_in
from tests.conftest import LiveServer
from tests.web.orientation_world import PRO_PHONE, PUBLIC_PHONE, orientation_server  # noqa: F401

CARDIO = {"q": "cardio", "address": "Versailles", "age": "45"}
ORDER = ["cardio-sgl", "cardio-versailles", "cardio-chartres"]


@pytest.fixture
def pro(orientation_server: LiveServer) -> Iterator[httpx.Client]:  # noqa: F811 (imported fixture)
    with logged_in(orientation_server, "pro") as (client, _):
        yield client


def text(html: str) -> str:
    """Visible words, on one line."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def offers(html: str) -> list[str]:
    """The offers of the result list, in its order."""
    return re.findall(r'<li id="offre-\d+" class="resultat[^"]*" data-offre="([^"]+)"', html)


def item(html: str, offer: str) -> str:
    found = re.search(rf'<li [^>]*data-offre="{re.escape(offer)}">(.*?)</li>\s*(?=<li |</ol>)',
                      html, re.S)
    assert found, offer
    return found.group(1)


def tag(html: str, element_id: str) -> str:
    """The opening tag of the element with this id."""
    found = re.search(rf'<[a-z]+ [^>]*id="{re.escape(element_id)}"[^>]*>', html)
    assert found, element_id
    return found.group(0)


def test_the_page_is_for_people_who_are_logged_in(orientation_server: LiveServer  # noqa: F811
                                                  ) -> None:
    anonymous = httpx.get(f"{orientation_server.url}/orientation", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/connexion?suite=/orientation"


def test_the_empty_form_has_labelled_fields_and_helps(pro: httpx.Client) -> None:
    page = pro.get("/orientation")
    assert page.status_code == 200
    html = page.text
    assert '<a href="/orientation" aria-current="page">Orientation</a>' in html
    for field, label in (("q", "Besoin"), ("address", "Où"), ("age", "Âge"),
                         ("sex", "Sexe"), ("careMode", "Mode de prise en charge"),
                         ("openNow", "Ouvert maintenant"), ("equipment", "Équipement"),
                         ("count", "Nombre de résultats")):
        assert re.search(rf'<label for="{field}">{label}</label>', html), field
        assert f'id="{field}"' in html
    assert 'aria-describedby="q-aide"' in tag(html, "q")
    assert "« kiné pédiatrique »" in text(html)
    assert "<legend>Affiner</legend>" in html
    care_modes = re.search(r'<select id="careMode".*?</select>', html, re.S)
    assert care_modes and '<option value="28">Hospitalisation complète (HC)</option>' in \
        care_modes.group(0)
    assert 'id="reponse"' not in html  # no search yet: no results, no errors


def test_the_form_returns_ranked_results(pro: httpx.Client) -> None:
    page = pro.get("/orientation", params=CARDIO)
    assert page.status_code == 200, text(page.text)
    html = page.text
    assert offers(html) == ORDER
    shown = text(html)
    # the offer for children is not a candidate (the age is asked of the search): « why not »
    # tells (test_why_not_this_offer), the count of offers dropped by the filters does not
    assert "3 offres trouvées." in shown and "par un critère impératif" not in shown
    # few cardiology offers in the whole directory: searched nationally at once
    assert "Recherche comprise : « Cardiologie générale » ou « Cardiologie " \
           "interventionnelle » ; patient : 45 ans ; autour de Versailles (78646) ; dans " \
           "toute la France." in shown
    first = item(html, "cardio-sgl")
    assert '<a href="/fhir/HealthcareService/cardio-sgl">Cardiologie — soins intensifs</a>' \
        in first
    assert "Hôpital de Saint-Germain-en-Laye — à 15,4 km" in text(first)
    assert "20 rue Armagis, 78100 Saint-Germain-en-Laye" in text(first)
    assert "3 lits ou places disponibles — mis à jour il y a 2 h, le " in text(first)
    assert "donnée ancienne" not in text(first)
    assert "Pourquoi ce résultat : Cardiologie générale; à 15,4 km" in text(first)
    stale = item(html, "cardio-chartres")
    assert '<strong class="badge-ancien">donnée ancienne</strong>' in stale
    assert "5 lits ou places disponibles — mis à jour il y a 8 j 8 h, le " in text(stale)
    assert "1 résultat a une disponibilité ancienne" in shown
    # the short list's form carries the search and a labelled box per result
    short = html[html.index('<form method="get" action="/orientation/liste"'):]
    for name, value in CARDIO.items():
        assert f'<input type="hidden" name="{name}" value="{value}">' in short
    assert '<input type="checkbox" name="choix" value="cardio-sgl" id="choix-1">' in short
    assert 'formaction="/orientation/export.csv"' in short


def test_contacts_are_those_the_caller_may_see(orientation_server: LiveServer  # noqa: F811
                                               ) -> None:
    for login, seen in (("pro", {PUBLIC_PHONE}), ("admin", {PUBLIC_PHONE, PRO_PHONE})):
        with logged_in(orientation_server, login) as (client, _):
            shown = text(item(client.get("/orientation", params=CARDIO).text,
                              "cardio-versailles"))
        for phone in (PUBLIC_PHONE, PRO_PHONE):
            assert (f"Téléphone : {phone}" in shown) is (phone in seen), (login, phone)
        assert f"Téléphone : {PUBLIC_PHONE} (Secrétariat)" in shown


@pytest.mark.parametrize(("params", "field", "message"), [
    ({**CARDIO, "age": "200"}, "age", "Indiquez l'âge du patient en années, de 0 à 130"),
    ({**CARDIO, "address": "Nullepart-sur-Rien"}, "address",
     "« Nullepart-sur-Rien » n'est pas une commune, un code postal ou une adresse connus"),
    ({**CARDIO, "q": "xyzzy"}, "q", "Aucune activité reconnue dans « xyzzy »"),
    ({**CARDIO, "count": "0"}, "count", "Indiquez un nombre de résultats entre 1 et 100"),
    ({"q": "cardio"}, "address", "Indiquez où se trouve le patient"),
])
def test_a_refused_field_says_why_next_to_itself_and_in_the_summary(
        pro: httpx.Client, params: dict[str, str], field: str, message: str) -> None:
    page = pro.get("/orientation", params=params)
    assert page.status_code == 400
    html = page.text
    summary = re.search(r'<div class="alerte erreur" role="alert" id="reponse".*?</div>',
                        html, re.S)
    assert summary, text(html)
    link = re.search(rf'<a href="#{field}">(.*?)</a>', summary.group(0), re.S)
    assert link and message in unescape(link.group(1))
    assert "la recherche n'a pas été faite" in text(summary.group(0))
    field_tag = tag(html, field)
    assert 'aria-invalid="true"' in field_tag and f"{field}-erreur" in field_tag
    assert message in text(re.search(rf'<p class="message-champ" id="{field}-erreur">.*?</p>',
                                     html, re.S).group(0))  # type: ignore[union-attr]
    for name, value in params.items():  # what was typed is kept
        assert f'value="{value}"' in tag(html, name)
    assert offers(html) == []


def test_an_empty_search_asks_for_both_what_and_where(pro: httpx.Client) -> None:
    page = pro.get("/orientation", params={"q": "", "address": "", "age": ""})
    assert page.status_code == 400
    summary = re.search(r'<div class="alerte erreur" role="alert".*?</div>', page.text, re.S)
    assert summary and "2 champs sont à corriger" in text(summary.group(0))
    assert re.findall(r'<a href="#(\w+)">', summary.group(0)) == ["q", "address"]


def test_the_filters(pro: httpx.Client) -> None:
    baby = pro.get("/orientation", params={**CARDIO, "age": "0,5"})  # a decimal comma
    assert offers(baby.text) == ["cardio-child", "cardio-chartres"]
    assert "patient : 6 mois" in text(baby.text)
    assert 'value="0,5"' in tag(baby.text, "age")  # shown as typed
    open_now = pro.get("/orientation", params={**CARDIO, "openNow": "true"})
    assert offers(open_now.text) == ["cardio-versailles"]  # the only one with hours: 24 h/24
    assert "; ouvert maintenant ;" in text(open_now.text)
    assert "ouvert 24 h/24" in text(item(open_now.text, "cardio-versailles"))
    assert " checked" in tag(open_now.text, "openNow")
    bariatric = pro.get("/orientation", params={**CARDIO, "equipment": "089",
                                                "equipmentLimit": "300"})
    assert "équipement : Lit d'hospitalisation obésité (poids entre 250 et 350 kg) - " \
           "bariatrique (au moins 300 kg)" in text(bariatric.text)
    assert offers(bariatric.text) == []
    assert "Aucune offre ne répond à tous les critères" in text(bariatric.text)
    assert '<option value="089" selected>' in bariatric.text
    alone = pro.get("/orientation", params={**CARDIO, "equipmentLimit": "300"})
    assert alone.status_code == 400
    assert "avec un équipement choisi" in text(re.search(
        r'<p class="message-champ" id="equipmentLimit-erreur">.*?</p>', alone.text,
        re.S).group(0))  # type: ignore[union-attr]


def test_the_map_numbers_the_results_and_its_tiles_are_allowed(
        orientation_server: LiveServer, pro: httpx.Client,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    html = pro.get("/orientation", params=CARDIO).text
    svg = html[html.index('<svg'):html.index('</svg>')]
    assert re.findall(r'<a href="(#offre-\d)"', svg) == ["#offre-1", "#offre-2", "#offre-3"]
    assert "<image" not in svg  # offline by default: nothing fetched from elsewhere
    services = orientation_server.app.state.services
    monkeypatch.setattr(services, "settings", replace(
        services.settings, map_tiles_url="https://tuiles.example.org/{z}/{x}/{y}.png"))
    tiled = pro.get("/orientation", params=CARDIO)
    assert 'href="https://tuiles.example.org/' in tiled.text
    assert "img-src 'self' data: https://tuiles.example.org;" in \
        tiled.headers["content-security-policy"]


def test_why_not_this_offer(pro: httpx.Client) -> None:
    page = pro.get("/orientation", params={**CARDIO, "explain": "cardio-child"})
    reason = text(re.search(r'<p [^>]*id="raison">.*?</p>', page.text, re.S).group(0))  # type: ignore[union-attr]
    assert reason == ("Offre « cardio-child » : écartée par un critère impératif (age) : "
                      "l'offre accueille les patients de 0–17 ans, le patient a 45 ans.")
    assert 'value="cardio-child"' in tag(page.text, "explain")
    returned = pro.get("/orientation", params={**CARDIO, "explain": "cardio-versailles"})
    assert '<a href="#offre-2">Voir le résultat n° 2</a>' in returned.text


def test_the_csv_has_the_chosen_rows(pro: httpx.Client) -> None:
    reply = pro.get("/orientation/export.csv", params=[
        *CARDIO.items(), ("choix", "cardio-chartres"), ("choix", "cardio-sgl")])
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="orientation-\d{8}-\d{4}\.csv"',
                        reply.headers["content-disposition"])
    assert reply.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig")), delimiter=";"))
    assert tuple(rows[0]) == CSV_HEADERS
    table = [dict(zip(CSV_HEADERS, row, strict=True)) for row in rows[1:]]
    assert [(r["Rang"], r["Identifiant de l'offre"]) for r in table] == \
        [("1", "cardio-sgl"), ("3", "cardio-chartres")]
    sgl, chartres = table
    assert sgl["Offre"] == "Cardiologie — soins intensifs"
    assert sgl["Structure"] == "Hôpital de Saint-Germain-en-Laye"
    assert sgl["Distance (km)"] == "15,4"
    assert sgl["Disponibilité"] == "3 lits ou places disponibles"
    assert (sgl["Donnée ancienne"], chartres["Donnée ancienne"]) == ("non", "oui")
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", chartres["Date du chiffre (heure de Paris)"])
    assert sgl["Lien"].endswith("/fhir/HealthcareService/cardio-sgl")
    assert sgl["Pourquoi ce résultat"].startswith("Cardiologie générale; à 15,4 km")
    assert b"\r\n" in reply.content


def test_the_printable_list_has_only_the_chosen_results(pro: httpx.Client) -> None:
    page = pro.get("/orientation/liste", params=[
        *CARDIO.items(), ("choix", "cardio-chartres"), ("choix", "cardio-sgl"),
        ("choix", "kine")])
    assert page.status_code == 200
    html = page.text
    found = re.findall(r'<li value="(\d+)" id="offre-\d+" class="resultat[^"]*" '
                       r'data-offre="([^"]+)"', html)
    assert found == [("1", "cardio-sgl"), ("3", "cardio-chartres")]
    shown = text(html)
    assert re.search(r"Recherche du \d\d/\d\d/\d{4} à \d\d:\d\d \(heure de Paris\)", shown)
    assert "donnée ancienne" in text(item(html, "cardio-chartres"))
    assert "1 offre choisie n'est plus parmi les résultats de cette recherche : kine" in shown
    assert 'type="checkbox"' not in html
    assert '<link rel="stylesheet" href="/static/orientation.css">' in html
    back = re.search(r'<a href="([^"]+)">Retour aux résultats</a>', html)
    assert back and unescape(back.group(1)) == \
        "/orientation?q=cardio&address=Versailles&age=45#reponse"


def test_nothing_chosen_lists_every_result(pro: httpx.Client) -> None:
    page = pro.get("/orientation/liste", params=CARDIO)
    assert re.findall(r'data-offre="([^"]+)"', page.text) == ORDER
    assert "Aucune offre cochée : la liste reprend toutes les offres trouvées" in \
        text(page.text)

