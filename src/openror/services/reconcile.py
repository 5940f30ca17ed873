"""Re-import reconciliation: a registry replaces the fields it owns and nothing else."""

from __future__ import annotations

from typing import Any


def reconcile(current: dict[str, Any], incoming: dict[str, Any], owned: frozenset[str],
              owned_extensions: frozenset[str]) -> dict[str, Any]:
    """``current`` with the registry's elements taken from ``incoming``.

    Owned elements absent from ``incoming`` are removed (the registry no longer says them);
    elements the registry does not own — contacts, hours, descriptions entered by people —
    stay as they are. ``extension`` is shared: only the owned URLs are replaced.
    """
    merged = {k: v for k, v in current.items() if k != "meta"}
    if "meta" in current:
        merged["meta"] = current["meta"]
    for element in owned - {"extension"}:
        if element in incoming:
            merged[element] = incoming[element]
        else:
            merged.pop(element, None)
    kept = [e for e in current.get("extension") or [] if e.get("url") not in owned_extensions]
    added = [e for e in incoming.get("extension") or [] if e.get("url") in owned_extensions]
    if kept or added:
        # The registry's extensions first, as on creation: a re-import keeps the order stable.
        merged["extension"] = added + kept
    else:
        merged.pop("extension", None)
    return merged
