"""Step 4 — contacts for patients and for professionals, each with who may see it, and the
« ne pas diffuser sur les sites publics » request (web.entry.choices.DIFFUSION)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from openror.web.entry import choices as c
from openror.web.entry import ids, rows
from openror.web.entry.draft import Data

STEP = 4
ATTRS = ("purpose", "channel", "value", "description", "level")


def groups(data: Data) -> list[str]:
    return [ids.site(k, "c") for k in range(len(data["sites"]))]


def parse(form: Mapping[str, str], data: Data, lists: c.Lists) -> None:
    for k, site in enumerate(data["sites"]):
        values = data["values"][f"s:{site['key']}"]
        values["contacts"] = rows.read_rows(form, ids.site(k, "c"),
                                            partial(ids.contact, k), ATTRS,
                                            ("value", "description"))
        values["mss"] = form.get(ids.site(k, "mss"), "").strip()
    chosen = form.get("diffusion", "")
    data["values"]["g"]["diffusion"] = chosen if chosen in c.DIFFUSION else \
        data["values"]["g"]["diffusion"]
