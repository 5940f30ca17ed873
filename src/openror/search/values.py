"""Parse one search value by parameter type; a malformed value is a 400 that names the
parameter and the expected form."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from openror.errors import InvalidInput, error
from openror.fhir import search_values as sv
from openror.geo.current import current_gazetteer
from openror.search.model import (
    DateValue,
    Near,
    NumberValue,
    ReferenceValue,
    StringValue,
    TokenValue,
)

PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")
_PREFIXED = re.compile(r"^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(.*)$", re.S)
_REF_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_REF = re.compile(r"(?:^|/)([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$")
_DISTANCE_UNITS = {"km": 1.0, "m": 0.001, "[mi_i]": 1.609344, "mi": 1.609344}


def bad(name: str, value: str, expected: str) -> InvalidInput:
    return InvalidInput([error("invalid", f"search parameter '{name}': '{value}' is not "
                               f"valid; expected {expected}", name)])


def split_escaped(text: str, sep: str, keep: str = "") -> list[str]:
    r"""Split on ``sep`` except where escaped as ``\sep``; unescape, but for the characters
    of ``keep``, whose escapes stay for a later split (``\|`` in a token's value)."""
    parts, current, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current.append(text[i:i + 2] if text[i + 1] in keep else text[i + 1])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def token(name: str, text: str) -> TokenValue:
    parts = split_escaped(text, "|")
    if len(parts) == 1:
        if not text:
            raise bad(name, text, "[system|]code")
        return TokenValue(None, parts[0])
    if len(parts) != 2 or (not parts[0] and not parts[1]):
        raise bad(name, text, "code, system|code, |code or system|")
    return TokenValue(parts[0], parts[1] or None)


def of_type(name: str, text: str) -> TokenValue:
    parts = split_escaped(text, "|")
    if len(parts) != 3 or not all(parts):
        raise bad(name, text, "system|code|value (identifier type, then value)")
    return TokenValue(parts[0], f"{parts[1]}|{parts[2]}")


def string(name: str, text: str, modifier: str) -> StringValue:
    if not text:
        raise bad(name, text, "a non-empty text")
    return StringValue(text if modifier == "exact" else sv.normalize_text(text))


def date(name: str, text: str) -> DateValue:
    prefix, rest = _prefix(text)
    try:
        low, high = sv.date_range(rest)
    except sv.BadDate:
        raise bad(name, text, "[prefix]YYYY[-MM[-DD[Thh:mm[:ss][zone]]]], "
                  "e.g. ge2023-08-02") from None
    return DateValue(prefix, low, high)


def number(name: str, text: str) -> NumberValue:
    prefix, rest = _prefix(text)
    try:
        value = Decimal(rest)
        low, high = sv.implicit_range(rest)
    except (InvalidOperation, ValueError):
        raise bad(name, text, "[prefix]number, e.g. gt0") from None
    if not value.is_finite():
        raise bad(name, text, "[prefix]number, e.g. gt0")
    return NumberValue(prefix, value, low, high)


def quantity(name: str, text: str) -> NumberValue:
    parts = split_escaped(text, "|")
    if len(parts) not in (1, 3):
        raise bad(name, text, "[prefix]number[|system|code], e.g. ge200|"
                  "http://unitsofmeasure.org|kg")
    plain = number(name, parts[0])
    if len(parts) == 1 or (not parts[1] and not parts[2]):
        return plain
    system, unit = parts[1], parts[2]
    factor_value, canonical = sv.canonical_quantity(plain.value, system, unit)
    low, _ = sv.canonical_quantity(plain.low, system, unit)
    high, _ = sv.canonical_quantity(plain.high, system, unit)
    return NumberValue(plain.prefix, factor_value, low, high, system or None, canonical)


def reference(name: str, text: str, target: str | None) -> ReferenceValue:
    if _REF_ID.match(text):
        return ReferenceValue(target, text)
    m = _REF.search(text)
    if m is None:
        raise bad(name, text, "id, Type/id or an absolute URL ending in Type/id")
    return ReferenceValue(m.group(1), m.group(2))


def near(name: str, text: str) -> Near:
    parts = text.split("|")
    expected = "latitude|longitude|distance|unit, e.g. 47.218|-1.637|15|km"
    try:
        lat, lon = float(parts[0]), float(parts[1])
        km = _distance(parts[2:]) if len(parts) > 2 else 50.0
    except (ValueError, IndexError, KeyError):
        raise bad(name, text, expected) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or km < 0:
        raise bad(name, text, expected)
    return Near(lat, lon, km)


def near_insee(name: str, text: str) -> Near:
    parts = text.split("|")
    expected = "INSEE code|distance|unit, e.g. 44162|15|km"
    try:
        km = _distance(parts[1:]) if len(parts) > 1 else 50.0
    except (ValueError, KeyError):
        raise bad(name, text, expected) from None
    commune = current_gazetteer().current(parts[0])
    point = current_gazetteer().point(commune.code) if commune else None
    if point is None:
        raise bad(name, text, f"a known INSEE commune code ('{parts[0]}' is not one); "
                  f"{expected}")
    return Near(point[0], point[1], km)


def _distance(parts: list[str]) -> float:
    unit = parts[1] if len(parts) > 1 and parts[1] else "km"
    return float(parts[0]) * _DISTANCE_UNITS[unit]


def _prefix(text: str) -> tuple[str, str]:
    m = _PREFIXED.match(text)
    assert m is not None
    return m.group(1) or "eq", m.group(2)
