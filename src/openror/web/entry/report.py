"""« Signaler une erreur » and « déclarer une appartenance »: an anomaly (Task, ror-task) for
the regional operator, written through the write path like the anomalies the quality run
raises (services.task_writer.SystemTaskWriter: the workflow rule routes it and sets what
the server maintains). A professional may not raise anomalies through their own rights
(they answer them); the change log names them as the declarant all the same."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from openror.access.caller import Caller
from openror.fhir import profiles as p
from openror.fhir.datatypes import concept
from openror.quality import workflow as w
from openror.quality.anomalies import TRE_R349, TRE_R350
from openror.quality.task_writes import instant
from openror.services.container import Services
from openror.services.task_writer import SystemTaskWriter
from openror.web.entry.practice import Held
from openror.web.entry.step_registry import Item

#: the declaring system (SPEC §6 input systemRequester; the IG's example says IHM)
REQUESTER = "IHM"
ACCURACY, EXHAUSTIVENESS = "06", "02"  # TRE_R350 themes
CORRECT, ADD = "COR", "AJO"  # TRE_R349 expected actions


def _input(kind: str, **value: Any) -> dict[str, Any]:
    return {"type": concept(p.INPUT_TASK_CS, kind), **value}


def _who(me: Held) -> tuple[str, str]:
    """(display name, idNat_PS) of the declarant."""
    name = (me.body.get("name") or [{}])[0]
    shown = " ".join([*(name.get("given") or []), str(name.get("family") or "")]).strip()
    idnat = next((str(i.get("value")) for i in me.body.get("identifier") or []
                  if i.get("system") == p.SYSTEM_IDNATPS), "")
    return shown or me.rid, idnat


def anomaly(me: Held, focus: str, path: str, description: str, theme: str, action: str,
            now: datetime, shown: str = "") -> dict[str, Any]:
    name, idnat = _who(me)
    inputs = [_input("systemRequester", valueString=REQUESTER),
              _input("pathElementError", valueExpression={"language": "text/fhirpath",
                                                          "expression": path})]
    if idnat:
        inputs.append(_input("identifierRequester", valueIdentifier={
            "system": p.SYSTEM_IDNATPS, "value": idnat}))
    if shown:
        inputs.append(_input("errorValue", valueString=shown[:1000]))
    return {
        "resourceType": "Task", "status": w.task_status(w.TO_HANDLE), "intent": "order",
        "businessStatus": concept(w.BUSINESS_STATUS_SYSTEM, w.TO_HANDLE),
        "code": concept(TRE_R350, theme), "reasonCode": concept(TRE_R349, action),
        "description": f"Signalé par {name} (saisie guidée) : {description}",
        "focus": {"reference": focus}, "requester": {"reference": me.ref},
        "authoredOn": instant(now), "lastModified": instant(now), "input": inputs,
    }


def report(services: Services, caller: Caller, me: Held, item: Item, comment: str,
           now: datetime) -> str:
    """An error in registry data: the Task's id."""
    shown = "; ".join(f"{label} : {value}" for label, value in item.rows)
    body = anomaly(me, item.focus, item.path, f"{item.title} — {comment}", ACCURACY, CORRECT,
                   now, shown)
    return SystemTaskWriter(services.writes, caller.actor).create(body)


def declare_membership(services: Services, caller: Caller, me: Held, kind: str, name: str,
                       commune: str, comment: str, now: datetime) -> str:
    """« J'exerce aussi dans cette maison de santé / ce centre de santé »: for the operator,
    who links the professional to the structure (a professional may not link themselves to
    a structure that is not theirs)."""
    text = f"Déclare exercer au sein de la {kind} « {name} »" + \
        (f" ({commune})" if commune else "") + (f". {comment}" if comment else ".")
    body = anomaly(me, me.ref, "Practitioner", text, EXHAUSTIVENESS, ADD, now)
    return SystemTaskWriter(services.writes, caller.actor).create(body)


def propose_accessibility(services: Services, caller: Caller, me: Held, organisation: str,
                          code: str, label: str, now: datetime) -> str:
    """The accessibility of a place is an element of its structure (2.11, Organization),
    which only the operator may change for a liberal practice: a proposal for them."""
    body = anomaly(me, f"Organization/{organisation}",
                   f"Organization.extension.where(url='{p.EXT_ORG_ACCESSIBILITY}')",
                   f"Accessibilité du lieu à mettre à jour : « {label} »", ACCURACY, CORRECT,
                   now)
    body["input"].append(_input("proposedValue", valueCodeableConcept=concept(
        p.nos_url("TRE_R202-AccessibiliteLieu"), code, label)))
    return SystemTaskWriter(services.writes, caller.actor).create(body)
