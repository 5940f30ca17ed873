"""What every page handler shares: login required, errors shown as a French page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from openror.access.caller import ANONYMOUS
from openror.api.people_http import PeopleError
from openror.errors import OpenRORError
from openror.store.deadline import TimedOut
from openror.web.render import caller_of, page, to_login

Handler = Callable[[Request], Awaitable[Response]]

#: what a person is told, by HTTP status, when the server refuses (details follow)
_MEANING = {400: "Les données envoyées ne sont pas valides.",
            401: "Vous devez vous connecter.",
            403: "Vous n'avez pas le droit de faire cela.",
            404: "Cette page n'existe pas, ou vous n'avez pas le droit de la voir.",
            409: "Quelqu'un a modifié ces données en même temps que vous : rechargez la page.",
            412: "Quelqu'un a modifié ces données en même temps que vous : rechargez la page.",
            429: "Trop de demandes : patientez un instant.",
            503: "La recherche a pris trop de temps : précisez-la (moins de critères, "
                 "un rayon plus petit, un département) puis relancez-la."}


def error_page(request: Request, status: int, detail: str) -> Response:
    meaning = _MEANING.get(status, "Le serveur n'a pas pu répondre.")
    return page(request, "erreur.html", status, meaning=meaning, detail=detail)


def logged_in(handler: Handler) -> Handler:
    """A page for people who are logged in; errors become a French page, not JSON."""
    async def route(request: Request) -> Response:
        if caller_of(request) == ANONYMOUS:
            return to_login(request)
        try:
            return await handler(request)
        except TimedOut:
            return error_page(request, 503, "Le serveur a interrompu la recherche au bout "
                              "du temps permis pour une demande.")
        except OpenRORError as exc:
            return error_page(request, exc.status, exc.message)
        except PeopleError as exc:
            return error_page(request, exc.status, exc.message)
    return route
