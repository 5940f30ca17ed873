"""OpenID Connect login (Pro Santé Connect): GET /auth/oidc/login sends the browser to the
provider; GET /auth/oidc/callback comes back with the code and opens a session. The
browser that started a login is bound to it by a cookie of its own, so that a callback URL
sent to someone else opens nothing (login CSRF)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from openror.api import session_auth
from openror.api.login_routes import check_cookie_host, opened_session, people_route
from openror.api.people_http import NO_STORE, PeopleError
from openror.config import Settings
from openror.errors import Forbidden, InvalidInput, OpenRORError
from openror.services.container import Services
from openror.services.oidc import OidcLogin

PENDING_S = 600
FAILED = ("La connexion par le fournisseur d'identité a échoué : recommencez-la, ou "
          "contactez l'administrateur si cela persiste.")


def _cookie(settings: Settings) -> str:
    return "__Host-openror-oidc" if settings.cookie_secure else "openror-oidc"


def _flow(request: Request) -> tuple[Services, OidcLogin]:
    services: Services = request.app.state.services
    if services.people.oidc is None:
        raise PeopleError("not_configured", "La connexion par Pro Santé Connect n'est pas "
                          "configurée sur ce serveur.", 404)
    return services, services.people.oidc


@people_route
async def login(request: Request) -> Response:
    services, flow = _flow(request)
    check_cookie_host(request)
    url, pending = await run_in_threadpool(flow.begin)
    response = RedirectResponse(url, 302, NO_STORE)
    response.set_cookie(_cookie(services.settings), pending.browser, max_age=PENDING_S,
                        path="/", secure=services.settings.cookie_secure, httponly=True,
                        samesite="lax")
    return response


@people_route
async def callback(request: Request) -> Response:
    services, flow = _flow(request)
    settings = services.settings
    params = request.query_params
    if "error" in params:
        raise PeopleError("access_denied", "Connexion refusée par le fournisseur "
                          f"d'identité ({params['error'][:100]}).", 401)
    if not params.get("state") or not params.get("code"):
        raise PeopleError("invalid_request", "Il manque le code ou l'état de la connexion.")
    browser = session_auth.cookies(request.scope).get(_cookie(settings))
    try:
        opened = await run_in_threadpool(flow.complete, params["state"], params["code"],
                                         browser)
    except (InvalidInput, Forbidden) as exc:  # messages for people already
        raise PeopleError.of(exc, "refused") from None
    except OpenRORError as exc:
        failed = PeopleError("refused", FAILED, exc.status)
        failed.detail = exc.message
        raise failed from None
    response = opened_session(request, opened, "Vous êtes connecté(e) par Pro Santé Connect.")
    response.delete_cookie(_cookie(settings), path="/", secure=settings.cookie_secure,
                           httponly=True, samesite="lax")
    return response


ROUTES = [
    Route("/oidc/login", login, methods=["GET"]),
    Route("/oidc/callback", callback, methods=["GET"]),
]
