"""Local accounts: POST /auth/login, /auth/logout, GET /auth/session, POST
/auth/password-reset and /auth/password-reset/confirm. Answers are JSON with messages in
French (the web UI will render them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.access.roles import label
from openror.api import session_auth
from openror.api.http import caller_of
from openror.api.people_http import PeopleError, answer, check_origin, read_form, required
from openror.errors import InvalidInput, OpenRORError, Unauthorized
from openror.services.container import Services
from openror.services.logins import LoginLocked
from openror.services.sessions import Opened

Handler = Callable[[Request], Awaitable[Response]]


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds") + "Z"


def people_route(handler: Handler) -> Handler:
    """Turn the errors of a route for people into their JSON answer."""
    async def route(request: Request) -> Response:
        try:
            return await handler(request)
        except PeopleError as exc:
            return exc.response()
        except LoginLocked as exc:
            return PeopleError.of(exc, "locked").response()
        except Unauthorized as exc:
            return PeopleError.of(exc, "invalid_credentials").response()
        except InvalidInput as exc:
            return PeopleError.of(exc, "invalid_request").response()
        except OpenRORError as exc:  # the identity provider is down, …
            return PeopleError.of(exc, "unavailable").response()
    return route


def opened_session(request: Request, opened: Opened, message: str,
                   status: int = 200) -> Response:
    body = {"message": message, "login": opened.login, "csrf_token": opened.csrf_token,
            "expires_at": _instant(opened.expires_at)}
    response = answer(body, status)
    session_auth.set_session_cookie(response, _services(request).settings, opened)
    return response


def check_cookie_host(request: Request) -> None:
    if not session_auth.host_allowed(_services(request).settings, request.scope):
        raise PeopleError("insecure", "Connexion impossible : sans cookies sécurisés "
                          "(OPENROR_COOKIE_SECURE=false), seule l'adresse 127.0.0.1 est "
                          "servie.", 403)


@people_route
async def login(request: Request) -> Response:
    check_origin(request)
    check_cookie_host(request)
    name, password = required(await read_form(request), "login", "password")
    logins = _services(request).people.logins
    opened = await run_in_threadpool(logins.login, name, password)
    return opened_session(request, opened, "Vous êtes connecté(e).")


@people_route
async def logout(request: Request) -> Response:
    settings = _services(request).settings
    token = session_auth.cookies(request.scope).get(session_auth.cookie_name(settings))
    if token is not None:  # the middleware checked the session and its CSRF token
        await run_in_threadpool(_services(request).people.sessions.close, token)
    response = answer({"message": "Vous êtes déconnecté(e)."})
    session_auth.clear_session_cookie(response, settings)
    return response


@people_route
async def session(request: Request) -> Response:
    """Who the session is, and its CSRF token (for a page that lost it)."""
    settings = _services(request).settings
    token = session_auth.cookies(request.scope).get(session_auth.cookie_name(settings))
    current = None if token is None else await run_in_threadpool(
        _services(request).people.sessions.current, token)
    if current is None:
        raise PeopleError("no_session", "Vous n'êtes pas connecté(e).", 401)
    caller = caller_of(request)
    return answer({"login": caller.actor.removeprefix("user:"),
                   "roles": [label(g) for g in caller.grants], "profile": caller.profile,
                   "regions": sorted(caller.regions), "csrf_token": current.csrf_token,
                   "expires_at": _instant(current.expires_at)})


RESET_SENT = ("Si un compte correspond, un message contenant un code de réinitialisation "
              "vient d'être envoyé à son adresse électronique.")


@people_route
async def password_reset(request: Request) -> Response:
    check_origin(request)
    [wanted] = required(await read_form(request), "login")
    await run_in_threadpool(_services(request).people.resets.request, wanted)
    return answer({"message": RESET_SENT}, 202)


@people_route
async def password_reset_confirm(request: Request) -> Response:
    check_origin(request)
    code, password = required(await read_form(request), "token", "password")
    try:
        await run_in_threadpool(_services(request).people.resets.confirm, code, password)
    except OpenRORError as exc:
        code_name = "invalid_token" if exc.issues[0].expression == ("token",) else \
            "weak_password"
        raise PeopleError.of(exc, code_name) from None
    return answer({"message": "Votre mot de passe a été changé : connectez-vous avec le "
                              "nouveau."})


ROUTES = [
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/session", session, methods=["GET"]),
    Route("/password-reset", password_reset, methods=["POST"]),
    Route("/password-reset/confirm", password_reset_confirm, methods=["POST"]),
]
