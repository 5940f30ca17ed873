"""NOS releases imported into this database (``openror import nos``), kept as JSON and stacked
on the bundled tables when the server starts."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import orjson
import sqlalchemy as sa

from openror.store.resources import utcnow
from openror.store.schema import nos_release
from openror.terminology import Association, Concept, Release, ValueSet


def _concepts(items: list[dict[str, Any]]) -> tuple[Concept, ...]:
    return tuple(Concept(**item) for item in items)


def release_to_json(release: Release) -> bytes:
    return orjson.dumps({
        "label": release.label,
        "value_sets": [asdict(vs) for vs in release.value_sets],
        "code_systems": {url: [asdict(c) for c in cs] for url, cs in release.code_systems.items()},
        "associations": [asdict(a) for a in release.associations],
        "complete_systems": list(release.complete_systems),
    })


def release_from_json(raw: bytes) -> Release:
    data = orjson.loads(raw)
    value_sets = tuple(
        ValueSet(vs["id"], vs["url"], vs["name"], vs["version"], tuple(vs["systems"]),
                 _concepts(vs["concepts"]))
        for vs in data["value_sets"]
    )
    associations = tuple(
        Association(a["name"], a["source_system"], a["target_system"],
                    tuple((p[0], p[1]) for p in a["pairs"]))
        for a in data["associations"]
    )
    code_systems = {url: _concepts(items) for url, items in data["code_systems"].items()}
    return Release(value_sets, code_systems, data["label"], associations,
                   tuple(data.get("complete_systems", ())))


def save(conn: sa.Connection, release: Release) -> None:
    conn.execute(nos_release.insert().values(
        label=release.label, loaded_at=utcnow(), content=release_to_json(release)))


def load_all(conn: sa.Connection) -> list[Release]:
    rows = conn.execute(sa.select(nos_release.c.content).order_by(nos_release.c.seq))
    return [release_from_json(content) for (content,) in rows]
