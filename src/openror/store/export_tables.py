"""Bulk export jobs ($export, sync.export): one row per job, the state every server process
shares. A job is claimed by one process with a lease it renews while it runs; a job whose
lease ran out (its process died) is taken again by another, never by two at once."""

from __future__ import annotations

import sqlalchemy as sa

from openror.store.schema import metadata

export_job = sa.Table(
    "export_job", metadata,
    sa.Column("id", sa.String(36), primary_key=True),  # a UUID, the _jobId of the status URL
    sa.Column("owner", sa.String(200), nullable=False),  # the caller's actor: who may poll
    sa.Column("caller", sa.Text, nullable=False),  # JSON: the read policy it runs under
    sa.Column("request", sa.String(4000), nullable=False),  # the kick-off URL
    sa.Column("params", sa.Text, nullable=False),  # JSON of the parsed ExportRequest
    sa.Column("status", sa.String(16), nullable=False),  # queued running done failed expired
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("lease_owner", sa.String(64), nullable=True),  # the running attempt's token
    sa.Column("lease_until", sa.DateTime, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("progress", sa.String(500), nullable=True),
    sa.Column("transaction_time", sa.DateTime, nullable=True),
    # the snapshot's newest change: the feed's position a consumer goes on from
    sa.Column("feed_position", sa.BigInteger, nullable=True),
    sa.Column("directory", sa.String(200), nullable=True),  # of the files, under exports/
    sa.Column("output", sa.Text, nullable=True),  # JSON list of {type, name, count}
    sa.Column("error", sa.String(1000), nullable=True),
    sa.Column("expires_at", sa.DateTime, nullable=True),
)
sa.Index("ix_export_job_status", export_job.c.status, export_job.c.lease_until)
