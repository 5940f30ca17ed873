"""The read policy in the French web pages, on the world of test_read_matrix, for a person
of each kind: an account with no role (open data, profile 0), a professional (profile 2), a
regional operator of another region (profile 1, region 84 only) and a national
administrator (profile 1). The pages that show the directory's content — the orientation
results with their contacts, a place's capacity page, the regional dashboard — show each
person what the API would show them, and a hidden resource is answered as absent."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from openror.config import Settings
from tests.access import world
from tests.access.world import PHONES
from tests.api.people_fixture import PASSWORD, add_accounts
from tests.conftest import LiveServer, wipe

#: login -> (linked practitioner, roles)
PERSONS = {"nobody": (None, ()), "pro": ("pract-city", ("professional",)),
           "op84": (None, ("operator:84",)), "admin": (None, ("admin",))}
#: the offers of the world with a place near Nantes, as each person may see them
NEAR_NANTES = {"nobody": {"hs-ms", "hs-mco"}, "pro": {"hs-ms", "hs-mco"}, "op84": set(),
               "admin": {"hs-ms", "hs-mco", "hs-secret"}}
#: the phone levels of the medico-social offer's contacts each person sees
OFFER_PHONES = {"nobody": {"1"}, "pro": {"1", "2"}, "admin": {"1", "2"}}
NANTES = {"q": "médecine générale", "lat": "47.2184", "lon": "-1.5536", "count": "20"}


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), database_url=database_url,
                        region="52", log_level="WARNING", require_client_certificates=False,
                        cookie_secure=False, rate_limit_per_minute=1_000_000,
                        rate_limit_burst=100_000)
    with LiveServer(settings) as live:
        db = live.app.state.services.db
        wipe(db)
        world.load(db)
        add_accounts(live, PERSONS)
        yield live


@pytest.fixture(scope="module")
def browsers(server: LiveServer) -> Iterator[dict[str, httpx.Client]]:
    """A logged-in browser (cookies, no token) per person."""
    made = {}
    for login in PERSONS:
        client = httpx.Client(base_url=server.url, timeout=30)
        response = client.post("/auth/login", data={"login": login, "password": PASSWORD})
        assert response.status_code == 200, response.text
        made[login] = client
    yield made
    for client in made.values():
        client.close()


def _offers(html: str) -> set[str]:
    return set(re.findall(r'<li [^>]*class="resultat[^"]*" data-offre="([^"]+)"', html))


def _item(html: str, offer: str) -> str:
    found = re.search(rf'<li [^>]*data-offre="{offer}">(.*?)</li>\s*(?=<li |</ol>)', html, re.S)
    assert found, offer
    return found.group(1)


@pytest.mark.parametrize("who", list(PERSONS))
def test_orientation_lists_only_the_offers_the_person_may_see(
        browsers: dict[str, httpx.Client], who: str) -> None:
    page = browsers[who].get("/orientation", params=NANTES)
    assert page.status_code == 200, page.text
    assert _offers(page.text) == NEAR_NANTES[who]
    assert "Offre hs-secret" not in page.text or who == "admin"


@pytest.mark.parametrize("who", ["nobody", "pro", "admin"])
def test_orientation_shows_the_contacts_the_person_may_see(
        browsers: dict[str, httpx.Client], who: str) -> None:
    html = _item(browsers[who].get("/orientation", params=NANTES).text, "hs-ms")
    assert {level for level, phone in PHONES.items() if phone in html} == OFFER_PHONES[who]


@pytest.mark.parametrize("who", ["nobody", "pro", "admin"])
def test_the_printed_short_list_keeps_the_same_redaction(
        browsers: dict[str, httpx.Client], who: str) -> None:
    short = browsers[who].get("/orientation/export.csv",
                              params={**NANTES, "choix": ["hs-ms", "hs-secret"]})
    assert short.status_code == 200, short.text
    assert ("hs-secret" in short.text or "Offre hs-secret" in short.text) is (who == "admin")
    assert {level for level, phone in PHONES.items() if phone in short.text} \
        == OFFER_PHONES[who]


@pytest.mark.parametrize(("who", "place", "status"), [
    ("nobody", "loc-ms", 403),  # open data has no capacities
    ("pro", "loc-ms", 200), ("pro", "loc-secret", 404),
    ("op84", "loc-ms", 404), ("op84", "loc-secret", 404),
    ("admin", "loc-secret", 200)])
def test_a_place_page_answers_a_hidden_place_as_absent(
        browsers: dict[str, httpx.Client], who: str, place: str, status: int) -> None:
    page = browsers[who].get(f"/capacites/lieu/{place}")
    assert page.status_code == status, page.text
    if status == 404:
        assert "Lieu loc-" not in page.text


def test_the_dashboard_of_another_region_is_refused(browsers: dict[str, httpx.Client]
                                                    ) -> None:
    mine = browsers["admin"].get("/capacites/tableau-de-bord.csv", params={"region": "52"})
    assert mine.status_code == 200, mine.text
    assert ";44;Loire-Atlantique;" in mine.text  # where the world's places are
    other = browsers["op84"].get("/capacites/tableau-de-bord.csv", params={"region": "52"})
    assert other.status_code == 403
    assert "Loire-Atlantique" not in other.text
