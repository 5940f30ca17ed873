"""The anomaly workflow in the write path, on both back-ends: every transition of the table
accepted, illegal ones refused (422) with nothing stored, creation in a closed status refused,
routing on creation, who may answer and who may triage, and the elements the server
maintains. The world is tests/services/roles_world (region 32, and 84)."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fhirpathpy import compile as fhirpath_compile
from fhirpathpy.models import models

from openror.access.caller import SYSTEM, Caller, Grant
from openror.access.roles import OPERATOR as OPERATOR_ROLE
from openror.access.roles import person_caller
from openror.errors import Forbidden, Unprocessable
from openror.fhir.profiles import TRE_R30_REGION, region_of
from openror.fhir.search_params import PARAMS
from openror.fhir.search_paths import compile_path
from openror.quality import workflow as w
from openror.quality.task_writes import TaskWorkflow, business_status
from openror.services.writes import WritePath
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.store.resources import read_current
from openror.terminology import default_terminology
from tests.api.search_fixture import anomaly
from tests.builders import parameters, patch_op
from tests.conftest import wipe
from tests.services import roles_world
from tests.services.roles_world import CALLERS

LOG = LogEntry(actor="test")
OPERATOR = CALLERS["operator"]
REFERENT = CALLERS["referent-site"]
PROFESSIONAL = CALLERS["professional"]
OPERATOR_84 = person_caller("op84", None, [Grant(OPERATOR_ROLE, "84")])
CLIENT_32 = Caller("client:aisne", 1, writes=frozenset({"region:32"}))
CLIENT_84 = Caller("client:vaucluse", 1, writes=frozenset({"region:84"}))
_ids = itertools.count()


# -- the table -------------------------------------------------------------------------

def test_the_table_covers_every_status_and_closed_ones_lead_nowhere() -> None:
    assert set(w.TRANSITIONS) == set(w.STATUSES) == {f"{i:02d}" for i in range(1, 12)}
    assert {w.CANCELLED, w.TOLERATED_FOR_GOOD, w.CORRECTED, w.REFUSED} == w.CLOSED
    assert all(not w.TRANSITIONS[code] for code in w.CLOSED)
    assert all(w.TRANSITIONS[code] for code in w.OPEN)
    assert w.INITIAL <= w.OPEN
    # every status can be reached from a new anomaly
    reached, frontier = set(w.INITIAL), list(w.INITIAL)
    while frontier:
        for nxt in w.TRANSITIONS[frontier.pop()] - reached:
            reached.add(nxt)
            frontier.append(nxt)
    assert reached == set(w.STATUSES)


def test_the_rule_search_path_selects_what_fhirpath_selects() -> None:
    body = _anomaly("t", "HealthcareService/hs-a", rule="CO4")
    param = PARAMS["Task"]["rule"]
    ours = compile_path(param.expression, "Task")(body)
    theirs = fhirpath_compile(f"Task.{param.expression}", models["r4"])(body)
    assert ours == theirs == ["CO4"]


# -- fixtures --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(database_url: str) -> Iterator[Database]:
    """The roles world, loaded once for the module; each test makes its own anomalies."""
    db = Database(database_url)
    wipe(db)
    roles_world.load(db)
    yield db
    db.dispose()


@pytest.fixture
def writes(world: Database) -> WritePath:
    path = WritePath(world, default_terminology(), roles_world.REGION)
    path.rules.append(TaskWorkflow())
    return path


def _anomaly(rid: str, focus: str | dict[str, Any], status: str = "02",
             rule: str | None = None) -> dict[str, Any]:
    body = anomaly(rid, "", f"ANO-{rid}")
    body["focus"] = {"reference": focus} if isinstance(focus, str) else focus
    body["businessStatus"]["coding"][0]["code"] = status
    if rule:
        body["input"].append({"type": {"coding": [{
            "system": body["input"][0]["type"]["coding"][0]["system"],
            "code": "ruleErrorId"}]}, "valueString": rule})
    return body


def _stored_in(world: Database, status: str, focus: str = "HealthcareService/hs-a",
               **changes: Any) -> str:
    """An anomaly stored as it is (no workflow: the way an import of history would)."""
    rid = f"t{next(_ids)}"
    body = {**_anomaly(rid, focus, status), **changes}
    WritePath(world, default_terminology(), "32").update("Task", rid, body, LOG, caller=SYSTEM)
    return rid


def _current(world: Database, rid: str) -> tuple[int, dict[str, Any]]:
    with world.read() as conn:
        found = read_current(conn, "Task", rid)
    assert found is not None and found.content is not None
    return found.version, orjson.loads(found.content)


def _move(writes: WritePath, rid: str, to: str, caller: Caller = OPERATOR,
          reason: str | None = None) -> dict[str, Any]:
    ops = [patch_op("replace", "Task.businessStatus", value={"valueCodeableConcept": {
        "coding": [{"system": w.BUSINESS_STATUS_SYSTEM, "code": to}]}})]
    if reason is not None and "statusReason" in _current(writes.db, rid)[1]:
        ops.append(patch_op("replace", "Task.statusReason",
                            value={"valueCodeableConcept": {"text": reason}}))
    elif reason is not None:
        ops.append(patch_op("add", "Task", name={"valueString": "statusReason"},
                            value={"valueCodeableConcept": {"text": reason}}))
    return writes.patch("Task", rid, parameters(*ops), LOG, caller=caller).body


# -- transitions -----------------------------------------------------------------------

LEGAL = sorted((start, to) for start, targets in w.TRANSITIONS.items() for to in targets)


@pytest.mark.parametrize(("start", "to"), LEGAL, ids=[f"{a}-{b}" for a, b in LEGAL])
def test_every_transition_of_the_table_is_accepted(world: Database, writes: WritePath,
                                                   start: str, to: str) -> None:
    rid = _stored_in(world, start)
    reason = "motif" if to in w.NEEDS_REASON else None
    body = _move(writes, rid, to, reason=reason)
    assert business_status(body) == to
    assert body["status"] == w.task_status(to)
    assert _current(world, rid)[0] == 2


ILLEGAL = [("08", "02"), ("03", "02"), ("07", "06"), ("09", "08"), ("01", "05"),
           ("01", "08"), ("02", "09"), ("04", "05"), ("10", "05"), ("06", "05"),
           ("11", "08"), ("05", "02")]


@pytest.mark.parametrize(("start", "to"), ILLEGAL, ids=[f"{a}-{b}" for a, b in ILLEGAL])
def test_a_transition_outside_the_table_is_refused_and_nothing_is_stored(
        world: Database, writes: WritePath, start: str, to: str) -> None:
    rid = _stored_in(world, start)
    before = _current(world, rid)
    with pytest.raises(Unprocessable) as refused:
        _move(writes, rid, to, reason="motif")
    issue = refused.value.issues[0]
    assert refused.value.status == 422
    assert issue.code == "business-rule" and issue.expression == ("Task.businessStatus",)
    assert f"« {w.named(start)} »" in issue.diagnostics and w.named(to) in issue.diagnostics
    assert w.next_ones(start) in issue.diagnostics
    assert _current(world, rid) == before


def test_an_illegal_transition_by_put_is_refused_too(world: Database,
                                                     writes: WritePath) -> None:
    rid = _stored_in(world, "08")
    version, body = _current(world, rid)
    body["businessStatus"]["coding"][0]["code"] = "05"
    with pytest.raises(Unprocessable):
        writes.update("Task", rid, body, LOG, caller=OPERATOR)
    assert _current(world, rid)[0] == version


@pytest.mark.parametrize("to", ["03", "06", "07", "09"])
def test_cancelling_tolerating_and_refusing_need_a_new_reason(world: Database,
                                                              writes: WritePath,
                                                              to: str) -> None:
    rid = _stored_in(world, "05")
    with pytest.raises(Unprocessable) as refused:
        _move(writes, rid, to)
    assert refused.value.issues[0].expression == ("Task.statusReason",)
    stale = _stored_in(world, "05", statusReason={"text": "un ancien motif"})
    with pytest.raises(Unprocessable):
        _move(writes, stale, to)
    assert _move(writes, rid, to, reason="doublon")["statusReason"]["text"] == "doublon"


# -- creation and routing --------------------------------------------------------------

@pytest.mark.parametrize("status", sorted(set(w.STATUSES) - w.INITIAL))
def test_a_new_anomaly_starts_in_created_or_to_handle(writes: WritePath,
                                                      status: str) -> None:
    with pytest.raises(Unprocessable) as refused:
        writes.create(_anomaly("x", "HealthcareService/hs-a", status), LOG, caller=OPERATOR)
    assert refused.value.issues[0].expression == ("Task.businessStatus",)


def _create(writes: WritePath, focus: str | dict[str, Any], status: str = "02",
            caller: Caller = SYSTEM, **changes: Any) -> dict[str, Any]:
    body = {**_anomaly("x", focus, status), **changes}
    del body["id"]
    return writes.create(body, LOG, caller=caller).body


ROUTES = [
    ("HealthcareService/hs-a", "eg-a", "32"),  # offer of an internal unit: its site
    ("HealthcareService/hs-b", "eg-b", "32"),
    ("HealthcareService/hs-p", "cab-p", "32"),
    ("HealthcareService/hs-84", "eg-84", "84"),
    ("Location/loc-a", "eg-a", "32"),  # the one site of the offers at it
    ("Location/loc-new-a", "eg-a", "32"),  # managed by the site
    ("Location/loc-shared", None, "32"),  # two sites: nobody in particular
    ("Organization/unit-a", "eg-a", "32"),
    ("Organization/ej-a", "ej-a", "32"),
    ("PractitionerRole/role-p", "cab-p", "32"),
    ("Practitioner/pract-p", None, "32"),  # the region only
]


@pytest.mark.parametrize(("focus", "owner", "region"), ROUTES, ids=[r[0] for r in ROUTES])
def test_a_new_anomaly_goes_to_the_owner_of_its_focus_and_its_region(
        writes: WritePath, focus: str, owner: str | None, region: str) -> None:
    body = _create(writes, focus, meta={"tag": [{"system": TRE_R30_REGION,
                                                  "code": "11"}]})
    assert body.get("owner") == (None if owner is None else
                                 {"reference": f"Organization/{owner}"})
    assert region_of(body) == region
    assert [t for t in body["meta"]["tag"] if t["system"] == TRE_R30_REGION] == [
        {"system": TRE_R30_REGION, "code": region}]
    assert business_status(body) == "02" and body["status"] == "ready"


def test_an_owner_given_is_kept(writes: WritePath) -> None:
    body = _create(writes, "HealthcareService/hs-a",
                   owner={"reference": "Organization/unit-a"})
    assert body["owner"] == {"reference": "Organization/unit-a"}


def test_a_focus_by_identifier_is_resolved(writes: WritePath) -> None:
    focus = {"type": "HealthcareService", "identifier": {"value": "32/hs-b"}}
    body = _create(writes, focus)
    assert body["focus"] == {**focus, "reference": "HealthcareService/hs-b"}
    assert body["owner"] == {"reference": "Organization/eg-b"}
    assert business_status(body) == "02"


@pytest.mark.parametrize("status", ["01", "02"])
def test_an_anomaly_whose_focus_cannot_be_found_is_blocked(writes: WritePath,
                                                            status: str) -> None:
    body = _create(writes, {"type": "HealthcareService",
                            "identifier": {"value": "32/inconnue"}}, status)
    assert business_status(body) == w.BLOCKED_MISSING and body["status"] == "on-hold"
    assert "owner" not in body and "reference" not in body["focus"]
    assert region_of(body) == "32"


def test_unblocking_needs_a_focus_that_is_found(world: Database, writes: WritePath) -> None:
    rid = writes.create(_anomaly("x", {"identifier": {"value": "32/inconnue"}}), LOG,
                        caller=SYSTEM).stored.id
    with pytest.raises(Unprocessable) as refused:
        _move(writes, rid, "02")
    assert refused.value.issues[0].expression == ("Task.focus",)
    _, body = _current(world, rid)
    body["focus"] = {"identifier": {"value": "32/hs-a"}}
    body["businessStatus"]["coding"][0]["code"] = "02"
    moved = writes.update("Task", rid, body, LOG, caller=OPERATOR).body
    assert moved["focus"]["reference"] == "HealthcareService/hs-a"
    assert moved["owner"] == {"reference": "Organization/eg-a"}


# -- rights ----------------------------------------------------------------------------

@pytest.mark.parametrize("to", ["08", "09", "10"])
def test_the_referent_of_the_site_answers_its_anomalies(world: Database, writes: WritePath,
                                                        to: str) -> None:
    rid = _stored_in(world, "05")
    reason = "l'offre est correcte" if to == "09" else None
    assert business_status(_move(writes, rid, to, REFERENT, reason)) == to


@pytest.mark.parametrize("to", ["06", "07", "03", "11"])
def test_the_referent_may_not_tolerate_cancel_or_block(world: Database, writes: WritePath,
                                                       to: str) -> None:
    rid = _stored_in(world, "05")
    before = _current(world, rid)
    with pytest.raises(Forbidden, match="opérateur régional"):
        _move(writes, rid, to, REFERENT, "motif")
    assert _current(world, rid) == before


def test_the_referent_may_not_rewrite_raise_or_delete_an_anomaly(world: Database,
                                                                 writes: WritePath) -> None:
    rid = _stored_in(world, "05")
    _, body = _current(world, rid)
    body["description"] = "Rien à signaler"
    with pytest.raises(Forbidden, match=r"Task\.description"):
        writes.update("Task", rid, body, LOG, caller=REFERENT)
    with pytest.raises(Forbidden, match="may not raise"):
        _create(writes, "HealthcareService/hs-a", caller=REFERENT)
    with pytest.raises(Forbidden, match="may not delete"):
        writes.delete("Task", rid, LOG, caller=REFERENT)


def test_an_owner_answers_only_anomalies_on_what_their_role_covers(
        world: Database, writes: WritePath) -> None:
    own = _stored_in(world, "05", focus="HealthcareService/hs-p")
    assert business_status(_move(writes, own, "08", PROFESSIONAL)) == "08"
    for caller, focus in ((PROFESSIONAL, "HealthcareService/hs-a"),
                          (REFERENT, "HealthcareService/hs-b")):
        other = _stored_in(world, "05", focus=focus)
        with pytest.raises(Forbidden):
            _move(writes, other, "08", caller)


@pytest.mark.parametrize("caller", [OPERATOR, CLIENT_32, CALLERS["admin"]],
                         ids=["operator", "client", "admin"])
def test_the_operator_of_the_region_triages(world: Database, writes: WritePath,
                                            caller: Caller) -> None:
    rid = _stored_in(world, "05")
    assert business_status(_move(writes, rid, "06", caller, "en attente")) == "06"
    assert business_status(_move(writes, rid, "02", caller)) == "02"
    assert business_status(_move(writes, rid, "03", caller, "doublon")) == "03"


@pytest.mark.parametrize("caller", [OPERATOR_84, CLIENT_84], ids=["operator", "client"])
def test_another_region_may_not_touch_it(world: Database, writes: WritePath,
                                         caller: Caller) -> None:
    rid = _stored_in(world, "05")
    before = _current(world, rid)
    for to in ("06", "08"):
        with pytest.raises(Forbidden):
            _move(writes, rid, to, caller, "motif")
    assert _current(world, rid) == before


# -- what the server maintains -----------------------------------------------------------

def test_the_server_keeps_status_dates_and_execution_period(world: Database,
                                                            writes: WritePath) -> None:
    created = _create(writes, "HealthcareService/hs-a",
                      executionPeriod={"start": "2020-01-01"})
    rid = created["id"]
    assert "executionPeriod" not in created
    assert created["authoredOn"] == "2025-01-03"  # the client's, on creation
    assert created["lastModified"] != "2025-01-04"
    sent = _move(writes, rid, "05")
    assert sent["status"] == "in-progress"
    assert sent["lastModified"] > created["lastModified"]
    assert "end" not in sent["executionPeriod"]
    _, body = _current(world, rid)
    body.update(authoredOn="2030-01-01", status="cancelled",
                executionPeriod={"start": "2020-01-01"})
    body["businessStatus"]["coding"][0]["code"] = "08"
    done = writes.update("Task", rid, body, LOG, caller=REFERENT).body
    assert done["authoredOn"] == "2025-01-03" and done["status"] == "completed"
    assert done["executionPeriod"]["start"] == sent["executionPeriod"]["start"]
    assert done["executionPeriod"]["end"] == done["lastModified"]


def test_a_write_that_changes_nothing_keeps_last_modified(world: Database,
                                                          writes: WritePath) -> None:
    rid = _stored_in(world, "05")
    _move(writes, rid, "10")
    version, body = _current(world, rid)
    result = writes.update("Task", rid, copy.deepcopy(body), LOG, caller=OPERATOR)
    assert result.unchanged and _current(world, rid) == (version, body)
    noted = writes.update("Task", rid, {**body, "note": [{"text": "vu"}]}, LOG,
                          caller=OPERATOR).body
    assert noted["lastModified"] > body["lastModified"]


def test_the_client_cannot_make_status_and_business_status_disagree(
        writes: WritePath) -> None:
    body = _create(writes, "HealthcareService/hs-a", status="01")
    assert body["status"] == "requested"  # the fixture says in-progress
