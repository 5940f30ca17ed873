"""``GET /api/openapi.json``: the OpenAPI 3.1 description of the JSON API under ``/api/``
(``openapi.json`` next to this module, kept by hand). Served without authentication, like
``/fhir/metadata``: it is discovery, and says nothing about the data."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror import __version__

DOCUMENT = Path(__file__).with_name("openapi.json")
PATH = "/api/openapi.json"


@cache
def document() -> bytes:
    """The document, with the running version (the file need not follow releases)."""
    body = orjson.loads(DOCUMENT.read_bytes())
    body["info"]["version"] = __version__
    return orjson.dumps(body)


async def openapi(request: Request) -> Response:
    return Response(document(), media_type="application/json")


ROUTES = [Route(PATH.removeprefix("/api"), openapi, methods=["GET"])]
