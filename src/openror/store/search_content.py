"""The words ``_content`` searches: names, aliases, descriptions and the labels of coded values.

Only what every access profile may see is indexed: the labels of acts and competences
(characteristic slices other than the public ones) and of equipment are left out, or a search
by words would reveal them to profiles that may not read them (``access.policy``).

Each word keeps the weight of the most telling place it appears in (a name outweighs a
description), which ranks the matches. Labels come from the NOS terminology, so « cardio »
finds an offer coded « Cardiologie » even when its coding carries no display.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from typing import Any

from openror.access.redact import public_characteristic
from openror.fhir.profiles import SD
from openror.fhir.search_paths import compile_path
from openror.fhir.search_values import words
from openror.terminology import default_terminology

NAME, ALIAS, LABEL, TEXT = 4, 3, 2, 1

#: short words that would match almost everything
STOPWORDS = frozenset({"de", "du", "des", "la", "le", "les", "l", "d", "et", "en", "au", "aux",
                       "a", "un", "une", "pour", "par", "sur"})

_PATIENT = f"extension.where(url = '{SD}ror-healthcareservice-patient-type')" \
    ".extension.where(url = 'supportedPatientInfo').value"

#: resource type -> (FHIRPath, weight, is a coded value)
FIELDS: dict[str, tuple[tuple[str, int, bool], ...]] = {
    "HealthcareService": (
        ("name", NAME, False), ("comment", TEXT, False), ("extraDetails", TEXT, False),
        ("category", LABEL, True), ("type", LABEL, True), ("specialty", LABEL, True),
        ("characteristic", LABEL, True), (_PATIENT, LABEL, True)),
    "Organization": (
        ("name", NAME, False), ("alias", ALIAS, False),
        (f"extension.where(url = '{SD}ror-organization-additional-name').value", ALIAS, False),
        ("type", LABEL, True)),
    "Location": (
        ("name", NAME, False), ("alias", ALIAS, False), ("description", TEXT, False),
        ("type", LABEL, True)),
    "Practitioner": (("name", NAME, False),),
    "PractitionerRole": (("code", LABEL, True), ("specialty", LABEL, True)),
    "Task": (("description", NAME, False), ("code", LABEL, True), ("note.text", TEXT, False)),
    "Questionnaire": (("title", NAME, False), ("name", ALIAS, False),
                      ("description", TEXT, False)),
}


def content_words(rtype: str, body: dict[str, Any]) -> dict[str, int]:
    """Word -> weight of the best place it was found in."""
    found: dict[str, int] = {}
    for expression, select, weight, coded in _fields(rtype):
        values = select(body)
        if expression == "characteristic":
            values = [v for v in values if public_characteristic(v)]
        for text in (_labels(values) if coded else _texts(values)):
            for word in _indexed_words(text):
                if found.get(word, 0) < weight:
                    found[word] = weight
    return found


@cache
def _fields(rtype: str) -> tuple[tuple[str, Callable[[Any], list[Any]], int, bool], ...]:
    """``FIELDS`` of ``rtype`` with their compiled paths."""
    return tuple((expression, compile_path(expression, rtype), weight, coded)
                 for expression, weight, coded in FIELDS.get(rtype, ()))


@lru_cache(maxsize=16384)
def _indexed_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` worth indexing (names and labels recur: remembered)."""
    return tuple(word for word in words(text)
                 if word not in STOPWORDS and 2 <= len(word) <= 64)


def _texts(values: list[Any]) -> Iterator[str]:
    for v in values:
        if isinstance(v, str):
            yield v
        elif isinstance(v, dict):  # HumanName
            yield from (p for k in ("text", "family", "given")
                        for p in ([v[k]] if isinstance(v.get(k), str) else v.get(k) or [])
                        if isinstance(p, str))


def _labels(values: list[Any]) -> Iterator[str]:
    terminology = default_terminology()
    for v in values:
        if not isinstance(v, dict):
            continue
        if isinstance(v.get("text"), str):
            yield v["text"]
        for c in v.get("coding") or []:
            if not isinstance(c, dict) or not isinstance(c.get("code"), str):
                continue
            label = terminology.display(str(c.get("system") or ""), c["code"])
            yield label or str(c.get("display") or "")
