"""Quality: rule results, indicator snapshots, raised anomalies, confirmations, reminders;
the FINESS reference (sites and authorisations).

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quality_run",
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime, nullable=True),
        sa.Column("summary", sa.Text, nullable=True),
    )
    op.create_table(
        "quality_result",
        sa.Column("rule", sa.String(16), primary_key=True),
        sa.Column("unit", sa.String(140), primary_key=True),
        sa.Column("deviating", sa.Boolean, nullable=False),
        sa.Column("region", sa.String(8), nullable=True),
        sa.Column("departement", sa.String(8), nullable=True),
        sa.Column("field", sa.String(16), nullable=True),
        sa.Column("category", sa.String(16), nullable=True),
        sa.Column("site", sa.String(80), nullable=True),
        sa.Column("detail", sa.String(500), nullable=True),
        sa.Column("run_id", sa.String(64), nullable=False),
    )
    op.create_index("ix_quality_result_site", "quality_result", ["site", "rule"])
    op.create_index("ix_quality_result_region", "quality_result", ["region", "rule"])
    op.create_table(
        "indicator_snapshot",
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
    op.create_table(
        "quality_anomaly",
        sa.Column("rule", sa.String(16), primary_key=True),
        sa.Column("unit", sa.String(140), primary_key=True),
        sa.Column("task_id", sa.String(64), nullable=False),
    )
    op.create_table(
        "quality_confirmation",
        sa.Column("unit", sa.String(140), primary_key=True),
        sa.Column("confirmed_at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
    )
    op.create_table(
        "quality_reminder",
        sa.Column("recipient", sa.String(320), primary_key=True),
        sa.Column("unit", sa.String(140), primary_key=True),
        sa.Column("sent_at", sa.DateTime, nullable=False),
        sa.Column("mail_id", sa.BigInteger, nullable=True),
    )
    op.create_table(
        "finess_site",
        sa.Column("finess", sa.String(9), primary_key=True),
        sa.Column("finess_ej", sa.String(9), nullable=True),
        sa.Column("name", sa.String(300), nullable=True),
        sa.Column("category", sa.String(8), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("closing_type", sa.String(8), nullable=True),
        sa.Column("region", sa.String(8), nullable=True),
        sa.Column("departement", sa.String(8), nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_finess_site_region", "finess_site", ["region"])
    op.create_table(
        "finess_authorisation",
        sa.Column("finess", sa.String(9), primary_key=True),
        sa.Column("activity", sa.String(8), primary_key=True),
        sa.Column("modality", sa.String(8), primary_key=True),
        sa.Column("form", sa.String(8), primary_key=True),
        sa.Column("end_date", sa.Date, nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("finess_authorisation", "finess_site", "quality_reminder",
                  "quality_confirmation", "quality_anomaly", "indicator_snapshot",
                  "quality_result", "quality_run"):
        op.drop_table(table)
