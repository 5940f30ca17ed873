"""The business-status workflow of an anomaly (Task.businessStatus, JDV_J244 / TRE_R352), as
data: the statuses, the transitions allowed between them, which need a reason, which are the
owner's to make, and the FHIR Task.status each status implies (docs/api/anomalies.md).

Pure: the write path's Task rule (quality.task_writes) enforces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from openror.fhir.profiles import nos_url

#: NOS TRE_R352 StatutMetierAnomalie, the system of Task.businessStatus
BUSINESS_STATUS_SYSTEM: Final = nos_url("TRE_R352-StatutMetierAnomalie")

CREATED, TO_HANDLE, CANCELLED, BLOCKED_MISSING = "01", "02", "03", "04"
SENT, TOLERATED_FOR_NOW, TOLERATED_FOR_GOOD = "05", "06", "07"
CORRECTED, REFUSED, TO_VERIFY, BLOCKED_WRONG = "08", "09", "10", "11"


@dataclass(frozen=True)
class Status:
    code: str
    label: str  # French, as TRE_R352 names it
    english: str
    task_status: str  # the FHIR Task.status it implies
    closed: bool  # processing is over: no transition leaves it


STATUSES: Final[dict[str, Status]] = {s.code: s for s in (
    Status(CREATED, "Créé", "created", "requested", False),
    Status(TO_HANDLE, "À traiter", "to handle", "ready", False),
    Status(CANCELLED, "Annulé", "cancelled", "cancelled", True),
    Status(BLOCKED_MISSING, "Bloqué (destinataire manquant)", "blocked (no recipient)",
           "on-hold", False),
    Status(SENT, "Envoyé au destinataire", "sent to the recipient", "in-progress", False),
    Status(TOLERATED_FOR_NOW, "Toléré temporairement", "tolerated temporarily", "on-hold",
           False),
    Status(TOLERATED_FOR_GOOD, "Toléré définitivement", "tolerated permanently", "completed",
           True),
    Status(CORRECTED, "Corrigé", "corrected", "completed", True),
    Status(REFUSED, "Refusé", "refused", "rejected", True),
    Status(TO_VERIFY, "À vérifier", "to verify", "in-progress", False),
    Status(BLOCKED_WRONG, "Bloqué (destinataire erroné)", "blocked (wrong recipient)",
           "on-hold", False),
)}

_BLOCKED = (BLOCKED_MISSING, BLOCKED_WRONG)

#: from -> the statuses it may move to; a closed status has none
TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    CREATED: frozenset({TO_HANDLE, CANCELLED, *_BLOCKED}),
    # corrected straight away: the data was fixed before anyone sent the anomaly (the quality
    # run closes the anomalies it raised this way when the rule is met again)
    TO_HANDLE: frozenset({SENT, CANCELLED, *_BLOCKED, TOLERATED_FOR_NOW, TOLERATED_FOR_GOOD,
                          TO_VERIFY, CORRECTED}),
    SENT: frozenset({CORRECTED, REFUSED, TOLERATED_FOR_NOW, TOLERATED_FOR_GOOD, TO_VERIFY,
                     CANCELLED, BLOCKED_WRONG}),
    TO_VERIFY: frozenset({CORRECTED, TO_HANDLE, REFUSED}),
    BLOCKED_MISSING: frozenset({TO_HANDLE, CANCELLED}),
    BLOCKED_WRONG: frozenset({TO_HANDLE, CANCELLED}),
    TOLERATED_FOR_NOW: frozenset({TO_HANDLE, TOLERATED_FOR_GOOD, CORRECTED}),
    CANCELLED: frozenset(),
    TOLERATED_FOR_GOOD: frozenset(),
    CORRECTED: frozenset(),
    REFUSED: frozenset(),
}

#: the statuses a new anomaly may be created in (the server may block it: 04)
INITIAL: Final = frozenset({CREATED, TO_HANDLE})
#: moving to these needs a new reason in Task.statusReason.text
NEEDS_REASON: Final = frozenset({CANCELLED, TOLERATED_FOR_NOW, TOLERATED_FOR_GOOD, REFUSED})
#: what the owner of the data (a professional or referent whose scope covers the focus) may
#: answer; every other transition is the regional operator's (triage, tolerate, cancel, block)
OWNER_MAY_SET: Final = frozenset({CORRECTED, REFUSED, TO_VERIFY})

OPEN: Final = frozenset(code for code, s in STATUSES.items() if not s.closed)
CLOSED: Final = frozenset(code for code, s in STATUSES.items() if s.closed)


def allowed(from_code: str, to_code: str) -> bool:
    """Whether the transition is in the table (staying put always is)."""
    return from_code == to_code or to_code in TRANSITIONS.get(from_code, frozenset())


def task_status(code: str) -> str:
    return STATUSES[code].task_status


def named(code: str) -> str:
    """« 05 Envoyé au destinataire (sent to the recipient) »."""
    status = STATUSES.get(code)
    return f"{code}" if status is None else f"{code} {status.label} ({status.english})"


def next_ones(code: str) -> str:
    """The statuses ``code`` may move to, named, for a message."""
    found = sorted(TRANSITIONS.get(code, frozenset()))
    return ", ".join(named(c) for c in found) if found else "aucun / none (statut final)"
