"""Stage 1, analyse: a need (free text and/or codes, age, sex…) and a location (address,
commune, postal code, name, or a point), as codes and a point.

Free text is normalised (case, accents, hyphens and apostrophes), then read left to right:
the longest phrase of ``synonyms.json`` found at a position gives its codes; the words no
phrase took, when no phrase gave an activity, are matched against the words of the NOS labels
of the operational activities. A phrase may give equipment (« lit bariatrique »), and a
weight written « 200 kg » is then the weight the equipment must bear. A typed word matches
a known word when equal or, for words of 5 letters or more, at a Damerau-Levenshtein
distance of 1 (one letter missing, extra, wrong or two letters swapped). Words nothing took
are kept as soft criteria (matched on offer names).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from openror.errors import InvalidInput, error
from openror.geo.current import current_gazetteer
from openror.geo.gazetteer import Gazetteer
from openror.geo.nearest import NearestPoints
from openror.search.orientation import params as given
from openror.search.orientation.address import find_commune
from openror.search.orientation.model import Coded, EquipmentNeed, Need, Where
from openror.search.orientation.params import codes, unique
from openror.terminology import default_terminology

ACTIVITIES = "JDV_J17"
CARE_MODES = "JDV_J19"
EXPERTISE = "JDV_J227"
PUBLICS = "JDV_J29"
SYNONYMS = Path(__file__).with_name("synonyms.json")
STOP_WORDS = frozenset({"a", "au", "aux", "avec", "d", "de", "des", "du", "en", "et", "l", "la",
                        "le", "les", "pour", "sur", "un", "une"})
TYPO_MIN_LENGTH = 5


def normalise(text: str) -> str:
    """« Maternité-Niveau 3 » -> "maternite niveau 3"."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = "".join(c if c.isalnum() else " " for c in text)
    return " ".join(text.split())


def within_one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance (adjacent swaps count one) of at most 1."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1:]


def same_word(typed: str, known: str) -> bool:
    if typed == known:
        return True
    return len(typed) >= TYPO_MIN_LENGTH and len(known) >= TYPO_MIN_LENGTH \
        and within_one_edit(typed, known)


@dataclass(frozen=True)
class _Entry:
    phrase: tuple[str, ...]
    activities: tuple[Coded, ...]
    care_modes: tuple[Coded, ...]
    expertise: tuple[Coded, ...]
    equipment: tuple[Coded, ...]


def _coded(found: dict[str, str]) -> tuple[Coded, ...]:
    return tuple(Coded(code, label) for code, label in found.items())


@cache
def synonym_entries() -> tuple[_Entry, ...]:
    """Every phrase of ``synonyms.json``, longest first."""
    data = json.loads(SYNONYMS.read_text(encoding="utf-8"))
    entries = [_Entry(tuple(normalise(p).split()), _coded(e.get("activity", {})),
                      _coded(e.get("careMode", {})), _coded(e.get("expertise", {})),
                      _coded(e.get("equipment", {})))
               for e in data["entries"] for p in e["phrases"]]
    return tuple(sorted(entries, key=lambda e: -len(e.phrase)))


@cache
def activity_words() -> tuple[tuple[Coded, frozenset[str]], ...]:
    """Each operational activity with the words of its label."""
    return tuple((Coded(c.code, c.display), frozenset(normalise(c.display).split()) - STOP_WORDS)
                 for c in default_terminology().expand(ACTIVITIES))


def _phrase_at(words: list[str], start: int) -> _Entry | None:
    for entry in synonym_entries():
        end = start + len(entry.phrase)
        if end <= len(words) and all(same_word(w, p) for w, p in
                                     zip(words[start:end], entry.phrase, strict=True)):
            return entry
    return None


def _by_labels(words: list[str]) -> tuple[Coded, ...]:
    """Activities whose label has every word (a typed word may be a label word's start)."""
    def has(label_words: frozenset[str], typed: str) -> bool:
        return any(same_word(typed, w) or (len(typed) >= 4 and w.startswith(typed))
                   for w in label_words)
    return tuple(coded for coded, label_words in activity_words()
                 if all(has(label_words, w) for w in words))


def read_text(text: str) -> Need:
    """The codes and soft words of a free-text need."""
    words = normalise(text).split()
    activities: list[Coded] = []
    care_modes: list[Coded] = []
    expertise: list[Coded] = []
    equipment: list[Coded] = []
    rest: list[str] = []
    i = 0
    while i < len(words):
        entry = _phrase_at(words, i)
        if entry is None:
            if words[i] not in STOP_WORDS:
                rest.append(words[i])
            i += 1
            continue
        activities += entry.activities
        care_modes += entry.care_modes
        expertise += entry.expertise
        equipment += entry.equipment
        i += len(entry.phrase)
    kg, rest = _weight(rest) if equipment else (None, rest)
    if not activities and rest:
        found = _by_labels(rest)
        if found:
            activities, rest = list(found), []
    return Need(unique(activities), unique(care_modes), unique(expertise), tuple(rest),
                equipment=EquipmentNeed(unique(equipment), kg) if equipment else None)


def _weight(words: list[str]) -> tuple[float | None, list[str]]:
    """« 200 kg » among the words: the weight, and the other words."""
    for i, word in enumerate(words):
        if word.endswith("kg") and word[:-2].isdigit():  # « 200kg »
            return float(word[:-2]), words[:i] + words[i + 1:]
        if word.isdigit() and words[i + 1:i + 2] == ["kg"]:
            return float(word), words[:i] + words[i + 2:]
    return None, words


def analyse_need(text: str | None, activity: str | None = None, care_mode: str | None = None,
                 age: str | None = None, sex: str | None = None, *, act: str | None = None,
                 public: str | None = None, equipment: str | None = None,
                 equipment_limit: str | None = None, open_now: str | None = None) -> Need:
    read = read_text(text or "")
    activities = unique([*codes(activity, ACTIVITIES, "activity"), *read.activities])
    kit = given.equipment(read.equipment, equipment, equipment_limit)
    if not activities and kit is None:
        raise InvalidInput([error("required", "say what is needed: q (free text the NOS "
                                  "activities understand), activity (TRE_R211 codes) or "
                                  "equipment (TRE_R212 codes)"
                                  + (f"; nothing matched '{text}'" if text else ""),
                                  "q" if text else "activity")])
    modes = unique([*codes(care_mode, CARE_MODES, "careMode"), *read.care_modes])
    return Need(activities, modes, read.expertise, read.words, given.age(age), given.sex(sex),
                acts=given.act_codes(act), publics=codes(public, PUBLICS, "public"),
                equipment=kit, open_now=given.flag(open_now, "openNow"))


def analyse_where(commune: str | None = None, postal_code: str | None = None,
                  lat: str | None = None, lon: str | None = None,
                  address: str | None = None) -> Where:
    """The patient's point and département, from one of: lat and lon, an address (its
    commune's centre), INSEE code or commune name, postal code."""
    gaz = current_gazetteer()
    if lat is not None or lon is not None:
        return _point(gaz, lat, lon)
    if address:
        return _address(gaz, address)
    if commune:
        return _commune(gaz, commune)
    if postal_code:
        served = gaz.by_postal_code(postal_code)
        if not served or served[0].lat is None or served[0].lon is None:
            raise InvalidInput([error("invalid", f"unknown postal code '{postal_code}'",
                                      "postalCode")])
        c = served[0]
        return Where(c.lat, c.lon, c.departement, f"{postal_code} {c.name}")  # type: ignore[arg-type]
    raise InvalidInput([error("required", "say where the patient is: address, commune (INSEE "
                              "code or name), postalCode, or lat and lon", "commune")])


def _commune(gaz: Gazetteer, raw: str) -> Where:
    found = gaz.current(raw) if raw[:2].isalnum() and raw[2:].isdigit() else None
    found = found or gaz.find(None, raw)
    point = gaz.point(found.code) if found else None
    if found is None or point is None:
        raise InvalidInput([error("invalid", f"unknown commune '{raw}': give its INSEE code "
                                  "or a name only one commune has", "commune")])
    return Where(point[0], point[1], found.departement, f"{found.name} ({found.code})")


def _address(gaz: Gazetteer, raw: str) -> Where:
    found, postal_code = find_commune(gaz, raw)
    point = gaz.point(found.code)
    if point is None:
        raise InvalidInput([error("invalid", f"address: the commune {found.name} has no known "
                                  "centre", "address")])
    shown = f"{postal_code} {found.name}" if postal_code else found.name
    return Where(point[0], point[1], found.departement, f"{shown} ({found.code})")


def _point(gaz: Gazetteer, lat: str | None, lon: str | None) -> Where:
    try:
        y, x = float(lat or "nan"), float(lon or "nan")
    except ValueError:
        y = x = float("nan")
    if not (-90 <= y <= 90):
        raise InvalidInput([error("invalid", "lat is a WGS84 latitude in degrees", "lat")])
    if not (-180 <= x <= 180):
        raise InvalidInput([error("invalid", "lon is a WGS84 longitude in degrees", "lon")])
    return Where(y, x, nearest_departement(gaz, y, x), f"{y:.5f}, {x:.5f}")


def nearest_departement(gaz: Gazetteer, lat: float, lon: float) -> str | None:
    """The département of the commune whose centre is nearest."""
    return _centres(gaz).nearest(lat, lon)


@cache
def _centres(gaz: Gazetteer) -> NearestPoints[str]:
    return NearestPoints((c.lat, c.lon, c.departement) for c in gaz.communes()
                         if c.is_current and c.lat is not None and c.lon is not None)
