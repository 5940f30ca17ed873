"""The HTTP side of following a source: a token from its ``/auth/token`` (client
credentials, renewed when refused), GETs retried with backoff when the source is down,
restarting or cuts the connection, and one clear line when it still fails."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from openror.errors import OpenRORError, error
from openror.store.federation_sources import SourceRow

TIMEOUT = 60.0
#: statuses worth another attempt: the source is busy, restarting or behind a proxy that is
RETRIED = frozenset({429, 500, 502, 503, 504})


class SourceUnavailable(OpenRORError):
    """The source could not be reached or answered wrongly, after every attempt."""

    status = 502


@dataclass(frozen=True)
class _Outcome:
    body: Any  # None: failed
    failure: str
    final: bool = False  # not worth another attempt
    status: int = 0  # the HTTP status of a final failure


def _fail(source: str, what: str) -> SourceUnavailable:
    return SourceUnavailable([error("transient", f"source {source}: {what}")])


def read_secret(path: str, source: str) -> str:
    try:
        secret = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise _fail(source, f"cannot read the secret file {path}: "
                    f"{exc.strerror or exc}") from None
    if not secret:
        raise _fail(source, f"the secret file {path} is empty")
    return secret


class SourceClient:
    """One source's HTTP client. ``attempts``: tries per request before giving up;
    ``first_wait`` doubles at each retry, up to ``longest_wait`` seconds."""

    def __init__(self, row: SourceRow, *, attempts: int = 6, first_wait: float = 0.5,
                 longest_wait: float = 30.0, sleep: Callable[[float], None] = time.sleep,
                 timeout: float = TIMEOUT) -> None:
        self.row, self.attempts, self.sleep = row, attempts, sleep
        self.first_wait, self.longest_wait = first_wait, longest_wait
        cert = (row.cert_file, row.key_file) if row.cert_file and row.key_file else None
        self.http = httpx.Client(base_url=row.url.rstrip("/"), timeout=timeout, cert=cert,
                                 headers={"Accept": "application/fhir+json"})
        self.token: str | None = None
        self.requests = 0  # how many requests were sent (tests and benchmarks count them)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SourceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_json(self, path: str, params: dict[str, Any] | None = None, *,
                 missing_ok: bool = False) -> Any:
        """GET ``path`` (from the source's base) as JSON, retried with backoff.
        ``missing_ok``: None for a 404 or 410 instead of an error."""
        outcome = _Outcome(None, "not tried", final=True)
        for attempt in range(1, self.attempts + 1):
            outcome = self._try(path, params)
            if outcome.body is not None:
                return outcome.body
            if missing_ok and outcome.status in (404, 410):
                return None
            if outcome.final:
                break
            if attempt < self.attempts:
                self.sleep(min(self.first_wait * 2 ** (attempt - 1), self.longest_wait))
        raise _fail(self.row.name, outcome.failure)

    def get_optional(self, path: str) -> Any:
        """GET ``path`` as JSON; None when the source answers 404 or 410 (gone since)."""
        return self.get_json(path, missing_ok=True)

    def _try(self, path: str, params: dict[str, Any] | None) -> _Outcome:
        """One attempt: the decoded body, or why not and whether another attempt may do."""
        try:
            if self.token is None:
                self.token = self._token()
            answer = self._get(path, params)
            if answer.status_code == 401:  # expired, or the source's key changed
                self.token = self._token()
                answer = self._get(path, params)
        except SourceUnavailable as exc:
            return _Outcome(None, exc.message.split(": ", 1)[-1], final=True)
        except httpx.HTTPError as exc:
            return _Outcome(None, f"{type(exc).__name__} on {path}: "
                            f"{exc or 'connection lost'}")
        if answer.status_code in RETRIED:
            return _Outcome(None, f"HTTP {answer.status_code} on {path}")
        if answer.status_code != 200:
            return _Outcome(None, f"HTTP {answer.status_code} on {path}: "
                            f"{_diagnostics(answer)}", final=True, status=answer.status_code)
        try:
            return _Outcome(orjson.loads(answer.content), "")
        except orjson.JSONDecodeError:
            return _Outcome(None, f"an incomplete or invalid JSON answer on {path}")

    def _get(self, path: str, params: dict[str, Any] | None) -> httpx.Response:
        self.requests += 1
        return self.http.get(path, params=params,
                             headers={"Authorization": f"Bearer {self.token}"})

    def _token(self) -> str:
        secret = read_secret(self.row.secret_file, self.row.name)
        self.requests += 1
        answer = self.http.post("/auth/token", data={"grant_type": "client_credentials"},
                                auth=(self.row.client_id, secret))
        if answer.status_code in RETRIED:
            raise httpx.TransportError(f"HTTP {answer.status_code} from /auth/token")
        if answer.status_code != 200:
            raise _fail(self.row.name, f"the token endpoint refused client "
                        f"{self.row.client_id} (HTTP {answer.status_code}: "
                        f"{_diagnostics(answer)}); check --client and the secret file")
        return str(answer.json()["access_token"])


def _diagnostics(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:200]
    if isinstance(body, dict):
        if "error_description" in body:
            return str(body["error_description"])
        issues = body.get("issue") or []
        if issues and isinstance(issues[0], dict):
            return str(issues[0].get("diagnostics", ""))[:300]
    return str(body)[:200]
