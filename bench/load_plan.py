"""What bench/load_mixed.py's load sends, drawn from the database it serves: the plan that
bench/locustfile.py reads (JSON: plain paths, query strings and capacity records, so that the
locustfile needs nothing but HTTP).

Values are sampled at random with a fixed seed from what the data holds: the most offered
activities, communes that have places, points where places are, ids of every kind of
resource, "available" indicators of hospital units fed by bed-management software.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.capacity_feed import FEED, place_targets  # noqa: E402
from bench.http_core import BenchError  # noqa: E402
from bench.orientation_national import ACTIVITY_SYSTEM, TEXTS  # noqa: E402
from bench.search_national import Picker  # noqa: E402

READ_TYPES = ("HealthcareService", "Location", "Organization", "Practitioner")
INCLUDES = [("_include", "HealthcareService:organization"),
            ("_include", "HealthcareService:location")]
PAGE = "20"


def _sample(rng: random.Random, values: list[Any], n: int) -> list[Any]:
    return rng.sample(values, min(n, len(values)))


def _column(conn: sa.Connection, sql: str, **params: Any) -> list[Any]:
    return [row[0] for row in conn.execute(sa.text(sql), params)]


def _searches(p: Picker, rng: random.Random, activities: list[str], communes: list[str]
              ) -> dict[str, list[str]]:
    points = _sample(rng, p.rows("SELECT lat, lon FROM search_geo WHERE type = 'Location'"), 50)
    offers = "/fhir/HealthcareService?"
    return {
        "activity": [offers + urlencode([("specialty", a), *INCLUDES, ("_count", PAGE)])
                     for a in activities],
        "near": [offers + urlencode([("specialty", a), ("location.near", f"{lat}|{lon}|20|km"),
                                     ("_count", PAGE)])
                 for a, (lat, lon) in zip(rng.choices(activities, k=len(points)), points,
                                          strict=True)],
        "commune": [offers + urlencode([("location.commune-cog", c), ("_count", PAGE)])
                    for c in communes],
        # the first page of a large result, whose next link the user follows
        "paged": [offers + urlencode([("specialty", a), ("_count", PAGE)]) for a in activities],
    }


def _orientations(activities: list[str], communes: list[str], rng: random.Random) -> list[str]:
    codes = [a.split("|", 1)[1] for a in activities if a.startswith(ACTIVITY_SYSTEM + "|")]
    asked = [{"q": text, "commune": c} for text in TEXTS for c in _sample(rng, communes, 4)]
    asked += [{"activity": code, "age": str(rng.randint(1, 90)), "commune": rng.choice(communes)}
              for code in codes]
    return ["/api/orientation?" + urlencode(params) for params in asked]


def _feed(conn: sa.Connection, rng: random.Random, places: int) -> list[dict[str, Any]]:
    """Capacity records of ``places`` hospital units (identifier ``1<FINESS>/UF<n>``)."""
    units = conn.execute(sa.text(
        "SELECT code, id FROM search_token WHERE type = 'Location' AND param = 'identifier' "
        "AND code LIKE '1%/UF%'")).all()
    feed = []
    for identifier, place in _sample(rng, [tuple(u) for u in units], places):
        content = conn.execute(sa.text("SELECT content FROM resource WHERE type = 'Location' "
                                       "AND id = :i"), {"i": place}).scalar_one()
        for target in place_targets(identifier, place, bytes(content)):
            feed.append({"path": f"{FEED}?{urlencode({'identifier': target.identifier})}",
                         "indicator": target.path, "record": orjson.loads(target.record)})
    return feed


def build_plan(url: str, token: str, seed: int = 1, feed_places: int = 500) -> dict[str, Any]:
    """The plan for a server of the database at ``url``, its requests sent with ``token``."""
    rng = random.Random(seed)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        p = Picker(conn)
        activities = p.tokens("HealthcareService", "specialty", 12)
        communes = [c.split("|")[-1] for c in p.tokens("Location", "commune-cog", 40)]
        reads = [f"/fhir/{rtype}/{rid}" for rtype in READ_TYPES for rid in _sample(
            rng, _column(conn, "SELECT id FROM resource WHERE type = :t AND NOT deleted",
                         t=rtype), 300)]
        searches = _searches(p, rng, activities, communes)
        drawn = {"reads": reads, "orientations": _orientations(activities, communes, rng),
                 "feed": _feed(conn, rng, feed_places)}
    engine.dispose()
    empty = [name for name, values in [*searches.items(), *drawn.items()] if not values]
    if empty:
        raise BenchError(f"the database holds nothing to draw {', '.join(empty)} from: is the "
                         "national dataset imported?")
    return {"token": token, "searches": searches, **drawn}
