"""The import run, shown with the bundle source: phases, batches all-or-nothing, rejects,
idempotent re-import, reconciliation, resume, transactions — on both databases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from openror.access.caller import SYSTEM
from openror.importers.bundle import BundleSource
from openror.importers.run import ImportRun, Options
from openror.services import provenance
from openror.services.bulk import BulkWriter
from openror.services.container import Services
from openror.store import feed
from openror.store.feed import LogEntry
from tests.builders import healthcare_service, location, organization


def graph(n: int = 3) -> list[dict[str, Any]]:
    """n offers, each with its organisation and place, with fixed ids."""
    out: list[dict[str, Any]] = []
    for i in range(n):
        org = {**organization(name=f"Centre {i}", finess=f"0200000{i:02d}"), "id": f"org-{i}"}
        loc = {**location(name=f"Lieu {i}"), "id": f"loc-{i}"}
        hs = {**healthcare_service(f"Organization/org-{i}", f"Location/loc-{i}"),
              "id": f"hs-{i}", "identifier": [{"value": f"11/90000{i:02d}"}]}
        out += [hs, loc, org]  # targets after referrers: the run must reorder
    return out


def write_ndjson(path: Path, resources: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in resources), encoding="utf-8")
    return path


def run(services: Services, paths: list[Path], **options: Any) -> ImportRun:
    importer = ImportRun(services, BundleSource(), Options(progress=False, **options))
    importer.run(paths)
    return importer


def read(services: Services, rtype: str, rid: str) -> dict[str, Any]:
    with services.db.read() as conn:
        from openror.store.resources import read_current
        stored = read_current(conn, rtype, rid)
    assert stored is not None and stored.content is not None
    body: dict[str, Any] = orjson.loads(stored.content)
    return body


def test_import_creates_in_reference_order_and_logs_the_run(services: Services,
                                                            tmp_path: Path) -> None:
    first = run(services, [write_ndjson(tmp_path / "g.ndjson", graph())])
    assert (first.summary.created, first.summary.rejected) == (9, 0)
    with services.db.read() as conn:
        changes = feed.changes(conn, batch_id=first.run_id)
    assert len(changes) == 9
    assert {c.actor for c in changes} == {f"import {first.run_id}"}
    assert [c.type for c in changes[:3]] == ["Organization"] * 3
    sources = provenance.sources(read(services, "Organization", "org-1"))
    assert sources["name"] == "import"


def test_same_file_twice_is_a_no_op(services: Services, tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "g.ndjson", graph())
    run(services, [path])
    with services.db.read() as conn:
        before = feed.last_seq(conn)
    second = run(services, [path])
    assert (second.summary.created, second.summary.updated, second.summary.unchanged) == (0, 0, 9)
    with services.db.read() as conn:
        assert feed.last_seq(conn) == before


def test_a_field_entered_by_people_survives_reimport(services: Services, tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "g.ndjson", graph(1))
    run(services, [path])
    body = read(services, "Organization", "org-0")
    body["alias"] = ["Le Centre"]
    services.writes.update("Organization", "org-0", body,
                           LogEntry(actor="referent", provenance="referent"), caller=SYSTEM)
    changed = graph(1)
    changed[2]["name"] = "Centre renommé"
    second = run(services, [write_ndjson(tmp_path / "g2.ndjson", changed)])
    assert second.summary.updated == 1
    after = read(services, "Organization", "org-0")
    assert after["alias"] == ["Le Centre"] and after["name"] == "Centre renommé"
    assert provenance.sources(after)["alias"] == "referent"
    assert provenance.sources(after)["name"] == "import"


def test_malformed_lines_are_rejected_with_their_line(services: Services, tmp_path: Path) -> None:
    good = graph(1)
    bad_json = "{not json"
    no_key = {k: v for k, v in organization().items() if k != "identifier"}
    path = tmp_path / "mixed.ndjson"
    path.write_text("\n".join([json.dumps(good[2]), bad_json, json.dumps(no_key),
                               json.dumps({"name": "x"})]) + "\n", encoding="utf-8")
    importer = run(services, [path])
    assert (importer.summary.created, importer.summary.rejected) == (1, 3)
    lines = importer.rejects_path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("line 2, field json: not valid JSON")
    assert lines[1].startswith("line 3, field id:")
    assert lines[2].startswith("line 4, field resourceType:")


def test_invalid_resource_is_rejected_at_check_naming_the_field(services: Services,
                                                                tmp_path: Path) -> None:
    bad = {**location(), "id": "loc-bad"}
    bad["extension"] = []
    importer = run(services, [write_ndjson(tmp_path / "b.ndjson", [bad])])
    assert importer.summary.rejected >= 1
    text = importer.rejects_path.read_text(encoding="utf-8")
    assert text.startswith("line 1, field Location.extension")


def test_transaction_bundle_is_all_or_nothing(services: Services, tmp_path: Path) -> None:
    org = {**organization(), "id": "org-t"}
    hs = {**healthcare_service("urn:uuid:1"), "id": "hs-t",
          "identifier": [{"value": "11/9000100"}]}
    dangling = {**healthcare_service("Organization/absent"), "id": "hs-x",
                "identifier": [{"value": "11/9000101"}]}
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:1", "resource": org}, {"resource": hs}, {"resource": dangling}]}
    path = tmp_path / "tx.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    importer = run(services, [path])
    assert importer.summary.created == 0
    assert "whole transaction" in importer.rejects_path.read_text(encoding="utf-8")
    bundle["entry"] = bundle["entry"][:2]
    path.write_text(json.dumps(bundle), encoding="utf-8")
    assert run(services, [path]).summary.created == 2
    assert read(services, "HealthcareService", "hs-t")["providedBy"] == {
        "reference": "Organization/org-t"}


def test_interrupted_apply_resumes_without_loss_or_repeat(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_ndjson(tmp_path / "g.ndjson", graph(4))
    calls = {"n": 0}
    original = BulkWriter.upsert_all

    def crash_in_the_second_batch(self: BulkWriter, items: Any) -> Any:
        calls["n"] += 1
        result = original(self, items)
        if calls["n"] == 2:
            raise KeyboardInterrupt  # Ctrl-C after the writes, before the commit
        return result

    monkeypatch.setattr(BulkWriter, "upsert_all", crash_in_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        run(services, [path], batch_size=4)
    with services.db.read() as conn:
        assert len(feed.changes(conn)) == 4  # the first batch only
    monkeypatch.setattr(BulkWriter, "upsert_all", original)
    resumed = run(services, [], continue_from="apply", batch_size=4)
    assert resumed.summary.created == 12
    with services.db.read() as conn:
        assert len(feed.changes(conn)) == 12
