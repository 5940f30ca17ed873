"""The export engine, its jobs and its commands, on both back-ends: one snapshot while writes
go on (the files are the state at transactionTime, checked against the stored versions),
jobs claimed once and taken over when a lease runs out, ``openror export`` and
``openror opendata publish``."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from openror.access.caller import SYSTEM, Caller
from openror.cli import main
from openror.config import Settings
from openror.errors import TooManyRequests
from openror.services.container import Services
from openror.services.reads import Reader
from openror.store.export_tables import export_job
from openror.store.feed import LogEntry
from openror.store.resources import utcnow
from openror.store.schema import resource_version
from openror.sync import opendata
from openror.sync.export import engine, jobs
from openror.sync.export.request import ExportRequest, parse
from openror.sync.export.runner import Runner
from tests.builders import (
    healthcare_service,
    location,
    organization,
    practitioner,
    practitioner_role,
    telecom,
)
from tests.conftest import wipe

LOG = LogEntry("tests")
TYPES = ("Organization", "HealthcareService", "Location", "Practitioner", "PractitionerRole")


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Iterator[Services]:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, region="11",
                        log_level="WARNING")
    opened = Services.open(settings)
    wipe(opened.db)
    yield opened
    opened.close()


def _create(services: Services, body: dict[str, Any]) -> str:
    return services.writes.create(body, LOG, caller=SYSTEM).stored.id


def _rename(services: Services, rtype: str, rid: str, name: str) -> None:
    services.writes.patch(rtype, rid, {"resourceType": "Parameters", "parameter": [
        {"name": "operation", "part": [
            {"name": "type", "valueCode": "replace"},
            {"name": "path", "valueString": f"{rtype}.name"},
            {"name": "value", "valueString": name}]}]}, LOG, caller=SYSTEM)


def _world(services: Services) -> dict[str, str]:
    ids: dict[str, str] = {}
    ej = organization("Entité juridique", "010000001")
    ej["telecom"] = [telecom("0100000001", level="1"), telecom("0100000003", level="3")]
    ids["ej"] = _create(services, ej)
    ids["site"] = _create(services, organization("Site", "010000002",
                                                 part_of=f"Organization/{ids['ej']}"))
    ids["place"] = _create(services, location())
    for n in range(3):
        ids[f"offer{n}"] = _create(services, healthcare_service(
            f"Organization/{ids['site']}", f"Location/{ids['place']}"))
    ids["practitioner"] = _create(services, practitioner())
    ids["role"] = _create(services, practitioner_role(
        f"Practitioner/{ids['practitioner']}", f"HealthcareService/{ids['offer0']}"))
    ids["lonely"] = _create(services, organization("Seule", "010000009"))
    return ids


def _read(directory: Path, result: engine.ExportResult) -> dict[tuple[str, str], bytes]:
    found: dict[tuple[str, str], bytes] = {}
    for f in result.files:
        for line in (directory / f.name).read_bytes().splitlines():
            body = orjson.loads(line)
            found[(body["resourceType"], body["id"])] = line
    return found


def _state_at(services: Services, at: Any) -> dict[tuple[str, str], bytes]:
    """Each resource in its version current at ``at``, from the stored versions."""
    v = resource_version
    with services.db.read() as conn:
        rows = conn.execute(sa.select(v.c.type, v.c.id, v.c.version, v.c.content).where(
            v.c.last_updated <= at).order_by(v.c.type, v.c.id, v.c.version)).all()
    latest: dict[tuple[str, str], bytes | None] = {}
    for rtype, rid, _, content in rows:
        latest[(rtype, rid)] = None if content is None else bytes(content)
    return {k: c for k, c in latest.items() if c is not None and k[0] in TYPES}


def test_an_export_is_the_state_at_its_transaction_time(services: Services,
                                                        tmp_path: Path) -> None:
    """Writes made while the export runs (between its types: before, during and after each
    type is read) are not in it; everything else is, in the version current then."""
    ids = _world(services)
    made: list[str] = []

    def write_meanwhile(message: str) -> None:
        if "selecting" in message:
            n = len(made)
            _rename(services, "Organization", ids["ej"], f"Renommée {n}")
            _rename(services, "HealthcareService", ids["offer1"], f"Offre {n}")
            made.append(_create(services, organization(f"Nouvelle {n}", f"01000010{n}")))
            if n == 2:
                services.writes.delete("PractitionerRole", ids["role"], LOG, caller=SYSTEM)

    out = tmp_path / "export"
    result = engine.run(services.db, SYSTEM, ExportRequest(TYPES), out, base="",
                        max_per_file=2, progress=write_meanwhile)
    assert len(made) == len(TYPES)  # the writes did happen during the export
    exported = _read(out, result)
    assert exported == _state_at(services, result.transaction_time)
    assert ("PractitionerRole", ids["role"]) in exported  # deleted after the instant
    assert all(("Organization", rid) not in exported for rid in made)
    assert max(f.count for f in result.files) == 2  # large types are split
    assert [f.name for f in result.files if f.type == "HealthcareService"] == [
        "HealthcareService-001.ndjson", "HealthcareService-002.ndjson"]
    # the feed after the snapshot's position holds exactly the writes made meanwhile
    later = Reader(services.db).history(None, None, SYSTEM, since=None, count=100,
                                        before_seq=None, after_seq=result.feed_position)
    assert len(later.rows) == 3 * len(TYPES) + 1
    assert {r.id for r in later.rows if r.type == "Organization"} == {ids["ej"], *made}
    assert all(r.at > result.transaction_time for r in later.rows)


def test_jobs_are_claimed_once_and_taken_over_after_a_lost_lease(services: Services,
                                                                 tmp_path: Path) -> None:
    _world(services)
    db = services.db
    request = parse([("_type", "Organization")])
    job_id = jobs.submit(db, SYSTEM, request, "http://example.org/fhir/$export?_type=Organization")
    first = jobs.claim(db, job_id, lease_s=60)
    assert first is not None
    assert jobs.claim(db, job_id, lease_s=60) is None  # leased: no second runner
    assert jobs.claim(db, None, lease_s=60) is None
    with db.write() as conn:  # the first process was killed: its lease runs out
        conn.execute(export_job.update().values(lease_until=utcnow()))
    settings = Settings(data_dir=tmp_path, database_url=db.url, export_lease_seconds=60)
    assert Runner(db, settings).run_pending() == 1
    assert not jobs.renew(db, first, 60, "still here?")  # the dead attempt has no say
    done = jobs.find(db, job_id, SYSTEM.actor)
    assert done.status == "done"
    assert done.directory == f"{job_id}/2"
    assert [(f.type, f.count) for f in done.files] == [("Organization", 3)]
    assert (tmp_path / "exports" / job_id / "2" / "Organization-001.ndjson").is_file()


def test_the_job_of_a_killed_process_is_taken_over(services: Services, tmp_path: Path) -> None:
    """A real process claims a job and is killed (SIGKILL) while it holds it: nobody else
    runs the job while the lease lasts, another process runs it once the lease ran out."""
    _world(services)
    db = services.db
    job_id = jobs.submit(db, SYSTEM, parse([("_type", "Organization")]),
                         "http://example.org/fhir/$export?_type=Organization")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import time\n"
        "from openror.store.database import Database\n"
        "from openror.sync.export import jobs\n"
        f"assert jobs.claim(Database({db.url!r}), {job_id!r}, lease_s=3)\n"
        "print('claimed', flush=True)\n"
        "time.sleep(600)\n")], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"claimed\n"
        runner = Runner(db, Settings(data_dir=tmp_path, database_url=db.url))
        assert runner.run_pending() == 0  # leased to a live process
    finally:
        holder.kill()
        holder.communicate()
    deadline = time.monotonic() + 60
    while runner.run_pending() == 0:  # the dead process's lease runs out
        assert time.monotonic() < deadline, "the job was never taken over"
        time.sleep(0.2)
    done = jobs.find(db, job_id, SYSTEM.actor)
    assert (done.status, done.directory) == ("done", f"{job_id}/2")


def test_a_deleted_job_stops_its_runner(services: Services, tmp_path: Path) -> None:
    _world(services)
    db = services.db
    job_id = jobs.submit(db, SYSTEM, parse([]), "http://example.org/fhir/$export")
    claim = jobs.claim(db, job_id, lease_s=60)
    assert claim is not None
    jobs.delete(db, job_id, SYSTEM.actor, tmp_path)
    assert not jobs.renew(db, claim, 60, "writing")  # its next progress stops it
    with pytest.raises(Exception, match="no export job"):
        jobs.find(db, job_id, SYSTEM.actor)


def test_export_command(services: Services, tmp_path: Path) -> None:
    ids = _world(services)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "export", "--out", str(out), "--database", services.db.url, "--profile", "0",
        "--type-filter", "HealthcareService?_id=" + ids["offer0"], "--complete-extract"])
    assert result.exit_code == 0, result.output
    assert "exported 6 resources" in result.output
    manifest = orjson.loads((out / "manifest.json").read_bytes())
    assert [o["type"] for o in manifest["output"]] == [
        "HealthcareService", "Organization", "Location", "PractitionerRole", "Practitioner"]
    ej = next(orjson.loads(line) for line in (out / "Organization-001.ndjson").read_bytes()
              .splitlines() if orjson.loads(line)["id"] == ids["ej"])
    assert [t["value"] for t in ej["telecom"]] == ["0100000001"]  # profile 0


@pytest.mark.parametrize(("args", "message"), [
    (["--since", "yesterday"], "_since"),
    (["--type", "Patient"], "_type"),
    (["--type-filter", "HealthcareService?nonsense=1"], "_typeFilter"),
])
def test_export_command_errors_are_one_line(services: Services, tmp_path: Path,
                                            args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["export", "--out", str(tmp_path / "out"),
                                       "--database", services.db.url, *args])
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("openror: error: ") and message in line


def test_opendata_publication(services: Services, tmp_path: Path) -> None:
    ids = _world(services)
    out = tmp_path / "opendata"
    result = CliRunner().invoke(main, ["opendata", "publish", "--out", str(out),
                                       "--database", services.db.url])
    assert result.exit_code == 0, result.output
    current = out / "current"
    assert current.is_symlink()
    manifest = orjson.loads((current / "manifest.json").read_bytes())
    assert manifest["transactionTime"] in (current / "README.md").read_text()
    names = {f["name"] for f in manifest["files"]}
    assert {"Organization-001.ndjson", "Organization.csv", "HealthcareService.csv"} <= names
    csv_text = (current / "Organization.csv").read_bytes()
    assert csv_text.startswith(b"\xef\xbb\xbfid;derniere_mise_a_jour;region;")
    assert "Entité juridique".encode() in csv_text
    assert b"0100000001" in csv_text and b"0100000003" not in csv_text  # level 3 withheld
    assert b"0100000003" not in (current / "Organization-001.ndjson").read_bytes()
    offers = (current / "HealthcareService.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(offers) == 4 and ids["offer0"] in "\n".join(offers)


def test_opendata_replaces_the_publication_only_when_complete(
        services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _world(services)
    out = tmp_path / "opendata"
    first = opendata.publish(services.db, out, max_per_file=1000)
    assert (out / "current").resolve() == first.directory.resolve()

    def broken(*_: Any) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(opendata, "write_csv", broken)
    with pytest.raises(OSError):
        opendata.publish(services.db, out, max_per_file=1000)
    assert (out / "current").resolve() == first.directory.resolve()  # still the old one
    assert not [p for p in out.iterdir() if p.name.endswith(".partial")]
    monkeypatch.undo()
    second = opendata.publish(services.db, out, max_per_file=1000)
    third = opendata.publish(services.db, out, max_per_file=1000)
    assert (out / "current").resolve() == third.directory.resolve()
    assert second.directory.is_dir()  # the previous one is kept
    assert not first.directory.exists()  # older ones go


def test_a_caller_has_a_few_exports_under_way_at_most(services: Services) -> None:
    db = services.db
    for _ in range(jobs.MAX_ACTIVE):
        jobs.submit(db, SYSTEM, parse([]), "http://example.org/fhir/$export")
    with pytest.raises(TooManyRequests) as refused:
        jobs.submit(db, SYSTEM, parse([]), "http://example.org/fhir/$export")
    assert refused.value.status == 429
    other = Caller("client:other", 1)
    assert jobs.submit(db, other, parse([]), "http://example.org/fhir/$export")
