"""The ceiling of bench/http_core.py: a bare Starlette app returning fixed stored bytes.

One route, ``GET /fhir/{type}/{id}``, answers every path with the very bytes the real server
returned for one stored resource (file named by ``BENCH_BARE_BODY``), with the same media type
and the same ``ETag``/``Last-Modified`` values (JSON object in ``BENCH_BARE_HEADERS``). Nothing
else: no middleware, no database, no thread pool. Serve it with the same uvicorn as the server:

    python -m uvicorn bench.bare_app:create_app --factory --workers N --app-dir .

or, with N > 1, ``python -m bench.bare_app HOST PORT N`` for the same with TCP_NODELAY kept.
"""

from __future__ import annotations

import json
import os
import socket
import sys
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


def serve_nodelay(host: str, port: int, workers: int) -> None:
    """uvicorn's multi-worker supervisor, but with a listener created with ``IPPROTO_TCP``.

    ``uvicorn --workers N`` binds its listener with protocol 0, so asyncio does not set
    ``TCP_NODELAY`` on accepted connections and each keep-alive response waits for the client's
    delayed ACK (~40 ms on Linux; uvicorn issue #3149). This shows the ceiling without that.
    """
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config("bench.bare_app:create_app", factory=True, host=host, port=port,
                            workers=workers, access_log=False, log_level="warning")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    Multiprocess(config, sockets=[sock]).run()


if __name__ == "__main__":
    serve_nodelay(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
