"""Tables of the quality work (quality package): rule results, weekly indicator snapshots,
the anomalies the rules raised, owners' confirmations and the reminders sent to them.

Results and snapshots are derived: a quality run recomputes them from the resources and the
FINESS reference. Confirmations and reminders are records of people's actions.
"""

from __future__ import annotations

import sqlalchemy as sa

from openror.store.schema import metadata

quality_run = sa.Table(
    "quality_run", metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("trigger", sa.String(16), nullable=False),  # cli | schedule | api
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime, nullable=True),
    sa.Column("summary", sa.Text, nullable=True),  # JSON: per rule, conformant and deviating
)

#: one row per rule and unit in its scope; a unit out of scope (not applicable) has no row
quality_result = sa.Table(
    "quality_result", metadata,
    sa.Column("rule", sa.String(16), primary_key=True),
    # "<Type>/<id>" of a resource, or "finess:<number>" for a FINESS site absent from the ROR
    sa.Column("unit", sa.String(140), primary_key=True),
    sa.Column("deviating", sa.Boolean, nullable=False),
    sa.Column("region", sa.String(8), nullable=True),
    sa.Column("departement", sa.String(8), nullable=True),
    sa.Column("field", sa.String(16), nullable=True),  # champ d'activité (TRE_R227) or domain
    sa.Column("category", sa.String(16), nullable=True),  # establishment category (TRE_R66)
    sa.Column("site", sa.String(80), nullable=True),  # Organization/<id> owning the unit
    sa.Column("detail", sa.String(500), nullable=True),  # what deviates, in French
    sa.Column("run_id", sa.String(64), nullable=False),
)
sa.Index("ix_quality_result_site", quality_result.c.site, quality_result.c.rule)
sa.Index("ix_quality_result_region", quality_result.c.region, quality_result.c.rule)

#: weekly indicator rows (week = the Monday); for a rule: perimeter and deviating units;
#: for population (indicator "POP"): finalised, in progress (partial) and to do (deviating)
indicator_snapshot = sa.Table(
    "indicator_snapshot", metadata,
    sa.Column("week", sa.Date, primary_key=True),
    sa.Column("indicator", sa.String(16), primary_key=True),
    sa.Column("region", sa.String(8), primary_key=True),
    sa.Column("departement", sa.String(8), primary_key=True),
    sa.Column("field", sa.String(16), primary_key=True),
    sa.Column("category", sa.String(16), primary_key=True),
    sa.Column("perimeter", sa.Integer, nullable=False),
    sa.Column("conformant", sa.Integer, nullable=False),
    sa.Column("partial", sa.Integer, nullable=False),
    sa.Column("deviating", sa.Integer, nullable=False),
    sa.Column("run_id", sa.String(64), nullable=False),
)

#: the Task a rule raised for a deviating unit, so that a later run updates it, not duplicates
quality_anomaly = sa.Table(
    "quality_anomaly", metadata,
    sa.Column("rule", sa.String(16), primary_key=True),
    sa.Column("unit", sa.String(140), primary_key=True),
    sa.Column("task_id", sa.String(64), nullable=False),
)

#: « tout est à jour »: the owner confirmed the description of a unit without changing it
quality_confirmation = sa.Table(
    "quality_confirmation", metadata,
    sa.Column("unit", sa.String(140), primary_key=True),  # "<Type>/<id>"
    sa.Column("confirmed_at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
)

#: the last freshness reminder sent to a recipient about a unit
quality_reminder = sa.Table(
    "quality_reminder", metadata,
    sa.Column("recipient", sa.String(320), primary_key=True),
    sa.Column("unit", sa.String(140), primary_key=True),
    sa.Column("sent_at", sa.DateTime, nullable=False),
    sa.Column("mail_id", sa.BigInteger, nullable=True),  # the mail_outbox row
)
