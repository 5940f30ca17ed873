"""The quality dashboard ``/qualite`` and the inbox of anomalies ``/qualite/anomalies`` over
HTTP, on both back-ends: who may open them, what each person sees (their region, their
anomalies), answering as an owner and triaging many anomalies at once as a regional
operator, every change going through the write path (world: tests/web/quality_world.py)."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest

from openror.store.quality_tables import quality_result, quality_run
from tests.api.people_fixture import logged_in, people_server, world  # noqa: F401 (fixtures)
from tests.conftest import LiveServer
from tests.web.quality_world import Quality, load, set_status, status_of

INBOX = "/qualite/anomalies"


@pytest.fixture
def quality(world: LiveServer) -> Quality:  # noqa: F811 (the fixture imported above)
    return Quality(world, load(world))


def text(html: str) -> str:
    """The page's visible words, on one line."""
    main = html[html.index("<main"):html.index("</main>")]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)))


def row(html: str, rule: str) -> list[str]:
    """The figures of the rule's first row in the dashboard's table."""
    found = re.search(rf'<tr data-regle="{re.escape(rule)}"[^>]*>(.*?)</tr>', html, re.S)
    assert found, rule
    cells = re.findall(r'<td class="nombre">(.*?)</td>', found.group(1), re.S)
    return [unescape(c).replace("\u202f", " ").strip() for c in cells]


# -- the dashboard ---------------------------------------------------------------------------

def test_the_dashboard_is_for_operators_and_administrators(quality: Quality) -> None:
    server = quality.server
    anonymous = httpx.get(f"{server.url}/qualite", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/connexion?suite=/qualite"
    for login in ("pro", "ref"):
        with logged_in(server, login) as (client, _):
            refused = client.get("/qualite")
            assert refused.status_code == 403
            assert "réservé aux opérateurs régionaux" in text(refused.text)
            assert 'href="/qualite"' not in refused.text  # no link in the navigation
    with logged_in(server, "op") as (client, _):
        shown = client.get("/qualite")
        assert shown.status_code == 200
        assert 'href="/qualite"' in shown.text and f'href="{INBOX}"' in shown.text
        assert "Qualité des données — Hauts-de-France" in text(shown.text)
        assert "Dernier contrôle : terminé le" in text(shown.text)
        assert "Indicateurs de la semaine du 23/11/2026" in text(shown.text)
        assert client.get("/qualite", params={"region": "84"}).status_code == 403


def test_an_operator_sees_their_region_only(quality: Quality) -> None:
    server = quality.server
    # region 32: the offers hs-a, hs-b, hs-p, hs-q, none populated yet; region 84: hs-84
    with logged_in(server, "op") as (client, _):
        mine = client.get("/qualite").text
    assert row(mine, "PE") == ["4", "0", "4", "0", "0 %"]
    assert row(mine, "RE1.2") == ["3", "0", "100 %"]  # the sites eg-a, eg-b and 84's not
    with logged_in(server, "op84") as (client, _):
        theirs = client.get("/qualite").text
    assert "Auvergne-Rhône-Alpes" in text(theirs)
    assert row(theirs, "PE") == ["1", "0", "1", "0", "0 %"]
    with logged_in(server, "admin") as (client, _):
        everything = client.get("/qualite").text
        assert "toutes les régions" in text(everything)
        assert row(everything, "PE") == ["5", "0", "5", "0", "0 %"]
        one = client.get("/qualite", params={"region": "32"}).text
        assert row(one, "PE") == row(mine, "PE")


def test_the_breakdown_and_the_exports(quality: Quality) -> None:
    server = quality.server
    with logged_in(server, "op") as (client, _):
        page = client.get("/qualite", params={"par": "departement"})
        assert page.status_code == 200
        assert '<option value="departement" selected>' in page.text
        aisne = re.search(r'<tr data-regle="PE" data-cle="02">(.*?)</tr>', page.text, re.S)
        assert aisne and "Aisne (02)" in aisne.group(1)
        assert client.get("/qualite", params={"par": "couleur"}).status_code == 400
        links = re.findall(r'href="(/api/quality/[^"]+)"', page.text)
        assert len(links) == 2
        sheet = client.get(unescape(links[0]))
        assert sheet.status_code == 200
        assert sheet.text.splitlines()[0].startswith("week,indicator,region,departement,")
        results = client.get(unescape(links[1]))
        assert results.status_code == 200
        assert all(line.split(",")[3] == "32" for line in results.text.splitlines()[1:])


# -- the owner's inbox -----------------------------------------------------------------------

def test_an_owner_sees_what_to_fix_and_corrects_it(quality: Quality) -> None:
    server, anomalies = quality.server, quality.ids
    a, site = anomalies["a"], anomalies["site"]
    for task in (a, site):
        set_status(server, task, "05")  # sent to the recipient by the operator
    with logged_in(server, "ref") as (client, csrf):
        inbox = client.get(INBOX)
        assert inbox.status_code == 200
        words = text(inbox.text)
        assert "CP5 — Offre médico-sociale : catégorie d'organisation et temporalité" in words
        assert "Renseigner la catégorie d'organisation" in words  # the rule's remedy
        assert "Écart signalé sur HealthcareService/hs-a" in words
        # one click to the field at fault, in the editor (web.quality_links)
        assert 'href="/etablissement/offre/hs-a?regle=CP5&amp;champ=categorie' \
               '#champ-categorie"' in inbox.text
        assert anomalies["b"] not in inbox.text and anomalies["p"] not in inbox.text
        buttons = re.findall(rf'id="anomalie-{a}".*?</section>', inbox.text, re.S)[0]
        assert re.findall(r'name="statut" value="(\d\d)"', buttons) == ["08", "09", "10"]

        forged = client.post(INBOX, data={f"choix-{a}": "2", "statut": "08"})
        assert forged.status_code == 403  # no CSRF field
        corrected = client.post(INBOX, data={"csrf": csrf, f"choix-{a}": "2",
                                             "statut": "08", "motif": "Catégorie ajoutée"})
        assert corrected.status_code == 200
        assert "1 anomalie modifiée" in text(corrected.text)
        assert f'id="anomalie-{a}"' not in corrected.text  # closed: off the list
    assert status_of(server, a) == "08"


def test_an_owner_must_say_why_they_refuse_and_may_not_tolerate(quality: Quality) -> None:
    server, anomalies = quality.server, quality.ids
    a = anomalies["a"]
    set_status(server, a, "05")
    with logged_in(server, "ref") as (client, csrf):
        unexplained = client.post(INBOX, data={"csrf": csrf, f"choix-{a}": "2",
                                               "statut": "09", "motif": " "})
        assert unexplained.status_code == 400
        summary = re.search(r'<div class="alerte erreur" role="alert" id="erreurs".*?</div>',
                            unexplained.text, re.S)
        assert summary and f'href="#motif-{a}"' in summary.group(0)
        assert "Indiquez le motif" in summary.group(0)
        assert f'id="motif-{a}-erreur"' in unexplained.text  # next to the field too
        tolerated = client.post(INBOX, data={"csrf": csrf, f"choix-{a}": "2",
                                             "statut": "06", "motif": "Plus tard"})
        assert tolerated.status_code == 200
        refusal = text(tolerated.text)
        assert "1 changement refusé" in refusal
        assert "Seul l'opérateur régional peut passer une anomalie à « 06 Toléré " \
               "temporairement" in refusal
        refused = client.post(INBOX, data={"csrf": csrf, f"choix-{a}": "2", "statut": "09",
                                           "motif": "La catégorie est déjà renseignée"})
        assert "1 anomalie modifiée" in text(refused.text)
    assert status_of(server, a) == "09"


def test_a_professional_sees_their_practice_s_only(quality: Quality) -> None:
    server, anomalies = quality.server, quality.ids
    assert httpx.get(f"{server.url}{INBOX}", follow_redirects=False).status_code == 303
    with logged_in(server, "pro") as (client, _):  # the professional: their practice's only
        mine = client.get(INBOX).text
        assert anomalies["p"] in mine and anomalies["a"] not in mine


# -- the operator's triage -------------------------------------------------------------------

def test_an_operator_filters_the_region_s_anomalies(quality: Quality) -> None:
    server, anomalies = quality.server, quality.ids
    set_status(server, anomalies["b"], "05")
    with logged_in(server, "op") as (client, _):
        region = client.get(INBOX).text
        assert "5 anomalies" in text(region)  # the four reported and task-32 (hs-a)
        assert anomalies["r84"] not in region
        assert {anomalies["b"]} == set(re.findall(
            r'data-anomalie="([^"]+)"', client.get(INBOX, params={"statut": "05"}).text))
        assert set(re.findall(r'data-anomalie="([^"]+)"', client.get(
            INBOX, params={"regle": "CO4"}).text)) == {anomalies["site"]}
        # placed in the Aisne by the quality run: the sites and their offers; the practice
        # of P (hs-p) is placed nowhere
        aisne = client.get(INBOX, params={"departement": "02"}).text
        assert "4 anomalies" in text(aisne) and anomalies["p"] not in aisne
        assert "0 anomalie." in text(client.get(INBOX, params={"departement": "60"}).text)
        assert "0 anomalie." in text(client.get(INBOX, params={"thematique": "04"}).text)
        assert client.get(INBOX, params={"regle": "XX"}).status_code == 400
    with logged_in(server, "op84") as (client, _):
        assert set(re.findall(r'data-anomalie="([^"]+)"', client.get(INBOX).text)) == {
            anomalies["r84"], "task-84"}


def test_an_operator_sends_many_and_is_told_what_was_refused(quality: Quality) -> None:
    server, anomalies = quality.server, quality.ids
    a, b, site = anomalies["a"], anomalies["b"], anomalies["site"]
    set_status(server, site, "10")  # « À vérifier » cannot be sent again
    with logged_in(server, "op") as (client, csrf):
        answer = client.post(f"{INBOX}?statut=ouvertes", data={
            "csrf": csrf, f"choix-{a}": "1", f"choix-{b}": "1", f"choix-{site}": "2",
            "statut": "05"})
        assert answer.status_code == 200
        words = text(answer.text)
        assert "2 anomalies modifiées" in words
        assert "1 changement refusé" in words
        refused = re.search(rf'<li data-anomalie="{site}">(.*?)</li>', answer.text, re.S)
        assert refused and "Transition refusée" in unescape(refused.group(1))
        assert "CO4 Catégorie d'établissement conforme au FINESS" in unescape(refused.group(1))
    assert [status_of(server, t) for t in (a, b, site)] == ["05", "05", "10"]


def test_an_operator_tolerates_with_a_reason(quality: Quality) -> None:
    server, anomalies = quality.server, quality.ids
    a = anomalies["a"]
    with logged_in(server, "op") as (client, csrf):
        nothing = client.post(INBOX, data={"csrf": csrf, "statut": "06", "motif": ""})
        assert nothing.status_code == 400
        summary = text(nothing.text)
        assert "2 erreurs dans le formulaire — rien n'a été modifié" in summary
        assert "Cochez au moins une anomalie." in summary
        assert "Indiquez le motif" in summary
        assert 'aria-invalid="true" aria-describedby="motif-erreur motif-aide"' in nothing.text
        stale = client.post(INBOX, data={"csrf": csrf, f"choix-{a}": "7", "statut": "06",
                                         "motif": "Travaux jusqu'en juin"})
        assert "modifié cette anomalie entre-temps" in text(stale.text)  # version 7: none
        done = client.post(INBOX, data={"csrf": csrf, f"choix-{a}": "1", "statut": "06",
                                        "motif": "Travaux jusqu'en juin"})
        assert "1 anomalie modifiée" in text(done.text)
        tolerated = re.search(rf'<tr data-anomalie="{a}".*?</tr>', done.text, re.S)
        assert tolerated and "Travaux jusqu'en juin" in unescape(tolerated.group(0))
    assert status_of(server, a) == "06"


# -- the owner's « À compléter » -------------------------------------------------------------

def _todo(html: str) -> str:
    """The « À compléter » section of an owner's inbox."""
    return html[html.index('<section id="a-completer"'):html.index("</main>")]


def _words(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _more_cp5(quality: Quality, site: str, count: int, rule: str = "CP5") -> None:
    """``count`` more offers of ``site`` deviating from CP5, as a quality run stores them."""
    rows = [{"rule": rule, "unit": f"HealthcareService/x-{i:03}", "deviating": True,
             "region": "32", "site": site, "detail": "manque : temporalité d'accueil",
             "run_id": "test"} for i in range(count)]
    with quality.server.app.state.services.db.write() as conn:
        conn.execute(quality_result.insert(), rows)


def test_a_referent_sees_what_their_site_has_to_complete(quality: Quality) -> None:
    server = quality.server
    _more_cp5(quality, "Organization/eg-b", 2)  # another referent's site
    _more_cp5(quality, "Organization/unit-a", 1, "CO1")  # raises anomalies: not listed here
    with logged_in(server, "ref") as (client, _):
        page = client.get(INBOX).text
    todo = _todo(page)
    words = _words(todo)
    assert re.search(r"À compléter Ce que le dernier contrôle de la qualité \(le "
                     r"\d\d/\d\d/20\d\d à \d\d:\d\d, heure de Paris\)", words)
    assert "PE — Peuplement de l'offre : 1 unité" in words
    assert "Compléter les éléments manquants de l'offre." in words  # the remedy
    assert "Offre « Offre hs-a » — manque : contact avec télécommunication" in words
    assert 'href="/etablissement/offre/hs-a?regle=PE"' in todo  # contacts: no editor field
    assert "hs-b" not in todo and "CP5" not in todo and "x-000" not in todo
    assert "CO1" not in todo
    assert re.findall(r'data-site="([^"]*)"', todo) == ["Organization/unit-a"]


def test_a_long_list_is_cut_and_links_to_the_export(quality: Quality) -> None:
    server = quality.server
    _more_cp5(quality, "Organization/unit-a", 53)
    with logged_in(server, "ref") as (client, _):
        todo = _todo(client.get(INBOX).text)
        cp5 = re.search(r'<section class="regle" data-regle="CP5".*?</section>', todo, re.S)
        assert cp5
        shown = re.findall(r'<li data-unite="([^"]+)"', cp5.group(0))
        assert shown == [f"HealthcareService/x-{i:03}" for i in range(50)]
        words = _words(cp5.group(0))
        assert "CP5 — Offre médico-sociale : catégorie d'organisation et temporalité : " \
               "53 unités" in words
        assert words.count("Renseigner la catégorie d'organisation") == 1  # the remedy once
        assert "manque : temporalité d'accueil" in words
        assert "et 3 autres" in words
        export = re.search(r'<a href="(/api/quality/results\?[^"]+)">', cp5.group(0))
        assert export
        sheet = client.get(unescape(export.group(1)))
        assert sheet.status_code == 200
        assert len(sheet.text.splitlines()) == 1 + 53  # the header and every unit


def test_a_professional_sees_their_practice_s_to_complete(quality: Quality) -> None:
    with logged_in(quality.server, "pro") as (client, _):
        todo = _todo(client.get(INBOX).text)
    words = _words(todo)
    # the practice of P (hs-p) has no category: the run placed it in no site
    assert "Votre exercice" in words
    assert "Offre « Offre hs-p » — manque : contact avec télécommunication" in words
    assert 'href="/etablissement/offre/hs-p?regle=PE"' in todo
    # hs-a, where P has a role beside Q's, is not P's to complete
    assert "hs-a" not in todo and "hs-q" not in todo


def test_no_quality_run_yet_is_said_in_one_line(quality: Quality) -> None:
    with quality.server.app.state.services.db.write() as conn:
        conn.execute(quality_result.delete())
        conn.execute(quality_run.delete())
    with logged_in(quality.server, "ref") as (client, _):
        words = _words(_todo(client.get(INBOX).text))
    assert "Aucun contrôle de la qualité n'a encore été fait" in words
    with logged_in(quality.server, "op") as (client, _):
        assert 'id="a-completer"' not in client.get(INBOX).text  # operators: the dashboard
