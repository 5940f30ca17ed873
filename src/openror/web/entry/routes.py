"""The routes of the guided entry, all under ``/saisie``."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from openror.web.entry import finish, report_pages, start, steps

ROUTES: list[BaseRoute] = [
    Route("/saisie", start.home, methods=["GET"]),
    Route("/saisie/commencer", start.begin, methods=["POST"]),
    Route("/saisie/etape-{n}", steps.step_page, methods=["GET"]),
    Route("/saisie/etape-{n}", steps.step_save, methods=["POST"]),
    Route("/saisie/signaler", report_pages.signal, methods=["POST"]),
    Route("/saisie/appartenance", report_pages.declare, methods=["POST"]),
    Route("/saisie/valider", finish.validate, methods=["POST"]),
]
