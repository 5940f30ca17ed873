"""Opening hours of an offer (availableTime with the ROR extensions): open now and until
when, or closed and when it opens next, in the offer's local time, in French."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from openror.fhir.profiles import (
    EXT_DAYS_OF_WEEK,
    EXT_EFFECTIVE_DATES,
    EXT_TYPE_OF_TIME,
    TRE_R30_REGION,
)
from openror.search.orientation.hours import opening
from tests.builders import coding

#: Wednesday 25 November 2026, 10:00 in Paris (UTC+1)
WEDNESDAY_10 = datetime(2026, 11, 25, 9, 0)
WEDNESDAY_12_30 = datetime(2026, 11, 25, 11, 30)
WEDNESDAY_19 = datetime(2026, 11, 25, 18, 0)
WEDNESDAY_23 = datetime(2026, 11, 25, 22, 0)
FRIDAY_19 = datetime(2026, 11, 27, 18, 0)
#: Wednesday 15 July 2026, 09:00 in Paris (summer time, UTC+2)
JULY_9 = datetime(2026, 7, 15, 7, 0)


def slot(days: tuple[int, ...] | None, start: str | None, end: str | None, kind: str = "01",
         period: dict[str, str] | None = None, **native: Any) -> list[dict[str, Any]]:
    """One availableTime per day, as the ROR writes them (None: no day said)."""
    def one(day: int | None) -> dict[str, Any]:
        ext: list[dict[str, Any]] = [{"url": EXT_TYPE_OF_TIME,
                                      "valueCodeableConcept": coding("TRE_R252-TypeHoraire",
                                                                     kind)}]
        if day is not None:
            ext.append({"url": EXT_DAYS_OF_WEEK, "valueInteger": day})
        if period:
            ext.append({"url": EXT_EFFECTIVE_DATES, "valuePeriod": period})
        times = {k: v for k, v in (("availableStartTime", start), ("availableEndTime", end))
                 if v is not None}
        return {"extension": ext, **times, **native}
    return [one(d) for d in days] if days else [one(None)]


WEEKDAYS = (1, 2, 3, 4, 5)
EVERY_DAY = (1, 2, 3, 4, 5, 6, 7)

#: (available times, now, (open now, text, until or next opening as ISO))
CASES = [
    (slot(WEEKDAYS, "08:30:00", "18:00:00"), WEDNESDAY_10,
     (True, "ouvert jusqu'à 18 h", "2026-11-25T18:00:00+01:00")),
    (slot(WEEKDAYS, "08:30:00", "18:00:00"), WEDNESDAY_19,
     (False, "fermé, ouvre demain à 8 h 30", "2026-11-26T08:30:00+01:00")),
    (slot(WEEKDAYS, "08:30:00", "18:00:00"), FRIDAY_19,
     (False, "fermé, ouvre lundi à 8 h 30", "2026-11-30T08:30:00+01:00")),
    ([{"allDay": True}], WEDNESDAY_10, (True, "ouvert 24 h/24", None)),
    # the ROR's way of saying it: every day from 00:00 to 23:59
    (slot(EVERY_DAY, "00:00:00", "23:59:00"), WEDNESDAY_23, (True, "ouvert 24 h/24", None)),
    (slot(None, None, None, kind="06", allDay=True), WEDNESDAY_23,
     (True, "ouvert 24 h/24 (consultation sans rendez-vous)", None)),
    ([], WEDNESDAY_10, (None, "horaires non renseignés", None)),
    ([{"daysOfWeek": ["mon"]}], WEDNESDAY_10, (None, "horaires non renseignés", None)),
    # a night service, across midnight
    (slot(EVERY_DAY, "20:00:00", "08:00:00"), WEDNESDAY_10,
     (False, "fermé, ouvre à 20 h", "2026-11-25T20:00:00+01:00")),
    (slot(EVERY_DAY, "20:00:00", "08:00:00"), WEDNESDAY_23,
     (True, "ouvert jusqu'à demain 8 h", "2026-11-26T08:00:00+01:00")),
    (slot(EVERY_DAY, "18:00:00", "00:00:00"), WEDNESDAY_19,
     (True, "ouvert jusqu'à minuit", "2026-11-26T00:00:00+01:00")),
    # FHIR's own days when the ROR day number is absent; the day number wins over them
    (slot(None, "09:00:00", "12:00:00", daysOfWeek=["mon", "tue"]), WEDNESDAY_10,
     (False, "fermé, ouvre lundi à 9 h", "2026-11-30T09:00:00+01:00")),
    (slot((3,), "09:00:00", "12:00:00", daysOfWeek=["mon"]), WEDNESDAY_10,
     (True, "ouvert jusqu'à 12 h", "2026-11-25T12:00:00+01:00")),
    (slot(WEEKDAYS, "09:00:00", "12:00:00", kind="06"), WEDNESDAY_10,
     (True, "ouvert jusqu'à 12 h (consultation sans rendez-vous)",
      "2026-11-25T12:00:00+01:00")),
    # morning and afternoon; two slots that touch are one
    (slot((3,), "08:00:00", "12:00:00") + slot((3,), "14:00:00", "18:00:00"), WEDNESDAY_12_30,
     (False, "fermé, ouvre à 14 h", "2026-11-25T14:00:00+01:00")),
    (slot((3,), "08:00:00", "12:00:00") + slot((3,), "12:00:00", "20:00:00"), WEDNESDAY_10,
     (True, "ouvert jusqu'à 20 h", "2026-11-25T20:00:00+01:00")),
    # effective dates: hours that ended, hours that start on Friday
    (slot(EVERY_DAY, "08:00:00", "20:00:00", period={"end": "2026-11-01"}), WEDNESDAY_10,
     (False, "fermé, pas d'ouverture prévue dans les 7 jours", None)),
    (slot(EVERY_DAY, "08:00:00", "20:00:00", period={"start": "2026-11-27"}), WEDNESDAY_10,
     (False, "fermé, ouvre vendredi à 8 h", "2026-11-27T08:00:00+01:00")),
    (slot(EVERY_DAY, "08:00:00", "20:00:00", period={"start": "2026-01-01",
                                                     "end": "2026-11-25"}), WEDNESDAY_10,
     (True, "ouvert jusqu'à 20 h", "2026-11-25T20:00:00+01:00")),
    # summer time
    (slot(WEEKDAYS, "08:30:00", "18:00:00"), JULY_9,
     (True, "ouvert jusqu'à 18 h", "2026-07-15T18:00:00+02:00")),
    # once a week, on this very day but already closed: next week
    (slot((3,), "08:00:00", "09:00:00"), WEDNESDAY_10,
     (False, "fermé, ouvre le 02/12 à 8 h", "2026-12-02T08:00:00+01:00")),
]


@pytest.mark.parametrize(("times", "now", "expected"), CASES)
def test_opening(times: list[dict[str, Any]], now: datetime,
                 expected: tuple[bool | None, str, str | None]) -> None:
    found = opening({"availableTime": times} if times else {}, now)
    moment = found.until if found.open_now else found.next_opening
    assert (found.open_now, found.text, moment.isoformat() if moment else None) == expected


def test_an_overseas_offer_opens_by_its_own_clock() -> None:
    """10:00 in Paris is 06:00 in Cayenne (UTC-3): a Guyane offer has not opened yet."""
    offer = {"meta": {"tag": [{"system": TRE_R30_REGION, "code": "03"}]},
             "availableTime": slot(WEEKDAYS, "08:30:00", "18:00:00")}
    found = opening(offer, WEDNESDAY_10)
    assert (found.open_now, found.text) == (False, "fermé, ouvre à 8 h 30")
    assert found.next_opening is not None
    assert found.next_opening.isoformat() == "2026-11-25T08:30:00-03:00"


def test_an_aware_now_is_the_same_moment() -> None:
    times = {"availableTime": slot(WEEKDAYS, "08:30:00", "18:00:00")}
    assert opening(times, WEDNESDAY_19.replace(tzinfo=UTC)) == opening(times, WEDNESDAY_19)
