"""The establishment referent's editor, under ``/etablissement``: the tree of a legal
entity, its sites and internal units with their offers and places; offers and places
created, edited, duplicated and closed through the write path as the person, each edit
protected by the version it was read at; the change log of every object."""

from __future__ import annotations

from starlette.routing import BaseRoute

from openror.web.editor import close_pages, offer_pages, org_pages, place_pages, tree_pages

ROUTES: list[BaseRoute] = [*tree_pages.ROUTES, *close_pages.ROUTES, *offer_pages.ROUTES,
                           *place_pages.ROUTES, *org_pages.ROUTES]
