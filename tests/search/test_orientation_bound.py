"""Ranking reads the places of the candidates that can still enter the first results only:
the same first results as ranking every candidate, on random candidates."""

from __future__ import annotations

import random
from typing import Any

import pytest

from openror.search.orientation.model import Candidate, Need
from openror.search.orientation.rank import best, rank
from tests.capacity.feed_fixture import available


def _place(rng: random.Random, rid: str) -> dict[str, Any]:
    body: dict[str, Any] = {"resourceType": "Location", "id": rid, "extension": []}
    kind = rng.choice(["none", "some", "zero"])
    if kind != "none":
        body["extension"].append(available(0 if kind == "zero" else rng.randint(1, 9)))
    return body


def _world(seed: int, n: int) -> tuple[list[Candidate], dict[str, list[dict[str, Any]]]]:
    rng = random.Random(seed)
    names = ["Kinésithérapie pédiatrique", "Cabinet de kinésithérapie", "Centre pédiatrique"]
    spread = rng.choice([1.0, 5.0, 30.0])  # close together: many are read, in several reads
    found = [Candidate(f"o{k:03}", {"name": rng.choice(names)},
                       round(rng.uniform(0, spread), rng.choice([0, 1, 3])))
             for k in range(n)]
    return found, {c.id: [_place(rng, f"p{c.id}")] for c in found}


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("count", [1, 3, 10])
def test_the_first_results_are_those_of_the_full_ranking(seed: int, count: int) -> None:
    found, places = _world(seed, 120)
    need = Need(words=("pediatrique",)) if seed % 2 else Need()
    for c in found:
        c.places = places[c.id]
    full = rank(need, [(c, []) for c in found], 5.0)[:count]
    read: list[str] = []
    fresh, _ = _world(seed, 120)  # the same candidates, their places given once read

    def load_places(chunk: list[Candidate]) -> None:
        read.extend(c.id for c in chunk)
        for c in chunk:
            c.places = places[c.id]

    bounded = best(need, [(c, []) for c in fresh], 5.0, count, load_places)[:count]
    assert [(r.candidate.id, r.score) for r in bounded] == \
        [(r.candidate.id, r.score) for r in full]
    assert len(set(read)) == len(read)  # no candidate read twice


def test_far_candidates_places_are_not_read() -> None:
    near = [Candidate(f"near{k}", {}, 0.1 * k, []) for k in range(20)]
    far = [Candidate(f"far{k}", {}, 100.0 + k, []) for k in range(50)]
    read: list[str] = []

    def load_places(chunk: list[Candidate]) -> None:
        read.extend(c.id for c in chunk)
        for c in chunk:
            c.places = [{"resourceType": "Location", "id": f"p{c.id}",
                         "extension": [available(2)]}]

    ranked = best(Need(), [(c, []) for c in near + far], 5.0, 3, load_places)
    assert [r.candidate.id for r in ranked[:3]] == ["near0", "near1", "near2"]
    assert not any(r.startswith("far") for r in read)
