"""Browser tests: Debian's chromium driven by Playwright's sync API (never a browser that
Playwright downloads itself; scripts/install-chromium.sh installs the Debian package).

``browser`` is one headless Chromium per test module (xdist workers each launch their own), at
``OPENROR_CHROMIUM`` (default /usr/bin/chromium). When Playwright or Chromium is unavailable,
the tests that use it are skipped with the reason; ``OPENROR_REQUIRE_BROWSER=1`` makes that a
failure instead, for a CI that must run them. ``page`` is a page in a fresh browser context per
test, in French, whose relative URLs go to ``base_url``: the module's ``live_server`` (SQLite,
and PostgreSQL when OPENROR_TEST_POSTGRES_URL is set). A module serving another LiveServer
overrides the ``base_url`` fixture.

Why per module, not per session: while Playwright's sync API is started it marks its event
loop as running in the test thread between calls, so ``asyncio.run()`` in a later test of the
same worker would fail. Module fixtures are torn down before the next module's tests run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, NoReturn

import pytest

from tests.conftest import LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = os.environ.get("OPENROR_CHROMIUM", "/usr/bin/chromium")
#: default timeout of every page action and navigation, in milliseconds
TIMEOUT_MS = 10_000


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("OPENROR_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


def _launch_failure(exc: Exception) -> str:
    """The first line of Playwright's launch error, and how the browser process ended (the
    rest is the whole command line and call log)."""
    lines = str(exc).splitlines()
    ended = [line.strip(" -") for line in lines if "process did exit" in line]
    return "; ".join(lines[:1] + ended[-1:])


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (scripts/bootstrap.sh)")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"no Chromium at {CHROMIUM} (scripts/install-chromium.sh installs "
                     "Debian's chromium; OPENROR_CHROMIUM names another one)")
    try:
        playwright = sync_playwright().start()
    except Exception as exc:  # the driver is a Node.js program bundled with the package
        _unavailable(f"Playwright's driver did not start: {_launch_failure(exc)}")
    try:
        try:
            # chromium_sandbox=False (Playwright's default) passes --no-sandbox: Chromium's
            # sandbox refuses to run as root, and these tests only load loopback pages.
            launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                  chromium_sandbox=False)
        except Error as exc:
            _unavailable(f"Chromium at {CHROMIUM} did not start: {_launch_failure(exc)}")
        yield launched
        launched.close()
    finally:
        playwright.stop()


@pytest.fixture
def base_url(live_server: LiveServer) -> str:
    """Where the ``page`` fixture's relative URLs go."""
    return live_server.url


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies, no storage), French locale."""
    context = browser.new_context(base_url=base_url, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()
