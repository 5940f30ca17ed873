"""Server-rendered French pages: one Jinja2 environment (autoescaped), the layout's
context (the person, the CSRF token of their session), and redirects."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from openror.access.caller import ANONYMOUS, Caller


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("openror.web", "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["nombre"] = lambda n: "—" if n is None else f"{n:,}".replace(",", "\u202f")
    return env


#: pages load their own stylesheet and post their forms to this site only; same-origin
#: referrers, because with none Chromium sends ``Origin: null`` with a form, which the login
#: check refuses (api.people_http.check_origin)
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "same-origin",
}


def caller_of(request: Request) -> Caller:
    found: Caller = getattr(request.state, "caller", ANONYMOUS)
    return found


def page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    caller = caller_of(request)
    html = environment().get_template(template).render(
        person=None if caller == ANONYMOUS else caller,
        csrf=getattr(request.state, "csrf_token", ""), path=request.url.path, **context)
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def to_login(request: Request) -> Response:
    """Anonymous visitors of a page are sent to log in, then brought back."""
    return RedirectResponse(f"/connexion?suite={request.url.path}", status_code=303)


def redirect(path: str) -> Response:
    return RedirectResponse(path, status_code=303)
