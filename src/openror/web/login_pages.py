"""Logging in and out through HTML forms (the JSON routes are api.login_routes)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.api import session_auth
from openror.api.login_routes import check_cookie_host
from openror.api.people_http import PeopleError, check_origin, read_form
from openror.errors import OpenRORError
from openror.services.container import Services
from openror.web.forms import checked_form
from openror.web.pages import error_page, logged_in
from openror.web.render import page, redirect


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _next(raw: str | None) -> str:
    """Where to go after logging in: a path of this site only (no open redirect)."""
    if raw and raw.startswith("/") and not raw.startswith("//"):
        return raw
    return "/"


async def login_form(request: Request) -> Response:
    return page(request, "connexion.html", suite=_next(request.query_params.get("suite")),
                login="", message=None)


async def login(request: Request) -> Response:
    try:
        check_origin(request)
        check_cookie_host(request)
        form = await read_form(request)
    except PeopleError as exc:
        return error_page(request, exc.status, exc.message)
    name, password = form.get("login", "").strip(), form.get("password", "")
    suite = _next(form.get("suite"))
    if not name or not password:
        return page(request, "connexion.html", 400, suite=suite, login=name,
                    message="Indiquez votre identifiant et votre mot de passe.")
    try:
        opened = await run_in_threadpool(_services(request).people.logins.login, name,
                                         password)
    except OpenRORError as exc:
        return page(request, "connexion.html", exc.status, suite=suite, login=name,
                    message=exc.message)
    response = redirect(suite)
    session_auth.set_session_cookie(response, _services(request).settings, opened)
    return response


@logged_in
async def logout(request: Request) -> Response:
    await checked_form(request)
    settings = _services(request).settings
    token = session_auth.cookies(request.scope).get(session_auth.cookie_name(settings))
    if token is not None:
        await run_in_threadpool(_services(request).people.sessions.close, token)
    response = redirect("/connexion")
    session_auth.clear_session_cookie(response, settings)
    return response


ROUTES = [Route("/connexion", login_form, methods=["GET"]),
          Route("/connexion", login, methods=["POST"]),
          Route("/deconnexion", logout, methods=["POST"])]
