"""openror check: derived rows that do not match their resource are reported per table with
the resources concerned; --repair rebuilds them; what cannot be rebuilt stays reported.
Both back-ends."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner

from openror.cli import main
from openror.store import consistency
from openror.store.capacity_history import capacity_history
from openror.store.database import Database
from openror.store.schema import identifier_index, resource, resource_version
from openror.store.search_tables import search_string, search_token, search_word
from tests.store.small_directory import Writer, populate


def _check(db: Database, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--no-progress", "--database", db.url,
                                       *options])
    return result.exit_code, result.stdout


def _line(out: str, table: str) -> list[str]:
    """The figures of ``table`` in a report: [missing, extra, different, resources]."""
    found = [line.split()[1:] for line in out.splitlines() if line.startswith(table + " ")]
    assert found, f"{table} not reported:\n{out}"
    return found[0]


def _corrupt(db: Database) -> None:
    with db.write() as conn:
        # a missing row: one token of the offer
        token = conn.execute(sa.select(search_token).where(
            search_token.c.type == "HealthcareService", search_token.c.id == "hs")).first()
        assert token is not None
        conn.execute(search_token.delete().where(*(
            search_token.c[name] == getattr(token, name) for name in token._fields)))
        # a different row: the name of an organisation
        conn.execute(search_string.update().where(
            search_string.c.id == "eg", search_string.c.param == "name").values(
            value="autre nom"))
        # extra rows: a stray word of the place, an identifier of no resource at all
        conn.execute(search_word.insert().values(type="Location", id="u1", word="stray",
                                                 weight=1))
        conn.execute(identifier_index.insert().values(type="Organization", id="ghost",
                                                      system="", value="123"))
        # a capacity figure of the place's history lost
        first = conn.execute(sa.select(sa.func.min(capacity_history.c.seq)).where(
            capacity_history.c.place_id == "u1")).scalar()
        conn.execute(capacity_history.delete().where(capacity_history.c.seq == first))
        # a current row that is not its latest version
        conn.execute(resource.update().where(resource.c.id == "eg2").values(
            content=b'{"resourceType":"Organization","id":"eg2"}'))


def test_a_directory_written_through_the_write_path_is_consistent(db: Database) -> None:
    populate(db)
    code, out = _check(db)
    assert code == 0, out
    assert "checked 5 resources" in out and "consistent" in out


def test_no_false_alarm_while_a_writer_keeps_writing(db: Database) -> None:
    populate(db)
    writer = Writer(db.url)
    writer.start()
    try:
        assert writer.started_writing.wait(60) and writer.failure is None
        reports = [consistency.check(db, batch=3) for _ in range(3)]
    finally:
        writer.stop.set()
        writer.join(60)
    assert writer.failure is None
    assert [r.tables for r in reports] == [{}, {}, {}]
    assert reports[-1].checked > 5  # the places the writer created meanwhile were checked


def test_each_corruption_is_reported_with_its_resource(db: Database) -> None:
    populate(db)
    _corrupt(db)
    code, out = _check(db)
    assert code == 1, out
    assert _line(out, "search_token") == ["1", "0", "0", "1"]
    assert _line(out, "search_string") == ["0", "0", "1", "1"]
    assert _line(out, "search_word") == ["0", "1", "0", "1"]
    assert _line(out, "identifier_index") == ["0", "1", "0", "1"]
    assert _line(out, "capacity_history") == ["1", "0", "0", "1"]
    assert _line(out, "resource") == ["0", "0", "1", "1"]
    for named in ("HealthcareService/hs", "Organization/eg", "Location/u1",
                  "Organization/ghost", "Organization/eg2"):
        assert f"  {named}" in out or f", {named}" in out, f"{named} not named:\n{out}"
    assert "search_date" not in out  # tables that match are not listed


def test_batches_of_any_size_find_the_same(db: Database) -> None:
    populate(db)
    _corrupt(db)
    reports = [consistency.check(db, batch=size) for size in (1, 2, 1000)]
    assert all(r.checked == 5 for r in reports)
    assert reports[0].tables == reports[1].tables == reports[2].tables


def test_repair_rebuilds_exactly_what_differs_then_check_is_clean(db: Database) -> None:
    populate(db)
    with db.read() as conn:
        latest = conn.execute(sa.select(resource_version.c.content).where(
            resource_version.c.id == "eg2")).scalar()
    _corrupt(db)
    code, out = _check(db, "--repair")
    assert code == 0, out
    assert "repaired: rebuilt the rows of 5 resources" in out
    assert "consistent after the repair" in out
    code, out = _check(db)
    assert code == 0 and "consistent" in out, out
    with db.read() as conn:
        assert conn.execute(sa.select(resource.c.content).where(
            resource.c.id == "eg2")).scalar() == latest
        assert conn.execute(sa.select(sa.func.count()).select_from(identifier_index).where(
            identifier_index.c.id == "ghost")).scalar() == 0


def test_a_lost_version_is_reported_and_not_papered_over(db: Database) -> None:
    populate(db)
    figures = _history_rows(db, "u1")
    with db.write() as conn:  # u1 is at version 3: its history loses version 3
        conn.execute(resource_version.delete().where(resource_version.c.id == "u1",
                                                     resource_version.c.version == 3))
    code, out = _check(db, "--repair")
    assert code == 1, out
    assert _line(out, "resource_version")[0] == "1"
    assert "still differing after the repair" in out
    with db.read() as conn:  # the current row, the only copy of version 3, is kept
        assert conn.execute(sa.select(resource.c.version).where(
            resource.c.id == "u1")).scalar() == 3
    assert _history_rows(db, "u1") == figures  # and so are the figures of version 3


def _history_rows(db: Database, place_id: str) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(capacity_history).where(
            capacity_history.c.place_id == place_id)).scalar_one())
