"""Chromium, Playwright and the live server work together, on each database."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from openror import __version__
from tests.conftest import LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_health_page_opens_in_the_browser(page: Page, live_server: LiveServer) -> None:
    response = page.goto(live_server.url + "/-/health")
    assert response is not None
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/json")
    # Chromium shows a JSON response as text in the page
    shown = json.loads(page.locator("body").inner_text())
    assert shown == {"status": "ok", "version": __version__,
                     "database": live_server.app.state.services.db.dialect}


def test_relative_urls_go_to_the_live_server_and_the_locale_is_french(page: Page) -> None:
    response = page.goto("/-/health")
    assert response is not None and response.ok
    assert page.evaluate("navigator.language") == "fr-FR"
