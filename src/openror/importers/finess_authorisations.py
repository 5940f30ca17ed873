"""``openror import finess-authorisations PATH…``: FINESS authorisations of care activities
into the reference table ``finess_authorisation`` (no ROR resource is written).

A table source, like ``nos`` and ``geo``: authorisations describe no resource, and a file is
the full list, so it replaces the table in one transaction instead of going through the
batched, resumable resource run. Layout (ours; the data.gouv file could not be checked): a
headered ``;``-separated CSV, UTF-8 or ISO-8859-1, with at least the columns ``nofinesset``,
``activite``, ``modalite``, ``forme``, ``datefin`` (ISO date or empty); other columns are
ignored. See docs/admin/import-finess.md.

A bad line is rejected (``line N, field X: what is wrong``); the site it names then keeps the
authorisations it had (its new list would be incomplete), every other site gets the file's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openror.config import Settings
from openror.errors import InvalidInput, error
from openror.importers.base import Reject
from openror.importers.checkdigits import finess_error
from openror.importers.finess_csv import separator_problem
from openror.importers.finess_io import text_lines
from openror.store import finess_reference as store
from openror.store.database import Database
from openror.store.resources import utcnow

SOURCE = "finess-authorisations"
REQUIRED = ("nofinesset", "activite", "modalite", "forme", "datefin")

Key = tuple[str, str, str, str]  # FINESS ET, activity, modality, form


@dataclass(frozen=True)
class SiteReject(Reject):
    """A rejected line whose site is known: that site keeps its stored authorisations."""

    finess: str = ""


@dataclass
class Authorisations:
    """What the files say: end date per authorisation, and the sites a reject spoiled."""

    wanted: dict[Key, date | None] = field(default_factory=dict)
    spoiled: set[str] = field(default_factory=set)
    rejects: list[Reject] = field(default_factory=list)

    def add(self, key: Key, end: date | None) -> None:
        """The same authorisation twice (several decisions): the later end wins, no end date
        (still in force) above all."""
        if key in self.wanted:
            before = self.wanted[key]
            end = None if before is None or end is None else max(before, end)
        self.wanted[key] = end

    @property
    def sites(self) -> int:
        return len({key[0] for key in self.wanted} - self.spoiled)


def import_finess_authorisations(settings: Settings, paths: list[Path],
                                 rejects: Path | None = None) -> str:
    """Read every file, then replace the table in one transaction; return the summary."""
    found = read_files(paths)
    db = Database(settings.effective_database_url)
    try:
        with db.write() as conn:
            done = store.replace_authorisations(conn, found.wanted, found.spoiled, utcnow())
    finally:
        db.dispose()
    summary = (f"import {SOURCE}: {len(found.wanted)} authorisations of {found.sites} sites "
               f"({done.added} added, {done.changed} changed, {done.removed} removed), "
               f"{len(found.rejects)} rejected")
    if found.rejects:
        where = rejects or _rejects_path(settings)
        where.parent.mkdir(parents=True, exist_ok=True)
        where.write_text("".join(f"{r}\n" for r in found.rejects), encoding="utf-8")
        summary += f"\nrejects: {where}"
    return summary


def _rejects_path(settings: Settings) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return settings.data_dir / "imports" / f"{SOURCE}-{stamp}.rejects.txt"


def read_files(paths: Sequence[Path]) -> Authorisations:
    """All files, as one list (a file-level problem refuses the whole import)."""
    found = Authorisations()
    for path in paths:
        for item in read_file(path):
            if isinstance(item, Reject):
                found.rejects.append(item)
                if isinstance(item, SiteReject):
                    found.spoiled.add(item.finess)
            else:
                found.add(*item)
    # a site with a rejected line keeps its stored rows: drop what the file said of it
    found.wanted = {k: v for k, v in found.wanted.items() if k[0] not in found.spoiled}
    return found


Item = tuple[Key, date | None] | Reject


def read_file(path: Path) -> Iterator[Item]:
    if not path.is_file():
        raise FileNotFoundError(2, "no such file or directory", str(path))
    with path.open("rb") as handle:
        lines = text_lines(handle)
        header = _header(path, next(lines, (1, ""))[1])
        for number, line in lines:
            if line.strip():
                yield from _line(number, line, header)


def _header(path: Path, line: str) -> list[str]:
    if (problem := separator_problem(line)) is not None:
        raise InvalidInput([error("invalid", f"{path}: line 1: {problem}")])
    header = [name.strip().lower() for name in line.split(";")]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InvalidInput([error("invalid", f"{path}: line 1: missing column(s) "
                                  f"{', '.join(missing)}; expected a header with "
                                  f"{';'.join(REQUIRED)}")])
    return header


def _line(number: int, line: str, header: list[str]) -> Iterator[Item]:
    fields = [value.strip() for value in line.split(";")]
    if len(fields) < len(header):
        yield Reject(number, header[len(fields) - 1],
                     f"{len(fields)} fields; expected {len(header)} (truncated line?)")
        return
    row = dict(zip(header, fields, strict=False))
    finess = row["nofinesset"]
    if problem := finess_error(finess):
        yield Reject(number, "nofinesset", problem)
        return
    problem_or_end = _end_date(row["datefin"])
    if not row["activite"]:
        yield SiteReject(number, "activite", "the activity code is missing", finess)
    elif isinstance(problem_or_end, str):
        yield SiteReject(number, "datefin", problem_or_end, finess)
    else:
        key = (finess, _code(row["activite"]), _code(row["modalite"]), _code(row["forme"]))
        yield key, problem_or_end


def _end_date(value: str) -> date | str | None:
    """The end date, or what is wrong with it ("2026-05-31 00:00:00" is accepted)."""
    if not value:
        return None
    text = value[:10] if len(value) > 10 and value[10] in " T" else value
    try:
        return date.fromisoformat(text) if len(text) == 10 else _bad(value)
    except ValueError:
        return _bad(value)


def _bad(value: str) -> str:
    return f"'{value}' is not a date (YYYY-MM-DD)"


def _code(value: str) -> str:
    """FINESS codes have two digits; a spreadsheet may have dropped the leading zero."""
    return value.zfill(2) if value.isdigit() and len(value) == 1 else value
