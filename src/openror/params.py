"""Query parameters of the JSON API (``/api/…``) read the same way everywhere: a bad value is a
400 whose expression names the parameter."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from openror.errors import InvalidInput, error


def integer(params: Mapping[str, str], name: str, default: int, low: int,
            high: int | None) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        bound = f"{low} to {high}" if high is not None else f"at least {low}"
        raise InvalidInput([error("invalid", f"{name} must be a whole number, {bound}",
                                  name)])
    return int(raw)


def codes(raw: str | None) -> frozenset[str]:
    """A comma-separated list, blanks dropped."""
    return frozenset(c.strip() for c in (raw or "").split(",") if c.strip())


def refuse_unknown(params: Mapping[str, str], known: Iterable[str]) -> None:
    allowed = tuple(known)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise InvalidInput([error("not-supported", f"unknown parameter '{unknown[0]}': use "
                                  f"{', '.join(allowed)}", unknown[0])])
