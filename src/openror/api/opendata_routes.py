"""The open-data publication, read-only and for anyone (no token needed, as it is what access
profile 0 reads): ``GET /opendata/`` (its manifest) and ``GET /opendata/<file>``, served from
``OPENROR_OPENDATA_DIR/current`` when that setting is set (docs/admin/opendata.md)."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from openror.errors import NotFound, error
from openror.services.container import Services
from openror.sync.opendata import CURRENT

#: the names a publication holds (sync.opendata): nothing else is ever served
_NAME = re.compile(r"^(?:[A-Za-z]+(?:-\d{3}\.ndjson|\.csv)|manifest\.json|README\.md)$")
_MEDIA = {".ndjson": "application/fhir+ndjson", ".csv": "text/csv; charset=utf-8",
          ".json": "application/json", ".md": "text/markdown; charset=utf-8"}


def _publication(request: Request) -> Path:
    """The current publication's directory, resolved once: a request is served from one
    publication even if a new one replaces it meanwhile (the previous one is kept)."""
    services: Services = request.app.state.services
    configured = services.settings.opendata_dir
    current = Path(configured) / CURRENT if configured else None
    if current is None or not current.is_dir():
        raise NotFound([error("not-found", "no open-data publication is served here")])
    return current.resolve()


async def manifest(request: Request) -> Response:
    return await _file(request, "manifest.json")


async def published(request: Request) -> Response:
    return await _file(request, request.path_params["name"])


async def _file(request: Request, name: str) -> Response:
    path = _publication(request) / name
    if not _NAME.match(name) or not path.is_file():
        raise NotFound([error("not-found", f"the open-data publication has no file {name!r}; "
                              "its manifest (GET /opendata/) lists them")])
    return FileResponse(path, media_type=_MEDIA[path.suffix])


ROUTES = [
    Route("/", manifest, methods=["GET"]),
    Route("/{name}", published, methods=["GET"]),
]
