"""Stage 5, explain: why each result is there (criteria matched, distance, opening hours,
availability and its age), as structured fields and one French sentence; and why a named
offer is not there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openror.search.orientation.filters import Check
from openror.search.orientation.model import (
    Availability,
    Dropped,
    Json,
    Need,
    Ranked,
    french_km,
)

#: the hard criteria told in the sentence, in this order
HARD = ("age", "careMode", "expertise", "act", "public", "equipment")


def activities_matched(need: Need, offer: Json) -> list[str]:
    codes = {c.get("code") for cc in offer.get("specialty", []) for c in cc.get("coding", [])}
    return [a.label for a in need.activities if a.code in codes]


def explanation(need: Need, ranked: Ranked, passed: list[Check], now: datetime
                ) -> dict[str, Any]:
    offer = ranked.candidate.body
    criteria = [{"criterion": "activity", "text": label}
                for label in activities_matched(need, offer)]
    criteria += [{"criterion": c.criterion, "text": c.text} for c in passed
                 if c.criterion not in ("active", "closed", "openNow")]
    criteria += [{"criterion": "word", "text": w} for w in ranked.matched_words]
    if ranked.opening is not None:  # a hard criterion with openNow, else for information
        criteria.append({"criterion": "opening", "text": ranked.opening.text})
    parts = [", ".join(c["text"] for c in criteria if c["criterion"] == "activity")]
    if ranked.candidate.distance_km is not None:
        parts.append(f"à {french_km(ranked.candidate.distance_km)} km")
    parts += [c["text"] for c in criteria if c["criterion"] in HARD]
    if ranked.matched_words:
        parts.append(f"correspond à « {' '.join(ranked.matched_words)} »")
    if ranked.opening is not None:
        parts.append(ranked.opening.text)
    parts.append(availability_text(ranked.availability, now))
    return {"criteria": criteria, "distance_km": ranked.candidate.distance_km,
            "components": {"proximity": round(ranked.proximity, 4), "fit": round(ranked.fit, 4),
                           "availability": ranked.availability_score},
            "text": "; ".join(p for p in parts if p) + "."}


def availability_text(found: Availability, now: datetime) -> str:
    if found.available is None:
        return "disponibilité non renseignée"
    beds = f"{found.available} lit{'s' if found.available > 1 else ''} ou place" \
        f"{'s' if found.available > 1 else ''} disponible{'s' if found.available > 1 else ''}"
    if found.available == 0:
        beds = "aucun lit ni place disponible"
    age = f", mis à jour il y a {_age(now - found.updated)}" if found.updated else ""
    return beds + age + (" (donnée ancienne, à vérifier)" if found.stale else "")


@dataclass(frozen=True)
class WhyNot:
    offer_id: str
    stage: str  # "unknown", "analyse", "candidates", "filters", "rank", "returned"
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"id": self.offer_id, "stage": self.stage, "reason": self.reason}


def why_not_dropped(dropped: Dropped) -> WhyNot:
    return WhyNot(dropped.id, dropped.stage, f"écartée par un critère impératif "
                                             f"({dropped.criterion}) : {dropped.reason}")


def why_not_beyond(offer_id: str, position: int, count: int) -> WhyNot:
    return WhyNot(offer_id, "rank", f"classée {position}e, au-delà des {count} résultats "
                                    "demandés")


def _age(delta: Any) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // 1440} jours"
