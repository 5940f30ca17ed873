"""Writing a benchmark's generated section into docs/benchmarks.md: the text between its
``<!-- bench:NAME -->`` markers is replaced, or appended when the section is new."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"


def write_section(begin: str, end: str, text: str) -> None:
    old = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end) + r"\n?", re.DOTALL)
    new = pattern.sub(lambda _m: text, old, count=1) if pattern.search(old) \
        else old.rstrip("\n") + "\n\n" + text
    DOCS.write_text(new)
    print(f"wrote {DOCS.relative_to(ROOT)}")


def markers(name: str, backends: list[str]) -> tuple[str, str]:
    """A section's markers: one section per back-end when a run measures only one
    (``<name>_sqlite``, ``<name>_postgresql``), so that runs of each back-end, made apart,
    both stay in the docs."""
    name += "_" + backends[0].lower() if len(backends) == 1 else ""
    return f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
