"""What the ``openror generate`` commands run: checks of the inputs, the generators, and the
lines they print (counts per type)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from openror.datasets import sae
from openror.datasets import sample as demo
from openror.datasets.finess_reference import FILE_NAME, FinessReference, Noting
from openror.datasets.national import DEFAULT_DATA, Generator, finess_tarballs
from openror.datasets.writer import TYPES, TypeFiles
from openror.errors import InvalidInput, error


def _data(data: Path | None) -> Path:
    found = data or DEFAULT_DATA
    if not finess_tarballs(found):
        raise InvalidInput([error("not-found", f"no FINESS tarballs under {found}/finess/fhir: "
                                  "give the shared data directory with --data")])
    return found


def _counts(counts: dict[str, int]) -> Iterator[str]:
    for rtype in TYPES:
        yield f"  {rtype:<18} {counts.get(rtype, 0):>9,}"
    yield f"  {'total':<18} {sum(counts.values()):>9,}"


def national(seed: int, out: Path, limit: int | None, compress: bool,
             data: Path | None) -> Iterator[str]:
    source = _data(data)
    started = time.monotonic()
    reference = FinessReference()
    with TypeFiles(out, compress) as files:
        generator = Generator(seed, Noting(files, reference),
                              sae.load(source / "finess" / "sae_2020"), limit,
                              on_site=reference.keep_site)
        generator.run(finess_tarballs(source))
    reference.write(out / FILE_NAME)
    yield (f"{generator.establishments:,} establishments, seed {seed}, "
           f"{time.monotonic() - started:.0f} s -> {out}")
    yield from _counts(files.counts)
    yield (f"  FINESS reference: {reference.site_count:,} sites, "
           f"{len(reference.authorisations()):,} authorisations -> {FILE_NAME}")
    if generator.rejects:
        yield f"  ({len(generator.rejects)} FINESS lines refused by the FINESS source)"


def sample(out: Path, data: Path | None) -> Iterator[str]:
    collector = demo.build(_data(data))
    demo.write(collector, out)
    yield f"sample -> {out} ({out.stat().st_size / 1e6:.1f} MB)"
    yield from _counts(collector.counts)
