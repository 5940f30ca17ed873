"""The mixed workload of bench/load_mixed.py, for locust (run in its own virtual environment,
.cache/locust, by bench/setup.sh: this file speaks HTTP only and imports nothing of OpenROR).

Each simulated user is an information system of profile 1 that searches the directory, reads
resources, asks for orientations and feeds bed availability, with a short pause between
requests. What is sent is in the plan (JSON, ``LOAD_PLAN``) that bench/load_plan.py drew from
the database; every request is recorded (start, kind, milliseconds, error) and written as JSON
to ``LOAD_RESULTS`` when locust stops, with the start of each orientation that answered with
the offers found before its time ran out (``search.cut_short``: a 200, but not every radius).
"""

from __future__ import annotations

import json
import os
import random
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
HEADERS = {"Authorization": f"Bearer {PLAN['token']}", "Accept": "application/fhir+json"}
PATCH_HEADERS = {**HEADERS, "Content-Type": "application/fhir+json"}
RECORDED: list[tuple[float, str, float, str]] = []  # start (s), kind, ms, error ('' if none)
CUT_SHORT: list[float] = []  # start (s) of the orientations cut short


@events.request.add_listener
def record(request_type: str, name: str, response_time: float, response_length: int,
           exception: BaseException | None, start_time: float, **_: Any) -> None:
    RECORDED.append((start_time, name, response_time,
                     "" if exception is None else f"{type(exception).__name__}: {exception}"))


@events.quitting.add_listener
def write_results(**_: Any) -> None:
    Path(os.environ["LOAD_RESULTS"]).write_text(
        json.dumps({"requests": RECORDED, "cut_short": CUT_SHORT}), encoding="utf-8")


def feed_body(target: dict[str, Any], count: int) -> str:
    """Replace one "available" indicator with a new count, dated now: the ROR's
    ``patch-capacitaire`` shape, as bench/capacity_feed.py ``feed_body`` builds it."""
    record = dict(target["record"])
    parts = [p for p in record["extension"]
             if p.get("url") not in ("nbCapacity", "capacityUpdateDate")]
    parts.insert(3, {"url": "nbCapacity", "valueInteger": count})
    parts.append({"url": "capacityUpdateDate",
                  "valueDateTime": datetime.now(UTC).isoformat(timespec="microseconds")})
    record["extension"] = parts
    return json.dumps({"resourceType": "Parameters", "parameter": [
        {"name": "operation", "part": [
            {"name": "type", "valueString": "replace"},
            {"name": "path", "valueString": target["indicator"]},
            {"name": "value", "part": [{"extension": [record]}]}]}]})


class InformationSystem(FastHttpUser):
    wait_time = between(0.2, 1.0)

    def get(self, path: str, kind: str) -> Any:
        with self.client.get(path, name=kind, headers=HEADERS, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code}: {(answer.text or '')[:200]}")
                return None
            return answer.json()

    @task(10)
    def search_activity_with_includes(self) -> None:
        self.get(random.choice(PLAN["searches"]["activity"]),
                 "search: activity + _include organization, location")

    @task(10)
    def search_near_a_point(self) -> None:
        self.get(random.choice(PLAN["searches"]["near"]), "search: activity near a point, 20 km")

    @task(8)
    def search_commune(self) -> None:
        self.get(random.choice(PLAN["searches"]["commune"]), "search: offers in a commune")

    @task(5)
    def search_and_next_page(self) -> None:
        bundle = self.get(random.choice(PLAN["searches"]["paged"]),
                          "search: activity, first page")
        following = [link["url"] for link in (bundle or {}).get("link", [])
                     if link.get("relation") == "next"]
        if following:
            self.get(following[0], "search: next page")

    @task(25)
    def read_by_id(self) -> None:
        self.get(random.choice(PLAN["reads"]), "read by id")

    @task(12)
    def orientation(self) -> None:
        start = time.time()
        answer = self.get(random.choice(PLAN["orientations"]), "orientation (/api/orientation)")
        if (answer or {}).get("search", {}).get("cut_short"):
            CUT_SHORT.append(start)

    @task(20)
    def capacity_update(self) -> None:
        target = random.choice(PLAN["feed"])
        body = feed_body(target, random.randint(0, 30))
        with self.client.request("PATCH", target["path"], name="capacity update (feed PATCH)",
                                 headers=PATCH_HEADERS, data=body,
                                 catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code}: {(answer.text or '')[:200]}")
