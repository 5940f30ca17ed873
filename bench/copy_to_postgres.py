"""Copy the tables search reads from an imported SQLite database into a PostgreSQL one.

For the search benchmark on PostgreSQL: importing the national dataset a second time through
the write path takes about an hour on 2 cores (import throughput is bench/import_national.py's
business), while the rows are the same. Copies ``resource``, ``resource_version`` and the
derived tables (identifier, reference and search indexes) with COPY into a database at the
current schema, then runs ANALYZE. The change feed and change log are not copied.

    .venv/bin/python bench/copy_to_postgres.py SQLITE_FILE POSTGRES_URL [TABLE,TABLE…]

The optional third argument copies only those tables (the quality benchmark needs the
resources and the links, not the search index).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg

BIN = Path(sys.executable).parent
TABLES = ("resource", "resource_version", "identifier_index", "reference_index",
          "search_token", "search_string", "search_date", "search_number", "search_ref",
          "search_geo", "search_word", "search_capacity", "search_offer_capacity")
BOOLEAN = {"deleted"}


def copy_table(source: sqlite3.Connection, target: psycopg.Connection, table: str) -> int:
    columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
    flags = [c in BOOLEAN for c in columns]
    count = 0
    with target.cursor() as cur, cur.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in source.execute(f"SELECT {', '.join(columns)} FROM {table}"):
            copy.write_row([bool(v) if flag and v is not None else v
                            for v, flag in zip(row, flags, strict=True)])
            count += 1
    target.commit()
    return count


def secondary_indexes(target: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the indexes that back no primary key or unique constraint."""
    rows = target.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))", (table,)).fetchall()
    return [(name, definition) for name, definition in rows]


def main() -> int:
    sqlite_file, url = Path(sys.argv[1]), sys.argv[2]
    tables = tuple(sys.argv[3].split(",")) if len(sys.argv) > 3 else TABLES
    subprocess.run([str(BIN / "openror"), "db", "upgrade", "--database", url], check=True)
    source = sqlite3.connect(f"file:{sqlite_file}?mode=ro", uri=True)
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as target:
        for table in tables:
            start = time.perf_counter()
            indexes = secondary_indexes(target, table)
            for name, _ in indexes:  # built once at the end: much faster than row by row
                target.execute(f"DROP INDEX {name}")
            target.execute(f"TRUNCATE {table}")
            n = copy_table(source, target, table)
            for _, definition in indexes:
                target.execute(definition)
            target.commit()
            print(f"{table}: {n:,} rows in {time.perf_counter() - start:.0f} s", flush=True)
        # the change feed is not copied but the versions keep their sequence numbers, which
        # are unique: the next write is numbered after them (else every write fails)
        target.execute("SELECT setval(pg_get_serial_sequence('change_feed', 'seq'), "
                       "COALESCE((SELECT max(seq) FROM resource_version), 0) + 1, false)")
        target.execute("ANALYZE")
        target.commit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
