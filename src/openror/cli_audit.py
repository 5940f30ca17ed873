"""``openror audit …``: the audit trail of reads by API clients of profiles 1–5 (registered
by openror.cli)."""

from __future__ import annotations

import json
from datetime import datetime

import click

from openror.cli import fails_cleanly  # this module is loaded by openror.cli, at its end
from openror.config import load_settings


@click.group()
def audit() -> None:
    """The audit trail of reads by API clients of profiles 1-5."""


@audit.command("reads")
@click.option("--client", help="Only the reads of this client id.")
@click.option("--since", help="From this UTC date or date-time (ISO 8601).")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True,
              help="At most this many reads, the most recent first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--database", help="Database URL (default: OPENROR_DATABASE_URL).")
@fails_cleanly
def audit_reads(client: str | None, since: str | None, limit: int, as_json: bool,
                database: str | None) -> None:
    """Who read what, when, and the status they were answered."""
    from openror.store import audit as trail
    from openror.store.database import Database
    from openror.store.migrate import ensure_current

    handle = Database(load_settings().with_overrides(database_url=database)
                      .effective_database_url)
    try:
        ensure_current(handle)
        with handle.read() as conn:
            found = trail.find(conn, client_id=client, since=_since(since), limit=limit)
    finally:
        handle.dispose()
    for r in found:
        if as_json:
            click.echo(json.dumps({**r.__dict__, "at": r.at.isoformat() + "Z"}))
        else:
            query = f"?{r.query}" if r.query else ""
            click.echo(f"{r.at.isoformat(timespec='seconds')}Z {r.client_id} (profile "
                       f"{r.profile}) {r.method} {r.path}{query} -> {r.status} {r.request_id}")


def _since(raw: str | None) -> datetime | None:
    from openror.store.resources import parse_moment

    return parse_moment(raw, "--since") if raw else None
