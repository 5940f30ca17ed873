"""Following a source: fetch its feed page after page from the stored cursor and apply each
(``apply.PageWriter``) until it has nothing newer (``catch_up``); ``follow`` keeps doing so
every poll interval, through the source's restarts and outages."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import sqlalchemy as sa

from openror.errors import OpenRORError
from openror.services import heap
from openror.services.writes import WritePath
from openror.store import bulk_indexes, derive_process, federation_sources
from openror.store.resources import utcnow
from openror.sync.federation.apply import PageWriter, Tally
from openror.sync.federation.client import SourceClient
from openror.sync.federation.feed_page import Page, newest_seq, parse
from openror.sync.federation.verify import Verifier

FEED_PATH = "/fhir/_history"
_STALLED_PAGES = 3


@dataclass
class RunReport:
    source: str
    cursor: int
    pages: int = 0
    tally: Tally = field(default_factory=Tally)
    error: str | None = None
    #: the source's feed was renumbered (a restore): what the verify and repair did
    rebased: str | None = None

    def __str__(self) -> str:
        state = f"failed: {self.error}" if self.error else "caught up"
        text = (f"{self.source}: {state} at change {self.cursor} ({self.pages} pages; "
                f"{self.tally})")
        return f"{text}; {self.rebased}" if self.rebased else text


class Renumbered(Exception):
    """A page of another feed epoch than the cursor's: the source was restored."""

    def __init__(self, epoch: str) -> None:
        super().__init__(epoch)
        self.epoch = epoch


#: what a caller may watch: each page once applied (progress, tests that stop the source)
OnPage = Callable[[RunReport, Page], None]
#: builds the HTTP client of a source row (tests give fewer attempts, shorter waits)
ClientFactory = Callable[[federation_sources.SourceRow], SourceClient]


class Follower:
    def __init__(self, writes: WritePath, name: str, *, page_size: int = 1000,
                 client: ClientFactory = SourceClient, on_page: OnPage | None = None) -> None:
        self.writes, self.name, self.page_size = writes, name, page_size
        self.client, self.on_page = client, on_page

    def catch_up(self) -> RunReport:
        """Apply every change the source has after the cursor; a failure is recorded on the
        source (``last_error``) and returned in the report, what was applied stays. Into an
        empty database, the search indexes are built at the end (``bulk_indexes.deferred``)."""
        with self.writes.db.read_primary() as conn:
            row = federation_sources.need(conn, self.name)
        report = RunReport(self.name, row.cursor)
        try:
            with self.client(row) as http, bulk_indexes.deferred(self.writes.db):
                try:
                    self._pages(http, report, row.epoch)
                except Renumbered as renumbered:
                    self._rebase(http, report, renumbered.epoch)
                    self._pages(http, report, renumbered.epoch)
        except OpenRORError as exc:
            report.error = exc.message
        except sa.exc.DBAPIError as exc:  # this instance's database: one line too
            report.error = f"the database: {str(exc.orig or exc).splitlines()[0]}"
        try:
            with self.writes.db.write() as conn:
                federation_sources.record_run(conn, self.name, utcnow(), report.error)
        except sa.exc.DBAPIError as exc:
            report.error = report.error or f"the database: {exc.orig or exc}".splitlines()[0]
        return report

    def _pages(self, http: SourceClient, report: RunReport, epoch: str | None) -> None:
        """Page after page until one brings nothing new; the next page is fetched while this
        one is written (its cursor is known from the ``next`` link). A page that does not
        move the cursor but has entries (one delivered again by a proxy or a cache) is asked
        again, a few times at most. A page of another epoch than ``epoch`` (the cursor's)
        raises :class:`Renumbered` before anything of it is applied."""
        writer = PageWriter(self.writes, self.name)
        stalled = 0
        with (heap.bulk_run(), derive_process.running(),
              ThreadPoolExecutor(1, thread_name_prefix="federation-fetch") as fetcher):
            coming = fetcher.submit(self._fetch, http, report.cursor)
            while stalled < _STALLED_PAGES:
                page = coming.result()
                epoch = self._same_epoch(page, epoch, report.cursor)
                moved = page.next_after is not None and page.next_after > report.cursor
                if not page.changes and not moved:
                    return  # up to date
                after = page.next_after if moved else None
                coming = fetcher.submit(self._fetch, http, after or report.cursor)
                report.tally.add(writer.apply(page.changes, after, utcnow()))
                report.pages += 1
                if after is not None:
                    report.cursor, stalled = after, 0
                else:
                    stalled += 1
                if self.on_page is not None:
                    self.on_page(report, page)

    def _same_epoch(self, page: Page, epoch: str | None, cursor: int) -> str | None:
        """The epoch the cursor belongs to from now on; the first one seen is recorded."""
        if page.epoch is None or page.epoch == epoch:
            return epoch
        if epoch is not None:
            raise Renumbered(page.epoch)
        with self.writes.db.write() as conn:  # a source followed before epochs existed
            federation_sources.rebase(conn, self.name, cursor, page.epoch)
        return page.epoch

    def _rebase(self, http: SourceClient, report: RunReport, epoch: str) -> None:
        """The source's change numbers start again (restored from a backup): what this
        instance holds of it is brought level with a verify and repair, and the feed is
        followed from the source's newest change read before them (changes made during the
        repair come again through the feed; applying one twice changes nothing)."""
        head = newest_seq(http.get_json(FEED_PATH, {"_count": 1}))  # newest first
        verified = Verifier(self.writes, self.name, client=self.client).run(repair=True)
        with self.writes.db.write() as conn:
            federation_sources.rebase(conn, self.name, head, epoch)
        report.cursor = head
        report.rebased = (f"the source's feed was renumbered (restored from a backup?): "
                          f"brought level by a repair ({verified.fetched} re-fetched, "
                          f"{verified.repaired or Tally()}), followed from change {head}")

    def _fetch(self, http: SourceClient, after: int) -> Page:
        return parse(http.get_json(FEED_PATH, {"_after": after, "_count": self.page_size}))

    def follow(self, every_s: float, stop: threading.Event,
               report: Callable[[RunReport], None] = lambda _r: None) -> None:
        """Catch up every ``every_s`` seconds until ``stop`` is set; a failed run is reported
        and tried again at the next interval, doubled after each failure (at most 10×)."""
        failures = 0
        while not stop.is_set():
            done = self.catch_up()
            report(done)
            failures = failures + 1 if done.error else 0
            stop.wait(every_s * min(2 ** failures, 10) if failures else every_s)
