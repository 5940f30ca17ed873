"""HTML forms: the CSRF field every unsafe form carries, checked before anything is read.

A session's CSRF token travels in the hidden field ``csrf`` of each form the layout draws;
a cross-site page can make the browser post to us with the cookie, but cannot read the
token. The authentication middleware leaves it on the request for this check."""

from __future__ import annotations

import hmac

from starlette.requests import Request

from openror.api.people_http import read_form
from openror.errors import Forbidden, error


async def checked_form(request: Request) -> dict[str, str]:
    """The posted form (application/x-www-form-urlencoded), once its CSRF field is right."""
    form = await read_form(request)
    expected = getattr(request.state, "csrf_token", None)
    sent = form.get("csrf")
    if not expected or not isinstance(sent, str) \
            or not hmac.compare_digest(sent.encode(), str(expected).encode()):
        raise Forbidden([error("forbidden", "Le formulaire a expiré : rechargez la page et "
                               "recommencez.")])
    return form
