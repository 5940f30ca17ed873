"""Exception hierarchy and its mapping to OperationOutcome (API) and one-line messages (CLI).

Every error a user can cause is an :class:`OpenRORError` carrying one or more :class:`Issue`.
The API turns it into an OperationOutcome with the error's HTTP status; the CLI prints
its first issue on one line and exits non-zero. Anything else is a bug and is reported as a
500 without details.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["fatal", "error", "warning", "information"]


@dataclass(frozen=True)
class Issue:
    """One OperationOutcome issue: what is wrong, where (FHIRPath), and how to fix it."""

    severity: Severity
    code: str  # FHIR issue-type code: invalid, structure, required, value, code-invalid, ...
    diagnostics: str
    expression: tuple[str, ...] = ()

    def to_fhir(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "diagnostics": fhir_string(self.diagnostics),
        }
        if self.expression:
            out["expression"] = [fhir_string(e) for e in self.expression]
        return out

    @property
    def is_error(self) -> bool:
        return self.severity in ("fatal", "error")


def error(code: str, diagnostics: str, *expression: str) -> Issue:
    return Issue("error", code, diagnostics, tuple(expression))


def warning(code: str, diagnostics: str, *expression: str) -> Issue:
    return Issue("warning", code, diagnostics, tuple(expression))


@dataclass
class OpenRORError(Exception):
    """Base of every error a caller can cause. ``status`` is the HTTP status."""

    issues: Sequence[Issue]
    status: int = 400
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def message(self) -> str:
        first = self.issues[0] if self.issues else None
        if first is None:
            return "error"
        where = f" ({', '.join(first.expression)})" if first.expression else ""
        return f"{first.diagnostics}{where}"

    @classmethod
    def of(cls, code: str, diagnostics: str, *expression: str) -> OpenRORError:
        return cls([error(code, diagnostics, *expression)])


class InvalidInput(OpenRORError):
    """400: the request or resource is malformed or breaks a profile rule."""


class Unauthorized(OpenRORError):
    """401: no credentials where they are needed, or credentials that are not (any longer)
    valid. ``token_error`` is the RFC 6750 error code of the challenge (``invalid_token``,
    ``invalid_request``), none when the request simply carried no credentials."""

    def __init__(self, issues: Sequence[Issue], token_error: str | None = None) -> None:
        challenge = 'Bearer realm="openror"'
        if token_error:
            challenge += f', error="{token_error}"'
        super().__init__(issues, 401, {"WWW-Authenticate": challenge})


class TooManyRequests(OpenRORError):
    """429: the caller sent more requests than its rate allows; ``Retry-After`` says when to
    try again."""

    def __init__(self, issues: Sequence[Issue], retry_after_s: int) -> None:
        super().__init__(issues, 429, {"Retry-After": str(retry_after_s)})


class Forbidden(OpenRORError):
    """403: the caller is known but lacks the right the request needs."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__(issues, 403)


class NotFound(OpenRORError):
    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__(issues, 404)


class Gone(OpenRORError):
    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__(issues, 410)


class Conflict(OpenRORError):
    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__(issues, 409)


class PreconditionFailed(OpenRORError):
    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__(issues, 412)


class UnsupportedMediaType(OpenRORError):
    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__(issues, 415)


class Unprocessable(OpenRORError):
    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__(issues, 422)


class MethodNotAllowed(OpenRORError):
    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__(issues, 405)


class ValidationFailed(InvalidInput):
    """400 raised by validation; keeps the warnings so they can be shown too."""


def raise_if_errors(issues: Iterable[Issue]) -> list[Issue]:
    """Raise :class:`ValidationFailed` if any issue is an error; return the issues otherwise."""
    found = list(issues)
    if any(i.is_error for i in found):
        ordered = sorted(found, key=lambda i: not i.is_error)
        raise ValidationFailed(ordered)
    return found


def fhir_string(text: str) -> str:
    """``text`` as a valid FHIR string: messages echo what a client sent, which may hold
    control characters or odd spaces that FHIR strings may not (each becomes U+FFFD)."""
    if text.isprintable():
        return text
    return "".join(c if c in " \r\n\t" or c.isprintable() else "\ufffd" for c in text)


def operation_outcome(issues: Iterable[Issue], request_id: str | None = None) -> dict[str, Any]:
    """Build an OperationOutcome; the request id lets an operator find the matching log line."""
    body: dict[str, Any] = {
        "resourceType": "OperationOutcome",
        "issue": [i.to_fhir() for i in issues],
    }
    if not body["issue"]:
        body["issue"] = [{"severity": "information", "code": "informational", "diagnostics": "ok"}]
    if request_id:
        body["id"] = request_id
        body["extension"] = [
            {"url": "https://openror.org/fhir/StructureDefinition/request-id",
             "valueString": request_id}
        ]
    return body
