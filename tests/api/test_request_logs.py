"""Structured JSON logs: every line written while a request is answered carries its request
id, including lines written from the thread pool the routes hand their database work to;
the access line names the route template and the caller (its id, never its token)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import httpx
import orjson
import pytest
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from openror.config import Settings
from openror.logs import JsonFormatter
from tests.conftest import LiveServer


def _access(lines: Lines) -> list[dict[str, object]]:
    return [line for line in lines.lines if line["logger"] == "openror.access"]


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(orjson.loads(self.format(record)))


async def logs_from_a_thread(_request: Request) -> Response:
    def work() -> None:
        logging.getLogger("openror.test").warning("written from a worker thread")

    await run_in_threadpool(work)
    return PlainTextResponse("ok")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from openror.store.database import Database
    from openror.store.migrate import upgrade

    data = tmp_path_factory.mktemp("data")
    url = f"sqlite:///{data / 'logs.sqlite'}"
    db = Database(url)
    upgrade(db)
    db.dispose()
    with LiveServer(Settings(data_dir=data, database_url=url, log_level="INFO")) as live:
        live.app.router.routes.insert(0, Route("/test/thread-log", logs_from_a_thread))
        yield live


@pytest.fixture
def lines(server: LiveServer) -> Iterator[Lines]:
    handler = Lines()
    logger = logging.getLogger("openror")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def test_a_line_written_in_a_worker_thread_carries_the_request_id(
        server: LiveServer, lines: Lines) -> None:
    response = httpx.get(f"{server.url}/test/thread-log", headers={"X-Request-Id": "abc-123"})
    assert response.status_code == 200 and response.headers["x-request-id"] == "abc-123"
    written = [line for line in lines.lines if line["logger"] == "openror.test"]
    assert [line["request_id"] for line in written] == ["abc-123"]


def test_the_access_line_names_the_route_template_and_the_caller(
        server: LiveServer, lines: Lines) -> None:
    response = httpx.get(f"{server.url}/fhir/Location/some-place", headers=server.headers)
    assert response.status_code == 404
    # the access line is written once the answer is sent: the client may read it first, and
    # the line of the previous test's request may come in after it
    rid = response.headers["x-request-id"]

    def mine() -> list[dict[str, object]]:
        return [line for line in _access(lines) if line["request_id"] == rid]

    deadline = time.monotonic() + 10
    while not mine() and time.monotonic() < deadline:
        time.sleep(0.01)
    access = mine()
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == response.headers["x-request-id"]
    assert (line["route"], line["status"]) == ("/fhir/{type}/{id}", 404)
    assert line["caller"] == f"client:{server.client_id}"
    assert server.token not in orjson.dumps(line).decode()
