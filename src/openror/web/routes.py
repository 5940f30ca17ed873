"""Every page of the French web UI, and its static files."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from openror.web import (
    alerts_pages,
    dashboard,
    editor,
    freshness_pages,
    home,
    inbox_pages,
    login_pages,
    orientation_pages,
    place_pages,
    quality_pages,
    site_capacities,
)
from openror.web.entry import routes as entry_routes

STATIC = Path(__file__).parent / "static"

ROUTES: list[BaseRoute] = [
    *home.ROUTES,
    *login_pages.ROUTES,
    *alerts_pages.ROUTES,
    *site_capacities.ROUTES,
    *dashboard.ROUTES,
    *place_pages.ROUTES,
    *freshness_pages.ROUTES,
    *quality_pages.ROUTES,
    *inbox_pages.ROUTES,
    *orientation_pages.ROUTES,
    *entry_routes.ROUTES,
    *editor.ROUTES,
    Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
]
