"""The RPPS source through the import run: apply, idempotent re-import, closing what vanished."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from openror.importers.rpps import RppsSource
from openror.importers.run import ImportRun, Options
from openror.services.container import Services
from openror.store.resources import read_current
from openror.store.schema import identifier_index

FIXTURE = Path(__file__).parent / "data" / "rpps" / "liberal.txt"


def run(services: Services, path: Path) -> ImportRun:
    importer = ImportRun(services, RppsSource(), Options(progress=False))
    importer.run([path])
    return importer


def stored(services: Services, system: str, value: str) -> dict[str, Any]:
    ii = identifier_index
    with services.db.read() as conn:
        rtype, rid = conn.execute(sa.select(ii.c.type, ii.c.id).where(
            ii.c.system == system, ii.c.value == value)).one()
        current = read_current(conn, rtype, rid)
    assert current is not None and current.content is not None
    body: dict[str, Any] = orjson.loads(current.content)
    return body


def test_import_reimport_and_close(services: Services, tmp_path: Path) -> None:
    first = run(services, FIXTURE)
    # the FINESS health centre is not loaded: its 3 records are refused, as the ergotherapist
    assert (first.summary.created, first.summary.rejected) == (17, 4)
    again = run(services, FIXTURE)
    assert (again.summary.created, again.summary.updated, again.summary.unchanged) == (0, 0, 17)

    offer = stored(services, "urn:openror:rpps-offer", "810100000008/01/C12345678200010")
    # exactly one identifier, the ROR functional one; the import key is a tag
    [functional] = offer["identifier"]
    assert functional["type"]["coding"][0]["code"] == "35"
    assert functional["value"].startswith("11/")
    assert {"system": "urn:openror:rpps-offer",
            "code": "810100000008/01/C12345678200010"} in offer["meta"]["tag"]
    assert offer["providedBy"]["reference"].startswith("Organization/")

    # a newer file without the cardiologist (line 4) nor the physiotherapist (line 5)
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    newer = tmp_path / "newer.txt"
    newer.write_text("\n".join(lines[:3] + lines[5:]) + "\n", encoding="utf-8")
    third = run(services, newer)
    assert third.summary.closed == 8  # 2 offers, 2 roles, 2 practitioners, Mionnay site+place
    closed = stored(services, "urn:openror:rpps-offer", "810100000016/01/C12345678200010")
    assert closed["notAvailable"][0]["id"] == "closingReopeningDate"
    assert stored(services, "urn:openror:rpps-role",
                  "810100000016/01/C12345678200010")["active"] is False
    assert stored(services, "urn:openror:rpps-place", "01/C01700000100")["status"] == "inactive"
    assert stored(services, "urn:oid:1.2.250.1.71.4.2.1", "810100000016")["active"] is False
    # the shared cabinet stays open: the GP still practises there
    assert stored(services, "urn:openror:rpps-site", "01/C12345678200010")["active"] is True
