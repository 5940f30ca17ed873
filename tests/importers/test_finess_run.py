"""FINESS through the whole import run, on both databases: reconciliation keeps what people
entered, a vanished establishment is closed (never deleted), the same file twice is a no-op,
and malformed lines are refused while the rest is applied."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson

from openror.access.caller import SYSTEM
from openror.importers.base import Reject
from openror.importers.finess import FinessSource
from openror.importers.run import ImportRun, Options
from openror.services import provenance
from openror.services.container import Services
from openror.store import derived, feed
from openror.store.feed import LogEntry
from openror.store.resources import read_current
from tests.builders import telecom

GUYANE = Path(__file__).resolve().parents[3] / "shared" / "data" / "finess" / "fhir" / \
    "finess-fhir-973-guyane.ndjson"
FINESS = "https://finess.esante.gouv.fr"


def run(services: Services, path: Path) -> ImportRun:
    importer = ImportRun(services, FinessSource(), Options(progress=False))
    importer.run([path])
    return importer


def site(services: Services, finess: str) -> tuple[str, dict[str, Any]]:
    with services.db.read() as conn:
        [rid] = derived.find_by_identifier(conn, "Organization", FINESS, finess)
        stored = read_current(conn, "Organization", rid)
    assert stored is not None and stored.content is not None
    return rid, orjson.loads(stored.content)


def first_lines(path: Path, out: Path, count: int) -> Path:
    lines = path.read_text(encoding="utf-8").splitlines()[:count]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def test_reimport_reconciles_closes_and_is_idempotent(services: Services,
                                                      tmp_path: Path) -> None:
    sample = first_lines(GUYANE, tmp_path / "guyane.ndjson", 40)
    first = run(services, sample)
    assert first.summary.rejected == 0 and first.summary.created > 30
    with services.db.read() as conn:
        seq = feed.last_seq(conn)
    again = run(services, sample)
    assert again.summary.created == again.summary.updated == 0
    with services.db.read() as conn:
        assert feed.last_seq(conn) == seq  # no new version, no feed entry

    # a referent adds a contact phone to the first site (not a FINESS field)
    finess_et = orjson.loads(sample.read_text().splitlines()[0])["identifier"][0]["value"]
    rid, body = site(services, finess_et)
    body["contact"] = [{"name": {"text": "Accueil"}, "telecom": [telecom("0594000000")],
                        "extension": [{"url": "https://interop.esante.gouv.fr/ig/fhir/ror/"
                                       "StructureDefinition/ror-contact-confidentiality-level",
                                       "valueCodeableConcept": {"coding": [{
                                           "system": "https://mos.esante.gouv.fr/NOS/TRE_R283-"
                                           "NiveauConfidentialite/FHIR/TRE-R283-"
                                           "NiveauConfidentialite", "code": "2"}]}}]}]
    services.writes.update("Organization", rid, body,
                           LogEntry(actor="referent", provenance="referent"), caller=SYSTEM)

    # a newer file: the last two establishments (site + place lines) are gone
    newer = first_lines(GUYANE, tmp_path / "newer.ndjson", 36)
    third = run(services, newer)
    assert third.summary.closed >= 2
    _rid, kept = site(services, finess_et)
    assert kept["contact"] == body["contact"]
    assert provenance.sources(kept)["contact"] == "referent"
    assert provenance.sources(kept)["name"] == "registry"
    vanished = orjson.loads(sample.read_text().splitlines()[-2])
    if vanished["resourceType"] != "Organization":
        vanished = orjson.loads(sample.read_text().splitlines()[-1])
    _rid, closed = site(services, vanished["identifier"][0]["value"])
    period = [e for e in closed["extension"] if e["url"].endswith("organization-period")]
    assert period and "end" in period[0]["valuePeriod"]


def test_malformed_lines_are_refused_and_the_rest_applied(services: Services,
                                                          tmp_path: Path) -> None:
    good = GUYANE.read_text(encoding="utf-8").splitlines()[:4]
    broken = orjson.loads(good[0])
    value = broken["identifier"][0]["value"]
    broken["identifier"][0]["value"] = value[:-1] + str((int(value[-1]) + 1) % 10)
    broken["id"] = broken["id"].split("-")[0] + "-" + broken["identifier"][0]["value"]
    path = tmp_path / "mixed.ndjson"
    path.write_text("\n".join([*good, "{truncated", orjson.dumps(broken).decode()]) + "\n",
                    encoding="utf-8")
    importer = run(services, path)
    rejects = importer.rejects_path.read_text(encoding="utf-8")
    assert "line 5" in rejects and "line 6" in rejects
    assert "check digit" in rejects
    with services.db.read() as conn:
        assert derived.find_by_identifier(conn, "Organization", FINESS,
                                          broken["identifier"][0]["value"]) == []
    assert importer.summary.created > 0


def test_latin1_historical_csv_is_read(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "historical.csv"
    shutil.copy(Path(__file__).parent / "data" / "finess" / "historical.csv", path)
    importer = run(services, path)
    assert importer.summary.created > 0
    _rid, body = site(services, "2A0000022")
    assert "MISÉRICORDE" in " ".join([body.get("name", ""), *body.get("alias", [])])


def test_a_place_without_coordinates_stands_at_its_commune(tmp_path: Path) -> None:
    lines = GUYANE.read_text(encoding="utf-8").splitlines()[:2]
    bodies = [orjson.loads(line) for line in lines]
    for body in bodies:
        body.pop("position", None)
    path = tmp_path / "no-position.ndjson"
    path.write_text("\n".join(orjson.dumps(b).decode() for b in bodies) + "\n", encoding="utf-8")
    places = [r.resource for r in FinessSource().parse([path])
              if not isinstance(r, Reject) and r.type == "Location"]
    assert places
    position = places[0]["position"]
    assert position["extension"] == [{
        "url": "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/"
               "ror-coordinate-reliability", "valueBoolean": False}]
    assert 2 < position["latitude"] < 6 and -55 < position["longitude"] < -51  # Guyane
