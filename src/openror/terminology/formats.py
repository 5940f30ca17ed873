"""Parsers for the NOS text formats: ``.tabs`` exports (JDV and ASS) and the ``;`` CSV lists.

Parsers return plain parsed records whose ``system`` fields still hold what the file wrote (an
OID, a NOS name or a URL); :mod:`openror.terminology.release` resolves them to canonical URLs.
Bad input raises :class:`~openror.errors.InvalidInput` naming the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass

from openror.errors import InvalidInput

from .model import Association

CSV_HEADER = ("system", "system_oid", "code", "display")


@dataclass(frozen=True, slots=True)
class ParsedConcept:
    system: str  # as written: OID, NOS name or URL
    code: str
    display: str
    retired: bool = False


@dataclass(frozen=True, slots=True)
class ParsedValueSet:
    name: str  # full NOS name ("JDV_J19-ModePriseEnCharge-ROR") or resource name
    url: str | None
    version: str
    systems: tuple[str, ...]  # as written, in order, including includes without concepts
    concepts: tuple[ParsedConcept, ...]


@dataclass(frozen=True, slots=True)
class ParsedCodeSystem:
    name: str
    url: str
    version: str
    concepts: tuple[ParsedConcept, ...]


Parsed = ParsedValueSet | ParsedCodeSystem | Association


def fail(source: str, diagnostics: str) -> InvalidInput:
    error = InvalidInput.of("invalid", f"{source}: {diagnostics}")
    assert isinstance(error, InvalidInput)
    return error


def decode(raw: bytes, source: str) -> str:
    """UTF-8 first (BOM tolerated), then ISO-8859-1, which NOS exports historically used."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("iso-8859-1")


def _fields(line: str, count: int, lineno: int, source: str) -> list[str]:
    # The last field (a label) may itself contain ';'.
    parts = line.split(";", count - 1)
    if len(parts) != count:
        raise fail(
            source, f"line {lineno}: expected {count} ';'-separated fields, found {len(parts)}"
        )
    return [p.strip() for p in parts]


def _lines(text: str) -> list[tuple[int, str]]:
    return [(n, line.rstrip("\r")) for n, line in enumerate(text.split("\n"), 1) if line.strip()]


def parse_tabs(text: str, source: str) -> ParsedValueSet | Association:
    """A NOS ``.tabs`` file: file header, value-set metadata, column header, then rows."""
    lines = _lines(text)
    if len(lines) < 3 or not lines[0][1].startswith("<OID>"):
        raise fail(source, "line 1: not a NOS .tabs file (expected a '<OID>;...' header)")
    lineno, meta_line = lines[1]
    meta = _fields(meta_line, 8, lineno, source)
    kind, name = meta[1], meta[2].removesuffix(".tabs")
    if kind == "ASS":
        return _association(name, lines[2:], source)
    if kind not in ("JDV", "TRE"):
        raise fail(source, f"line {lineno}: unknown file type {kind!r} (expected JDV, TRE or ASS)")
    _fields(lines[2][1], 3, lines[2][0], source)
    concepts = tuple(_tabs_concept(line, n, source) for n, line in lines[3:])
    systems = tuple(dict.fromkeys(c.system for c in concepts))
    return ParsedValueSet(name, meta[4] or None, meta[7], systems, concepts)


def _tabs_concept(line: str, lineno: int, source: str) -> ParsedConcept:
    oid, code, display = _fields(line, 3, lineno, source)
    if not oid or not code:
        raise fail(source, f"line {lineno}: empty OID or code")
    return ParsedConcept(oid, code, display)


def _association(name: str, lines: list[tuple[int, str]], source: str) -> Association:
    if not lines:
        raise fail(source, "line 3: missing the '<OID>;<OID>' header of the associated systems")
    lineno, header = lines[0]
    left, right = (f.strip("<>") for f in _fields(header, 2, lineno, source))
    pairs = tuple(tuple(_fields(line, 2, n, source)) for n, line in lines[1:])
    return Association(name, left, right, pairs)  # type: ignore[arg-type]


def parse_csv(text: str, source: str) -> tuple[ParsedConcept, ...]:
    """The ``system;system_oid;code;display`` lists; ``system`` is preferred over the OID."""
    lines = _lines(text)
    if not lines or tuple(_fields(lines[0][1], 4, lines[0][0], source)) != CSV_HEADER:
        raise fail(source, f"line 1: expected the header {';'.join(CSV_HEADER)!r}")
    return tuple(_csv_concept(line, n, source) for n, line in lines[1:])


def _csv_concept(line: str, lineno: int, source: str) -> ParsedConcept:
    system, oid, code, display = _fields(line, 4, lineno, source)
    if not code or not (system or oid):
        raise fail(source, f"line {lineno}: empty code or system")
    return ParsedConcept(system or oid, code, display)
