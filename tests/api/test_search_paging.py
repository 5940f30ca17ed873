"""Search paging over real HTTP, on both back-ends.

Every match is served exactly once, in a stable order (by id), even when resources are
created, changed and deleted between and during page fetches: the first page fixes the
matches, and later pages serve them as they were then. Also: the match cap and its
too-costly outcome, ``_summary=count``, ``_total=none``, invalid or expired cursors, and
what the next link carries over.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa

from openror.search import engine
from openror.services import writes
from openror.store.database import Database
from tests.api.test_crud import FHIR
from tests.builders import coding, healthcare_service, organization

ORG_ID = "paging-org"
MATCH, OTHER = "437", "438"  # two codes of TRE_R211-ActiviteOperationnelle
SEARCH = f"/HealthcareService?specialty={MATCH}"
NAME = "Médecine générale"
MAX_PAGES = 50  # a client following next links must get to the end well before this

Bundle = dict[str, Any]


# --- helpers -----------------------------------------------------------------------------

def put_offer(client: httpx.Client, rid: str, specialty: str = MATCH, name: str = NAME
              ) -> dict[str, Any]:
    """Create or replace HealthcareService ``rid`` (provided by the test organization)."""
    body = healthcare_service(f"Organization/{ORG_ID}")
    body.update(id=rid, name=name,
                specialty=[coding("TRE_R211-ActiviteOperationnelle", specialty)])
    response = client.put(f"/HealthcareService/{rid}", json=body, headers=FHIR)
    assert response.status_code in (200, 201), response.text
    stored: dict[str, Any] = response.json()
    return stored


def delete_offer(client: httpx.Client, rid: str) -> None:
    response = client.delete(f"/HealthcareService/{rid}")
    assert response.status_code in (200, 204), response.text


def seed(client: httpx.Client, matching: list[str], others: tuple[str, ...] = ()) -> None:
    """The organization, then the offers in shuffled order (so id order != write order)."""
    org = {**organization(), "id": ORG_ID}
    response = client.put(f"/Organization/{ORG_ID}", json=org, headers=FHIR)
    assert response.status_code in (200, 201), response.text
    offers = [(rid, MATCH) for rid in matching] + [(rid, OTHER) for rid in others]
    random.Random(7).shuffle(offers)
    for rid, specialty in offers:
        put_offer(client, rid, specialty)


def get_bundle(client: httpx.Client, url: str) -> Bundle:
    response = client.get(url)
    assert response.status_code == 200, response.text
    bundle: Bundle = response.json()
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    return bundle


def link(bundle: Bundle, relation: str) -> str | None:
    return next((lk["url"] for lk in bundle.get("link", []) if lk["relation"] == relation),
                None)


def entries(bundle: Bundle, mode: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle.get("entry", []) if e["search"]["mode"] == mode]


def match_ids(bundle: Bundle) -> list[str]:
    return [r["id"] for r in entries(bundle, "match")]


def pages(client: httpx.Client, url: str) -> Iterator[Bundle]:
    """The first page, then every page its next links lead to (absolute URLs)."""
    current: str | None = url
    for _ in range(MAX_PAGES):
        if current is None:
            return
        bundle = get_bundle(client, current)
        yield bundle
        current = link(bundle, "next")
    pytest.fail(f"still a next link after {MAX_PAGES} pages")


def outcome_codes(bundle: Bundle) -> list[str]:
    return [i["code"] for r in entries(bundle, "outcome") for i in r["issue"]]


def assert_bad_cursor(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert ["_cursor"] in [issue.get("expression") for issue in body["issue"]]


# --- 1. every match once, in id order --------------------------------------------------------

def test_pages_return_every_match_once_in_id_order(api: httpx.Client) -> None:
    matching = [f"hs{n:03d}" for n in range(1, 12)]
    seed(api, matching, others=("hs000", "hs005x", "hs999"))

    bundles = list(pages(api, f"{SEARCH}&_count=4"))

    assert [len(match_ids(b)) for b in bundles] == [4, 4, 3]
    assert [b["total"] for b in bundles] == [11, 11, 11]
    served = [rid for b in bundles for rid in match_ids(b)]
    assert served == sorted(matching)
    assert link(bundles[-1], "next") is None
    # nothing changed meanwhile: later pages (served from the snapshot) equal a plain read
    for body in entries(bundles[1], "match") + entries(bundles[2], "match"):
        assert body == api.get(f"/HealthcareService/{body['id']}").json()


def test_a_search_with_pages_does_not_wait_for_the_datas_writer(api: httpx.Client,
                                                                database_url: str) -> None:
    """The paging snapshots have a store of their own (on SQLite, a file next to the
    database's): a multi-page search is answered while a writer, an import batch say, holds
    the data's write lock (before, it waited for it: 240 ms per search during the national
    import, and here until the client's timeout)."""
    seed(api, ["hs001", "hs002", "hs003"])
    db = Database(database_url)
    try:
        with db.write() as conn:  # SQLite: BEGIN IMMEDIATE, the write lock until the end
            conn.execute(sa.text("DELETE FROM search_snapshot WHERE token = ''"))
            first = get_bundle(api, f"{SEARCH}&_count=2")
            nxt = link(first, "next")
            assert nxt is not None
            second = get_bundle(api, nxt)
    finally:
        db.dispose()
    assert match_ids(first) + match_ids(second) == ["hs001", "hs002", "hs003"]


def test_same_search_twice_pages_the_same_way(api: httpx.Client) -> None:
    matching = [f"hs{n:03d}" for n in range(1, 8)]
    seed(api, matching)
    first = [match_ids(b) for b in pages(api, f"{SEARCH}&_count=2")]
    second = [match_ids(b) for b in pages(api, f"{SEARCH}&_count=2")]
    assert first == second == [matching[0:2], matching[2:4], matching[4:6], matching[6:7]]


def test_everything_on_one_page_has_no_next_link(api: httpx.Client) -> None:
    seed(api, ["hs001", "hs002", "hs003"])
    bundle = get_bundle(api, f"{SEARCH}&_count=3")
    assert match_ids(bundle) == ["hs001", "hs002", "hs003"]
    assert bundle["total"] == 3
    assert link(bundle, "next") is None


# --- 2. paging while data changes ------------------------------------------------------------

class Writer:
    """A thread writing through its own client while the test pages: first a script of
    changes to matches on later pages (and new matches), then renames of one match until
    stopped."""

    #: id -> new specialty (None: delete), on matches of later pages and new ids
    SCRIPT: tuple[tuple[str, str | None], ...] = (
        ("c13b", MATCH),  # a new match inside the range
        ("c13", OTHER),   # a match stops matching
        ("c16", None),    # a match is deleted
        ("c21", MATCH),   # a new match after the last one
    )

    def __init__(self, base_url: str, headers: httpx.Headers,
                 state: dict[str, str | None]) -> None:
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.base_url, self.headers = base_url, headers
        self.state = state  # id -> specialty, None when deleted (the expected current state)
        self.lock = threading.Lock()
        self.progress = threading.Condition(self.lock)
        self.writes = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def start(self) -> None:
        self.thread.start()

    def finish(self) -> None:
        self.stop.set()
        self.thread.join(30)
        assert not self.thread.is_alive(), "the writer did not stop"

    def run(self) -> None:
        try:
            with httpx.Client(base_url=self.base_url, headers=self.headers,
                              timeout=30) as client:
                for rid, specialty in self.SCRIPT:
                    self._write(client, rid, specialty)
                n = 0
                while not self.stop.is_set():  # a match renamed again and again
                    n += 1
                    self._write(client, "c19", MATCH, name=f"{NAME} — écrit {n}")
        except BaseException as exc:
            self.error = exc
            with self.progress:
                self.progress.notify_all()

    def _write(self, client: httpx.Client, rid: str, specialty: str | None,
               name: str = NAME) -> None:
        if specialty is None:
            delete_offer(client, rid)
        else:
            put_offer(client, rid, specialty, name)
        with self.progress:
            self.state[rid] = specialty
            self.writes += 1
            self.progress.notify_all()

    def wait_for_more_writes(self, seen: int) -> int:
        """Block until the writer has written something since ``seen`` writes."""
        with self.progress:
            assert self.progress.wait_for(lambda: self.writes > seen or self.error is not None,
                                          timeout=30), "the writer made no progress"
            assert self.error is None, self.error
            return self.writes


def test_paging_under_concurrent_writes_serves_the_first_pages_matches(
        api: httpx.Client) -> None:
    originals = [f"c{n:02d}" for n in range(1, 21)]
    seed(api, originals, others=("c07x",))
    state: dict[str, str | None] = dict.fromkeys(originals, MATCH)
    writer = Writer(str(api.base_url).rstrip("/"), api.headers, state)

    first = get_bundle(api, f"{SEARCH}&_count=3")
    assert first["total"] == 20
    assert match_ids(first) == ["c01", "c02", "c03"]
    # Between page 1 and 2, in the test thread: new matches before and inside the range,
    # a match that stops matching, a deleted match, a match renamed but still matching.
    for rid, specialty in [("c00", MATCH), ("c10a", MATCH), ("c07x", MATCH), ("c05", OTHER)]:
        put_offer(api, rid, specialty)
        state[rid] = specialty
    delete_offer(api, "c08")
    state["c08"] = None
    renamed = put_offer(api, "c11", MATCH, name="Renommé après la page 1")
    assert renamed["meta"]["versionId"] == "2"
    # ... and from now on the writer thread changes things while the test pages.
    writer.start()
    bundles = [first]
    seen = 0
    try:
        url = link(first, "next")
        while url is not None:
            seen = writer.wait_for_more_writes(seen)
            page = get_bundle(api, url)
            bundles.append(page)
            if len(bundles) == 2:  # more changes between page 2 and 3, in the test thread
                delete_offer(api, "c14")
                put_offer(api, "c17", OTHER)
                put_offer(api, "c20", MATCH, name="Renommé après la page 2")
                state.update(c14=None, c17=OTHER)
            url = link(page, "next")
            assert len(bundles) <= MAX_PAGES
    finally:
        writer.finish()
    assert writer.error is None, writer.error
    assert writer.writes >= len(bundles), "the writer did not run while the test paged"

    served = [rid for b in bundles for rid in match_ids(b)]
    assert served == originals  # every first-page match once, in id order, nothing new
    assert [b["total"] for b in bundles] == [20] * len(bundles)
    # each match is served as it was when page 1 was read: version 1, original name/specialty
    for body in (r for b in bundles for r in entries(b, "match")):
        assert body["meta"]["versionId"] == "1", body["id"]
        assert body["name"] == NAME, body["id"]
        assert body["specialty"][0]["coding"][0]["code"] == MATCH, body["id"]

    # a fresh search sees the data as it is now
    now = [rid for b in pages(api, f"{SEARCH}&_count=4") for rid in match_ids(b)]
    expected = sorted(rid for rid, specialty in state.items() if specialty == MATCH)
    assert now == expected
    assert {"c00", "c07x", "c10a", "c13b", "c21"} <= set(now)
    assert not {"c05", "c08", "c13", "c14", "c16", "c17"} & set(now)
    fresh = {r["id"]: r for b in pages(api, f"{SEARCH}&_count=1000") for r in entries(b, "match")}
    assert fresh["c11"]["name"] == "Renommé après la page 1"
    assert fresh["c20"]["name"] == "Renommé après la page 2"
    assert int(fresh["c19"]["meta"]["versionId"]) > 1


class HeldWrite:
    """Holds the write transaction of one resource open right after it took its change-feed
    number (a hook on the write path's ``number`` in the live server, which runs in this
    process)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, rid: str) -> None:
        self.rid = rid
        self.numbered = threading.Event()
        self.release = threading.Event()
        original = writes.number

        def number(conn: Any, new: Any, *args: Any, **kwargs: Any) -> int:
            seq = original(conn, new, *args, **kwargs)
            if new.id == self.rid:
                self.numbered.set()
                self.release.wait(30)
            return seq

        monkeypatch.setattr(writes, "number", number)


@pytest.mark.parametrize("late", ["update", "delete"])
def test_write_in_flight_during_page_one_is_not_served(
        api: httpx.Client, monkeypatch: pytest.MonkeyPatch, late: str) -> None:
    """A write numbered but not committed when page one is computed is not served by the
    later pages. (A later number can no longer commit before it: writers take the feed's
    turn in number order, store.feed_order, tested in tests/store/test_feed_order.py.)"""
    seed(api, ["c01", "c02", "c03", "c04", "c05", "c06"])
    held = HeldWrite(monkeypatch, "c05")
    base = str(api.base_url).rstrip("/")

    def late_write() -> None:
        with httpx.Client(base_url=base, headers=api.headers, timeout=30) as client:
            if late == "update":
                put_offer(client, "c05", MATCH, name="Écrit tard")
            else:
                delete_offer(client, "c05")

    thread = threading.Thread(target=late_write, daemon=True)
    thread.start()
    try:
        assert held.numbered.wait(30), "the late write never reached the change feed"
        first = get_bundle(api, f"{SEARCH}&_count=2")  # the late write is not visible yet
        assert first["total"] == 6
    finally:
        held.release.set()
        thread.join(30)
    nxt = link(first, "next")
    assert nxt is not None
    bundles = [first, *pages(api, nxt)]
    served = {r["id"]: r for b in bundles for r in entries(b, "match")}
    assert sorted(served) == ["c01", "c02", "c03", "c04", "c05", "c06"]
    assert served["c05"]["meta"]["versionId"] == "1"
    assert served["c05"]["name"] == NAME


# --- 3. the match cap ------------------------------------------------------------------------

@pytest.fixture
def cap_of_5(monkeypatch: pytest.MonkeyPatch) -> None:
    """The live server runs in a thread of this process (tests/conftest.py LiveServer), so
    patching the module attribute changes the cap it applies."""
    monkeypatch.setattr(engine, "CAP", 5)


@pytest.mark.usefixtures("cap_of_5")
def test_beyond_the_cap_total_is_real_paging_stops_and_export_is_advised(
        api: httpx.Client) -> None:
    matching = [f"hs{n:03d}" for n in range(1, 9)]
    seed(api, matching)

    bundles = list(pages(api, f"{SEARCH}&_count=2"))

    assert [match_ids(b) for b in bundles] == [matching[0:2], matching[2:4], matching[4:5]]
    assert [b["total"] for b in bundles] == [8, 8, 8]  # the real count, not the cap
    for bundle in bundles:
        assert outcome_codes(bundle) == ["too-costly"]
        outcome = entries(bundle, "outcome")[0]
        assert outcome["resourceType"] == "OperationOutcome"
        assert "$export" in outcome["issue"][0]["diagnostics"]
    assert get_bundle(api, f"{SEARCH}&_summary=count")["total"] == 8


@pytest.mark.usefixtures("cap_of_5")
def test_at_the_cap_exactly_nothing_is_truncated(api: httpx.Client) -> None:
    seed(api, [f"hs{n:03d}" for n in range(1, 6)])
    bundles = list(pages(api, f"{SEARCH}&_count=2"))
    assert sum(len(match_ids(b)) for b in bundles) == 5
    assert all(b["total"] == 5 and not outcome_codes(b) for b in bundles)


@pytest.mark.usefixtures("cap_of_5")
def test_total_none_beyond_the_cap_gives_no_total_but_the_outcome(api: httpx.Client) -> None:
    seed(api, [f"hs{n:03d}" for n in range(1, 9)])
    first = get_bundle(api, f"{SEARCH}&_count=2&_total=none")
    assert "total" not in first  # not counted, as asked
    assert match_ids(first) == ["hs001", "hs002"]
    assert outcome_codes(first) == ["too-costly"]


@pytest.mark.usefixtures("cap_of_5")
def test_total_none_beyond_the_cap_still_pages_up_to_the_cap(api: httpx.Client) -> None:
    matching = [f"hs{n:03d}" for n in range(1, 9)]
    seed(api, matching)
    bundles = list(pages(api, f"{SEARCH}&_count=2&_total=none"))
    assert [match_ids(b) for b in bundles] == [matching[0:2], matching[2:4], matching[4:5]]
    for bundle in bundles:
        assert bundle.get("total") in (None, 8)  # never the cap passed off as the count
        assert outcome_codes(bundle) == ["too-costly"]
    for bundle in bundles[:-1]:
        assert parse_qs(urlsplit(link(bundle, "next") or "").query)["_total"] == ["none"]


# --- 4. _summary, _total, cursors, next links ----------------------------------------------

def test_summary_count_gives_the_total_only(api: httpx.Client) -> None:
    seed(api, [f"hs{n:03d}" for n in range(1, 6)], others=("hs900",))
    bundle = get_bundle(api, f"{SEARCH}&_summary=count&_count=2")
    assert bundle["total"] == 5
    assert not bundle.get("entry")
    assert link(bundle, "next") is None


def test_total_none_below_the_cap_still_gives_the_total(api: httpx.Client) -> None:
    # Observed: below the cap the count comes free with the matches, so total is given
    # anyway (FHIR allows a server to return it when _total=none).
    seed(api, [f"hs{n:03d}" for n in range(1, 6)])
    bundles = list(pages(api, f"{SEARCH}&_count=2&_total=none"))
    assert [b.get("total") for b in bundles] == [5, 5, 5]
    assert [rid for b in bundles for rid in match_ids(b)] == [f"hs{n:03d}" for n in range(1, 6)]


@pytest.mark.parametrize("cursor", [
    "not-a-cursor",
    "%%%",
    engine.encode_cursor("0" * 32, 0),           # well formed, unknown snapshot
    engine.encode_cursor("0" * 32, 0) + "AAAA",  # tampered
])
def test_forged_cursor_is_refused_naming_cursor(api: httpx.Client, cursor: str) -> None:
    assert_bad_cursor(api.get("/HealthcareService", params={"_cursor": cursor}))


def test_cursor_of_another_type_is_refused(api: httpx.Client) -> None:
    seed(api, ["hs001", "hs002", "hs003"])
    nxt = link(get_bundle(api, f"{SEARCH}&_count=1"), "next")
    assert nxt is not None
    cursor = parse_qs(urlsplit(nxt).query)["_cursor"][0]
    assert_bad_cursor(api.get("/Organization", params={"_cursor": cursor}))


def test_expired_cursor_is_refused_naming_cursor(api: httpx.Client,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    seed(api, ["hs001", "hs002", "hs003"])
    nxt = link(get_bundle(api, f"{SEARCH}&_count=1"), "next")
    assert nxt is not None
    assert get_bundle(api, nxt)["total"] == 3  # valid while the snapshot lives
    monkeypatch.setattr(engine, "SNAPSHOT_TTL", timedelta(seconds=-1))
    assert_bad_cursor(api.get(nxt))


def test_next_link_keeps_include_and_count(api: httpx.Client) -> None:
    seed(api, [f"hs{n:03d}" for n in range(1, 6)])
    include = "HealthcareService:organization"
    bundles = list(pages(api, f"{SEARCH}&_count=2&_include={include}"))
    assert [len(match_ids(b)) for b in bundles] == [2, 2, 1]
    for bundle in bundles[:-1]:
        query = parse_qs(urlsplit(link(bundle, "next") or "").query)
        assert query["_count"] == ["2"]
        assert query["_include"] == [include]
        assert "_cursor" in query
    for bundle in bundles:
        assert [r["id"] for r in entries(bundle, "include")] == [ORG_ID]


def test_count_zero_does_not_lead_to_endless_next_links(api: httpx.Client) -> None:
    seed(api, ["hs001", "hs002"])
    bundle = get_bundle(api, f"{SEARCH}&_count=0")
    assert bundle["total"] == 2
    assert not match_ids(bundle)
    assert link(bundle, "next") is None
