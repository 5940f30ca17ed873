"""The FINESS reference read API used by the quality rules, and its writes, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from openror.store import finess_reference as ref
from openror.store.database import Database

T0, T1 = datetime(2025, 1, 6, 8, 0), datetime(2025, 2, 3, 8, 0)


def site(number: str, state: str = "open", **more: str | None) -> dict[str, str | None]:
    return {"finess": number, "finess_ej": "010780054", "name": f"Site {number}",
            "category": "355", "state": state, "closing_type": None, "region": "84",
            "departement": "01", **more}


def test_sites_stream_in_finess_order_with_every_column(db: Database) -> None:
    with db.write() as conn:
        assert ref.upsert_sites(conn, [site("010000032"), site(
            "2A0000022", "provisional", closing_type="PRO", region="94", departement="2A"),
            site("010000024")], T0) == 3
    with db.read() as conn:
        found = ref.sites(conn)
        assert isinstance(found, Iterator)
        rows = list(found)
    assert [r.finess for r in rows] == ["010000024", "010000032", "2A0000022"]
    assert rows[2] == ref.FinessSite("2A0000022", "010780054", "Site 2A0000022", "355",
                                     "provisional", "PRO", "94", "2A", T0)


def test_upsert_touches_only_what_changed(db: Database) -> None:
    with db.write() as conn:
        ref.upsert_sites(conn, [site("010000024"), site("010000032")], T0)
    with db.write() as conn:
        assert ref.upsert_sites(conn, [site("010000024"), site("010000032", name="CH")],
                                T1) == 1
    with db.read() as conn:
        stamps = {r.finess: (r.name, r.updated_at) for r in ref.sites(conn)}
    assert stamps == {"010000024": ("Site 010000024", T0), "010000032": ("CH", T1)}


def test_close_sites_leaves_closed_and_lapsed_ones_as_finess_said(db: Database) -> None:
    with db.write() as conn:
        ref.upsert_sites(conn, [site("010000024"), site("010000032"),
                                site("010000065", "lapsed"),
                                site("010000081", "provisional", closing_type="PRO")], T0)
    with db.write() as conn:
        assert ref.close_sites(conn, lambda n: n == "010000024", T1, "DEF") == 1
    with db.read() as conn:
        states = {r.finess: (r.state, r.closing_type) for r in ref.sites(conn)}
    assert states == {"010000024": ("open", None), "010000032": ("closed", "DEF"),
                      "010000065": ("lapsed", None), "010000081": ("provisional", "PRO")}


def test_authorisations_are_grouped_by_site(db: Database) -> None:
    wanted = {("010000024", "15", "09", "00"): None,
              ("010000024", "14", "23", "00"): date(2027, 5, 31),
              ("970300026", "03", "01", "00"): date(2026, 1, 1)}
    with db.write() as conn:
        assert ref.replace_authorisations(conn, wanted, set(), T0) == ref.Replaced(3, 0, 0)
    with db.read() as conn:
        found = ref.authorisations(conn)
    assert found == {
        "010000024": [ref.Authorisation("14", "23", "00", date(2027, 5, 31)),
                      ref.Authorisation("15", "09", "00", None)],
        "970300026": [ref.Authorisation("03", "01", "00", date(2026, 1, 1))]}
