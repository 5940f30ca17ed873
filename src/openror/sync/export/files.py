"""The files of one resource type: ndjson (one resource a line, the stored bytes as they are)
or, for the ROR JSON variant, one FHIR Bundle of type ``collection`` per file. A type with more
resources than a file holds goes in several numbered files. Written with large buffered writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

BUFFER = 1 << 20


@dataclass(frozen=True)
class OutputFile:
    type: str
    name: str  # the file's name in the export's directory
    count: int


class TypeFiles:
    def __init__(self, directory: Path, rtype: str, *, ndjson: bool, max_per_file: int,
                 base: str, timestamp: str) -> None:
        self.directory, self.rtype, self.ndjson = directory, rtype, ndjson
        self.max_per_file, self.base, self.timestamp = max(1, max_per_file), base, timestamp
        self.written: list[OutputFile] = []
        self._out: BinaryIO | None = None
        self._name = ""
        self._count = 0

    @property
    def count(self) -> int:
        """Resources written so far, in all files."""
        return sum(f.count for f in self.written) + self._count

    def add_page(self, page: list[tuple[str, bytes]]) -> None:
        """Resources in order: ndjson pages go in one write each, up to the file's limit."""
        while page:
            if self._out is None or self._count >= self.max_per_file:
                self._next_file()
            room = self.max_per_file - self._count
            part, page = (page, []) if len(page) <= room else (page[:room], page[room:])
            if self.ndjson:
                assert self._out is not None
                self._out.write(b"\n".join([content for _, content in part]))
                self._out.write(b"\n")
                self._count += len(part)
            else:
                for rid, content in part:
                    self.add(rid, content)

    def add(self, rid: str, content: bytes) -> None:
        if self._out is None or self._count >= self.max_per_file:
            self._next_file()
        out = self._out
        assert out is not None
        if self.ndjson:
            out.write(content)
            out.write(b"\n")
        else:
            if self._count:
                out.write(b",")
            full = f'"fullUrl":"{self.base}/{self.rtype}/{rid}",' if self.base else ""
            out.write(f'{{{full}"resource":'.encode())
            out.write(content)
            out.write(b"}")
        self._count += 1

    def close(self) -> list[OutputFile]:
        self._finish()
        return self.written

    def _next_file(self) -> None:
        self._finish()
        suffix = "ndjson" if self.ndjson else "json"
        self._name = f"{self.rtype}-{len(self.written) + 1:03d}.{suffix}"
        self._out = (self.directory / self._name).open("wb", buffering=BUFFER)
        self._count = 0
        if not self.ndjson:
            self._out.write(b'{"resourceType":"Bundle","type":"collection","timestamp":"'
                            + self.timestamp.encode() + b'","entry":[')

    def _finish(self) -> None:
        if self._out is None:
            return
        if not self.ndjson:
            self._out.write(b"]}")
        self._out.close()
        self._out = None
        self.written.append(OutputFile(self.rtype, self._name, self._count))
