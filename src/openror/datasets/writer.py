"""Streaming ndjson output, one file per resource type, byte-identical from run to run.

Gzip members are written with mtime 0 and no file name, so a compressed file depends only on
its content.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, Any, cast

import orjson

#: import order of the types (references point backwards), also the order of the counts
TYPES = ("Organization", "Location", "HealthcareService", "Practitioner", "PractitionerRole",
         "Task")


def open_binary(path: Path, compress: bool) -> IO[bytes]:
    raw = path.open("wb")
    if not compress:
        return raw
    packed = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6)
    return cast(IO[bytes], packed)  # GzipFile is a binary file; typeshed does not say IO


@contextmanager
def deterministic_gzip(path: Path) -> Iterator[gzip.GzipFile]:
    """One gzip file, smallest (level 9), for the demo sample and the FINESS reference."""
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                               compresslevel=9) as handle:
        yield handle


def close_binary(handle: IO[bytes]) -> None:
    """Close a file from ``open_binary`` (a GzipFile leaves the file it was given open)."""
    inner = handle.fileobj if isinstance(handle, gzip.GzipFile) else None
    handle.close()
    if inner is not None:
        inner.close()


class TypeFiles:
    """``<Type>.ndjson`` (or ``.ndjson.gz``) in a directory; counts what it wrote."""

    def __init__(self, directory: Path, compress: bool = False) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        suffix = ".ndjson.gz" if compress else ".ndjson"
        self.paths = {t: directory / f"{t}{suffix}" for t in TYPES}
        self._files: dict[str, IO[bytes]] = {}
        self.compress = compress
        self.counts = dict.fromkeys(TYPES, 0)

    def write(self, resource: dict[str, Any]) -> None:
        rtype = resource["resourceType"]
        handle = self._files.get(rtype)
        if handle is None:
            handle = self._files[rtype] = open_binary(self.paths[rtype], self.compress)
        handle.write(orjson.dumps(resource) + b"\n")
        self.counts[rtype] += 1

    def close(self) -> None:
        for rtype, path in self.paths.items():
            if rtype not in self._files:  # every type has its file, even empty
                self._files[rtype] = open_binary(path, self.compress)
        for handle in self._files.values():
            close_binary(handle)
        self._files.clear()

    def __enter__(self) -> TypeFiles:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
