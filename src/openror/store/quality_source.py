"""What a quality run reads: the current resources of a type, streamed in one statement."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

from openror.store.rawsql import py_time
from openror.store.schema import resource

#: rows fetched per round trip; PostgreSQL streams them through a server-side cursor
BATCH = 2000


def live(conn: sa.Connection, rtype: str
         ) -> Iterator[tuple[str, str | None, datetime, dict[str, Any]]]:
    """(id, region, last_updated, body) of every live resource of a type."""
    stmt = (sa.select(resource.c.id, resource.c.region, resource.c.last_updated,
                      resource.c.content)
            .where(resource.c.type == rtype, resource.c.deleted.is_(False)))
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)
    for rid, region, last_updated, content in result:
        yield rid, region, py_time(last_updated), orjson.loads(content)
