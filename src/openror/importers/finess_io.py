"""Reading FINESS files line by line, whatever their packaging and encoding.

Files are streamed: a national file never sits in memory. Each line is decoded as UTF-8, and as
ISO-8859-1 when it is not valid UTF-8 (the historical data.gouv extract is ISO-8859-1; accented
ISO-8859-1 text is practically never valid UTF-8, so the two cannot be confused).
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar")


def decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("iso-8859-1")
    return text.lstrip("\ufeff").rstrip("\r\n")


def text_lines(raw: Iterable[bytes]) -> Iterator[tuple[int, str]]:
    """(1-based line number, decoded line without its end of line)."""
    for number, line in enumerate(raw, start=1):
        yield number, decode(line)


def is_tar(path: Path) -> bool:
    return path.name.lower().endswith(TAR_SUFFIXES)


def tar_members(path: Path) -> Iterator[tuple[str, IO[bytes]]]:
    """Regular files of a tarball, read in stream mode (one pass, nothing extracted)."""
    with tarfile.open(path, mode="r|*") as archive:
        for member in archive:
            if member.isfile():
                handle = archive.extractfile(member)
                if handle is not None:
                    yield member.name, handle


def first_line(path: Path) -> str:
    """The first non-empty line of a plain file (for layout detection)."""
    with path.open("rb") as handle:
        for raw in handle:
            line = decode(raw).strip()
            if line:
                return line
    return ""
