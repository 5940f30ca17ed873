"""Which entry template applies to an offer: the active template whose use contexts match best.

The rules (docs/api/templates.md says the same for API users):

* Only ``active`` templates are candidates, and only within their ``effectivePeriod``.
* A context the template constrains (it has at least one value of that slice) and that the
  caller gives must match one of its values, or the template does not apply. A context the
  caller does not give (None) is not held against the template.
* Among the templates that apply, the one with the highest score wins: a matched ordinal
  specialty counts 8, a profession 4, a field of activity 2, an EG category 1 (the more
  specific a context, the more it says about the offer).
* Ties: the template with fewer EG categories (narrower), then the latest ``date``, then the
  highest business version, then the smallest id, so the answer never depends on the order
  of the rows.
* A template is chosen only when at least one given context matched: with nothing given, or
  nothing matching, the answer is None (the entry then shows the profile's own fields).

``fonctionLieu`` (place function) is not a criterion of ``choose``: it describes places, and
the guided entry describes offers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

import orjson
import sqlalchemy as sa

from openror.access.caller import SYSTEM, Caller
from openror.search.parse import parse_query
from openror.search.plan import statement
from openror.search.scope import searching_as
from openror.store.database import Database
from openror.store.resources import read_current
from openror.templates.model import Coded, Questionnaire

#: slice -> weight of a match (specific contexts first)
WEIGHTS = {"speOrdinal": 8, "typePS": 4, "champAct": 2, "catEG": 1}


def choose(source: Database | sa.Connection, category: str | None = None,
           profession: str | None = None, field: str | None = None,
           specialty: str | None = None, *, caller: Caller = SYSTEM,
           today: date | None = None) -> Questionnaire | None:
    """The template for an offer of an EG of ``category`` (JDV_J55, e.g. ``355`` or ``SA07``),
    described by a professional of ``profession`` (JDV_J229, e.g. ``10`` médecin) with the
    ordinal ``specialty`` (JDV_J210, e.g. ``SM54``), in the ``field`` of activity (JDV_J20,
    e.g. ``05`` ville). Each value is a code or ``system|code``."""
    ranked = rank(source, category, profession, field, specialty, caller=caller, today=today)
    return ranked[0] if ranked else None


def rank(source: Database | sa.Connection, category: str | None = None,
         profession: str | None = None, field: str | None = None,
         specialty: str | None = None, *, caller: Caller = SYSTEM,
         today: date | None = None) -> list[Questionnaire]:
    """Every template that applies, best first (``choose`` takes the first)."""
    given = {name: Coded.parse(value) for name, value in (
        ("catEG", category), ("typePS", profession), ("champAct", field),
        ("speOrdinal", specialty)) if value}
    if not given:
        return []
    found = _active(source, category, caller)
    day = (today or date.today()).isoformat()
    scored = [(score, q) for q in found if _in_period(q, day)
              if (score := _score(q, given)) is not None and score > 0]
    scored.sort(key=lambda pair: _order(pair[0], pair[1]))
    return [q for _, q in scored]


def _score(q: Questionnaire, given: dict[str, Coded]) -> int | None:
    """The weight of the matched contexts; None when a given context rules the template out."""
    contexts, score = q.contexts, 0
    for name, wanted in given.items():
        allowed = contexts.get(name)
        if not allowed:
            continue
        if not any(value.matches(wanted) for value in allowed):
            return None
        score += WEIGHTS[name]
    return score


def _order(score: int, q: Questionnaire) -> tuple[object, ...]:
    breadth = len(q.contexts.get("catEG", ()))
    return (-score, breadth, _descending(q.date), _descending_version(q.version), q.id)


def _descending(text: str) -> tuple[int, ...]:
    return (*(-ord(ch) for ch in text), 1)  # "" after every date


def _descending_version(version: str) -> tuple[tuple[int, object], ...]:
    """Numeric parts compare as numbers (``10`` after ``9``), descending."""
    parts = re.split(r"[.\-]", version) if version else []
    keys: list[tuple[int, object]] = [(0, -int(p)) if p.isdigit() else (1, _descending(p))
                                      for p in parts]
    return (*keys, (2, 0))


def _in_period(q: Questionnaire, day: str) -> bool:
    period = q.resource.get("effectivePeriod")
    if not isinstance(period, dict):
        return True
    start, end = str(period.get("start") or ""), str(period.get("end") or "")
    return (not start or start[:10] <= day) and (not end or day <= end[:10])


def stored(source: Database | sa.Connection, *, status: str | None = None,
           caller: Caller = SYSTEM) -> list[Questionnaire]:
    """The stored templates (of one ``status`` when given), by id."""
    found = _search(source, [("status", status)] if status else [], caller)
    return sorted(found, key=lambda q: q.id)


def _active(source: Database | sa.Connection, category: str | None,
            caller: Caller) -> list[Questionnaire]:
    """The active templates (those of the EG category when one is given), from the search
    index: a template holds 100 kB, so only the candidates are read."""
    pairs = [("status", "active")]
    if category:
        pairs.append(("category-eg", category))
    return _search(source, pairs, caller)


def _search(source: Database | sa.Connection, pairs: list[tuple[str, str]],
            caller: Caller) -> list[Questionnaire]:
    if isinstance(source, Database):
        with source.read() as conn:
            return _read(conn, pairs, caller)
    return _read(source, pairs, caller)


def _read(conn: sa.Connection, pairs: list[tuple[str, str]], caller: Caller
          ) -> list[Questionnaire]:
    with searching_as(caller):
        ids = [row[0] for row in conn.execute(statement(parse_query("Questionnaire", pairs)))]
    return list(_current(conn, ids))


def _current(conn: sa.Connection, ids: Iterable[str]) -> Iterable[Questionnaire]:
    for rid in ids:
        stored = read_current(conn, "Questionnaire", rid)
        if stored is not None and stored.content is not None:
            yield Questionnaire(rid, stored.version, orjson.loads(stored.content))
