"""Reading source files strictly: gzip or plain, UTF-8 only, CSV with a known header, JSON
arrays entry by entry. Every problem is an :class:`InvalidInput` saying
``line N, field X: what is wrong`` and naming the file."""

from __future__ import annotations

import csv
import gzip
import json
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from openror.errors import InvalidInput, error

_SEPARATORS = (",", ";", "\t", "|")


def bad_line(path: Path, line: int, field: str, message: str) -> InvalidInput:
    return InvalidInput([error("invalid", f"line {line}, field {field}: {message}", path.name)])


def read_text(path: Path, sep: str = "") -> str:
    """The file's text; ``sep`` (CSV) lets a decoding error name its column."""
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise bad_line(path, 1, "file", f"not a valid gzip file ({exc})") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, field = _locate(raw, exc.start, sep)
        raise bad_line(path, line, field, "not UTF-8 text (a Latin-1/Windows-1252 file? "
                       "convert it with 'iconv -f latin1 -t utf-8')") from exc


def _locate(raw: bytes, offset: int, sep: str) -> tuple[int, str]:
    """Line number and column name (from the header) of a byte offset."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    line = raw.count(b"\n", 0, offset) + 1
    if not sep:
        return line, "text"
    header = raw.split(b"\n", 1)[0].decode("utf-8", "replace").strip().split(sep)
    column = raw.count(sep.encode(), line_start, offset)
    name = header[column].strip('"') if column < len(header) else f"#{column + 1}"
    return line, name


def read_csv(path: Path, sep: str, required: Sequence[str]
             ) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row by column name) for each non-empty line after the header."""
    text = read_text(path, sep)
    reader = csv.reader(text.splitlines(), delimiter=sep, strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise bad_line(path, 1, "header", "the file is empty") from None
    _check_header(path, header, sep, required)
    try:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                yield reader.line_num, _row(path, reader.line_num, header, row)
    except csv.Error as exc:
        raise bad_line(path, reader.line_num, "text", f"malformed CSV ({exc})") from exc


def _check_header(path: Path, header: list[str], sep: str, required: Sequence[str]) -> None:
    missing = [name for name in required if name not in header]
    if not missing:
        return
    joined = sep.join(header)
    for other in _SEPARATORS:
        if other != sep and all(name in joined.split(other) or f'"{name}"' in joined
                                for name in required):
            raise bad_line(path, 1, "header", f"columns are separated by {other!r}, "
                           f"expected {sep!r}")
    raise bad_line(path, 1, missing[0], f"missing column (expected {sep.join(required)})")


def _row(path: Path, line: int, header: list[str], row: list[str]) -> dict[str, str]:
    if len(row) < len(header):
        raise bad_line(path, line, header[len(row)], f"missing: the line has {len(row)} "
                       f"fields, {len(header)} expected (truncated line?)")
    if len(row) > len(header):
        raise bad_line(path, line, "text", f"the line has {len(row)} fields, "
                       f"{len(header)} expected (unquoted separator?)")
    return {name: cell.strip() for name, cell in zip(header, row, strict=True)}


def read_json_array(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each entry of a JSON array of objects."""
    text = read_text(path)
    decoder = json.JSONDecoder()
    pos = _skip(text, 0)
    if not text.startswith("[", pos):
        raise bad_line(path, text.count("\n", 0, pos) + 1, "text", "expected a JSON array")
    pos = _skip(text, pos + 1)
    line, counted = 1, 0  # newlines are counted incrementally: files have 40,000 entries
    while not text.startswith("]", pos):
        line, counted = line + text.count("\n", counted, pos), pos
        try:
            item, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise bad_line(path, exc.lineno, "text", f"invalid JSON ({exc.msg})") from exc
        if not isinstance(item, dict):
            raise bad_line(path, line, "entry", "expected a JSON object")
        yield line, item
        pos = _skip(text, end)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
        elif not text.startswith("]", pos):
            raise bad_line(path, line + text.count("\n", counted, pos), "text",
                           "expected ',' or ']' after an entry (truncated file?)")


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos
