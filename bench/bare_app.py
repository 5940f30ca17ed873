"""The ceiling of bench/http_core.py: a bare Starlette app returning fixed stored bytes.

One route, ``GET /fhir/{type}/{id}``, answers every path with the very bytes the real server
returned for one stored resource (file named by ``BENCH_BARE_BODY``), with the same media type
and the same ``ETag``/``Last-Modified`` values (JSON object in ``BENCH_BARE_HEADERS``). Nothing
else: no middleware, no database, no thread pool. Serve it with the same uvicorn as the server:

    python -m uvicorn bench.bare_app:create_app --factory --workers N --app-dir .
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

FHIR_JSON = "application/fhir+json"


def create_app() -> Starlette:
    body = Path(os.environ["BENCH_BARE_BODY"]).read_bytes()
    headers: dict[str, str] = json.loads(os.environ.get("BENCH_BARE_HEADERS", "{}"))

    async def stored(_request: Request) -> Response:
        return Response(body, 200, headers, media_type=FHIR_JSON)

    return Starlette(routes=[Route("/fhir/{type}/{id}", stored, methods=["GET"])])
