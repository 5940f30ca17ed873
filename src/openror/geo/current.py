"""The gazetteer this process uses: the bundled data, or what the server loaded from its
database at start-up (the bundle with ``openror import geo`` rows on top).

Set once by the services when they open (``use_gazetteer``); importers and other readers ask
``current_gazetteer()`` so that geography imported into the database is what they see.
"""

from __future__ import annotations

from openror.geo.bundled import default_gazetteer
from openror.geo.gazetteer import Gazetteer

_state: dict[str, Gazetteer] = {}


def use_gazetteer(gazetteer: Gazetteer) -> None:
    _state["current"] = gazetteer


def current_gazetteer() -> Gazetteer:
    return _state.get("current") or default_gazetteer()
