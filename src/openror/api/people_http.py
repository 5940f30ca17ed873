"""HTTP plumbing of the routes people use to log in: forms, French JSON answers, and the
same-origin check of requests that have no session yet (CSRF on the login itself)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse

from openror.errors import OpenRORError

FORM = "application/x-www-form-urlencoded"
MAX_FORM = 8192
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class PeopleError(Exception):
    """An answer for people: ``{"error": code, "message": French text}``."""

    def __init__(self, code: str, message: str, status: int = 400,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
        self.headers = headers or {}
        self.detail: str | None = None  # for operators: what exactly went wrong (English)

    @classmethod
    def of(cls, exc: OpenRORError, code: str) -> PeopleError:
        kept = {k: v for k, v in exc.headers.items() if k == "Retry-After"}
        return cls(code, exc.message, exc.status, kept)

    def response(self) -> JSONResponse:
        body = {"error": self.code, "message": self.message}
        if self.detail:
            body["detail"] = self.detail
        return answer(body, self.status, self.headers)


def answer(body: dict[str, Any], status: int = 200,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status, {**NO_STORE, **(headers or {})})


async def read_form(request: Request) -> dict[str, str]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != FORM:
        raise PeopleError("invalid_request", f"Envoyez un formulaire ({FORM}).", 415)
    raw = await request.body()
    if len(raw) > MAX_FORM:
        raise PeopleError("invalid_request", "Le formulaire est trop long.", 413)
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise PeopleError("invalid_request", "Le formulaire n'est pas en UTF-8.") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise PeopleError("invalid_request", f"Le champ « {name} » est donné deux fois.")
        form[name] = value
    return form


def required(form: dict[str, str], *names: str) -> list[str]:
    missing = [name for name in names if not form.get(name)]
    if missing:
        raise PeopleError("invalid_request", "Champ(s) manquant(s) : " + ", ".join(missing)
                          + ".")
    return [form[name] for name in names]


def check_origin(request: Request) -> None:
    """A browser names the page that sent a cross-site form: refuse it (a login CSRF would
    log the victim into the attacker's account). No Origin: not a browser form."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    if origin == "null" or urlsplit(origin).netloc.lower() != request.url.netloc.lower():
        raise PeopleError("forbidden_origin", "Requête refusée : elle ne vient pas de ce "
                          "site.", 403)
