"""Search index tables: one row per searchable value, derived from the stored resources.

Rebuildable like the identifier and reference indexes (``openror reindex``). ``grp`` numbers
the capacity record, equipment, price… a grouped value belongs to (0: not grouped), so that
correlated parameters can be required to hold on the same element. Text columns compared by
range use the bytewise "C" collation on PostgreSQL, which is SQLite's default.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from openror.store.schema import metadata


def _text(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def _owner() -> list[sa.Column[str]]:
    return [sa.Column("type", sa.String(64), nullable=False),
            sa.Column("id", sa.String(64), nullable=False)]


search_token = sa.Table(
    "search_token", metadata, *_owner(),
    sa.Column("param", sa.String(64), nullable=False),
    sa.Column("grp", sa.Integer, nullable=False),
    sa.Column("system", sa.String(255), nullable=False),
    sa.Column("code", sa.String(255), nullable=False),
)
sa.Index("ix_search_token", search_token.c.type, search_token.c.param, search_token.c.code,
         search_token.c.system, search_token.c.id, search_token.c.grp)
# covering, so that sorting by a parameter looks each resource up by id
sa.Index("ix_search_token_owner", search_token.c.type, search_token.c.id,
         search_token.c.param, search_token.c.code)

search_string = sa.Table(
    "search_string", metadata, *_owner(),
    sa.Column("param", sa.String(64), nullable=False),
    sa.Column("value", _text(255), nullable=False),  # normalized: lower case, no accents
    sa.Column("exact", sa.String(255), nullable=False),
)
sa.Index("ix_search_string", search_string.c.type, search_string.c.param, search_string.c.value,
         search_string.c.id)
# covering, so that sorting by a parameter looks each resource up by id
sa.Index("ix_search_string_owner", search_string.c.type, search_string.c.id,
         search_string.c.param, search_string.c.value)

search_date = sa.Table(
    "search_date", metadata, *_owner(),
    sa.Column("param", sa.String(64), nullable=False),
    sa.Column("grp", sa.Integer, nullable=False),
    sa.Column("low", _text(26), nullable=False),
    sa.Column("high", _text(26), nullable=False),
)
sa.Index("ix_search_date", search_date.c.type, search_date.c.param, search_date.c.low,
         search_date.c.high, search_date.c.id)
# covering, so that sorting by a parameter looks each resource up by id
sa.Index("ix_search_date_owner", search_date.c.type, search_date.c.id,
         search_date.c.param, search_date.c.low, search_date.c.high)

search_number = sa.Table(
    "search_number", metadata, *_owner(),
    sa.Column("param", sa.String(64), nullable=False),
    sa.Column("grp", sa.Integer, nullable=False),
    sa.Column("value", sa.Float, nullable=False),  # canonical unit for quantities
    sa.Column("system", sa.String(255), nullable=False),
    sa.Column("unit", sa.String(64), nullable=False),  # '' for plain numbers
    sa.Column("raw", sa.Float, nullable=False),  # as written, for a quantity without unit
)
sa.Index("ix_search_number", search_number.c.type, search_number.c.param, search_number.c.value,
         search_number.c.id)
# covering, so that sorting by a parameter looks each resource up by id
sa.Index("ix_search_number_owner", search_number.c.type, search_number.c.id,
         search_number.c.param, search_number.c.value)

search_ref = sa.Table(
    "search_ref", metadata, *_owner(),
    sa.Column("param", sa.String(64), nullable=False),
    sa.Column("target_type", sa.String(64), nullable=False),
    sa.Column("target_id", sa.String(64), nullable=False),
)
sa.Index("ix_search_ref_target", search_ref.c.target_type, search_ref.c.target_id,
         search_ref.c.type, search_ref.c.param, search_ref.c.id)
sa.Index("ix_search_ref_owner", search_ref.c.type, search_ref.c.id,
         search_ref.c.param, search_ref.c.target_id)

search_geo = sa.Table(
    "search_geo", metadata, *_owner(),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
)
sa.Index("ix_search_geo", search_geo.c.type, search_geo.c.lat, search_geo.c.lon,
         search_geo.c.id)
sa.Index("ix_search_geo_owner", search_geo.c.type, search_geo.c.id, search_geo.c.lat,
         search_geo.c.lon)

#: grid cells of 1/10 degree, numbered row by row (latitude), so that the cells of one row
#: of a circle's bounding box are one range of numbers: a ``near`` reads a few short ranges
#: of this index instead of a whole band of latitude across the country
CELLS_PER_DEGREE = 10
CELL_ROW = 360 * CELLS_PER_DEGREE


def geo_cell(lat: Any, lon: Any) -> Any:
    """The cell of a position, as SQL. Constants are literals, not parameters: a query must
    spell the indexed expression exactly for the database to use the index."""
    n: Any = sa.literal_column(str(CELLS_PER_DEGREE))
    row: Any = sa.literal_column(str(CELL_ROW))
    return (sa.func.floor((lat + sa.literal_column("90")) * n) * row
            + sa.func.floor((lon + sa.literal_column("180")) * n))


sa.Index("ix_search_geo_cell", search_geo.c.type, geo_cell(search_geo.c.lat, search_geo.c.lon),
         search_geo.c.lat, search_geo.c.lon, search_geo.c.id)

search_word = sa.Table(
    "search_word", metadata, *_owner(),
    sa.Column("word", _text(64), nullable=False),
    sa.Column("weight", sa.Integer, nullable=False),
)
sa.Index("ix_search_word", search_word.c.type, search_word.c.word, search_word.c.id,
         search_word.c.weight)
sa.Index("ix_search_word_owner", search_word.c.type, search_word.c.id, search_word.c.word,
         search_word.c.weight)

#: one row per capacity record of a place (per combination of its codes, when a code has more
#: than one coding): a correlated capacity search is one row lookup, not a join of index rows
CAPACITY_TOKENS = ("status", "nature", "temporality", "gender", "closing", "additional",
                   "crisis", "assignment")
search_capacity = sa.Table(
    "search_capacity", metadata, *_owner(),
    sa.Column("grp", sa.Integer, nullable=False),
    sa.Column("n", sa.Integer, nullable=False),  # combination rank within the record
    *(column for name in CAPACITY_TOKENS for column in (
        sa.Column(name, sa.String(255), nullable=True),
        # NULL: the code's usual NOS system (most rows); otherwise the system as written
        sa.Column(f"{name}_system", sa.String(255), nullable=True))),
    sa.Column("nb", sa.Float, nullable=True),
    sa.Column("updated_low", _text(26), nullable=True),
    sa.Column("updated_high", _text(26), nullable=True),
    sa.PrimaryKeyConstraint("type", "id", "grp", "n"),
    sqlite_with_rowid=False,  # the records of a place are stored together
)
sa.Index("ix_search_capacity", search_capacity.c.type, search_capacity.c.status,
         search_capacity.c.nature, search_capacity.c.temporality, search_capacity.c.id)
#: the update dates of the availability figures (status 02): store.freshness_counts
sa.Index("ix_search_capacity_available_updated", search_capacity.c.type,
         search_capacity.c.status, search_capacity.c.n, search_capacity.c.updated_low,
         sqlite_where=sa.text("status = '02'"), postgresql_where=sa.text("status = '02'"))

#: one row per (offer, one of its activities, a capacity row of one of its places): the
#: offers of an activity with such a capacity are one range of an index (store.offer_capacity)
search_offer_capacity = sa.Table(
    "search_offer_capacity", metadata,
    sa.Column("id", sa.String(64), nullable=False),  # the offer (HealthcareService)
    sa.Column("system", sa.String(255), nullable=False),  # one of its activities
    sa.Column("code", sa.String(255), nullable=False),
    sa.Column("location_id", sa.String(64), nullable=False),  # the place of the capacity row
    *(sa.Column(c.name, c.type, nullable=c.nullable) for c in search_capacity.columns
      if c.name not in ("type", "id")),
)
#: covering the usual search (an available, current bed of a gender, count > 0, NOS systems):
#: on SQLite the rows are then not read (12,513 offers of an activity: 22 → 2 ms)
_OFFER_CAPACITY_KEY = ("code", "status", "nature", "temporality", "gender", "nb",
                      "status_system", "nature_system", "temporality_system", "gender_system",
                      "system", "id")
sa.Index("ix_search_offer_capacity",
         *(search_offer_capacity.c[name] for name in _OFFER_CAPACITY_KEY))
sa.Index("ix_search_offer_capacity_offer", search_offer_capacity.c.id)
sa.Index("ix_search_offer_capacity_place", search_offer_capacity.c.location_id)

#: a client paging through results reads the matches fixed by its first page
search_snapshot = sa.Table(
    "search_snapshot", metadata,
    sa.Column("token", sa.String(64), primary_key=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    # JSON: [[id, version, distance|null, score|null], ...]
    sa.Column("matches", sa.LargeBinary, nullable=False),
    sa.Column("total", sa.Integer, nullable=True),
)
sa.Index("ix_search_snapshot_created", search_snapshot.c.created_at)

INDEX_TABLES = ("search_token", "search_string", "search_date", "search_number", "search_ref",
                "search_geo", "search_word", "search_capacity")
