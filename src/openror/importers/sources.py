"""The registry of import sources: ``openror import <name>`` looks its name up here.

Resource sources implement ``importers.base.Source`` and run through ``importers.run``;
``nos``, ``geo``, ``finess-authorisations`` and ``finess-reference`` load reference tables,
not resources, and have their own short flow.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI lists the names at start-up: the sources load on use
    from openror.importers.base import Source

#: name -> "module:class" of a resource source (imported on use: start-up stays fast)
RESOURCE_SOURCES: dict[str, str] = {
    "bundle": "openror.importers.bundle:BundleSource",
    "finess": "openror.importers.finess:FinessSource",
    "rpps": "openror.importers.rpps:RppsSource",
}
#: name -> "module:function(settings, paths) -> summary line" for reference data
TABLE_SOURCES: dict[str, str] = {
    "nos": "openror.importers.nos:import_nos",
    "geo": "openror.importers.geo:import_geo",
    "finess-authorisations":
        "openror.importers.finess_authorisations:import_finess_authorisations",
    "finess-reference": "openror.importers.finess_reference_file:import_finess_reference",
}


def _load(spec: str) -> object:
    module, name = spec.split(":")
    return getattr(import_module(module), name)


def resource_source(name: str) -> Source:
    factory = _load(RESOURCE_SOURCES[name])
    assert callable(factory)
    source: Source = factory()
    return source


def table_loader(name: str) -> Callable[..., str]:
    loader = _load(TABLE_SOURCES[name])
    assert callable(loader)
    return loader


def names() -> list[str]:
    return sorted({*RESOURCE_SOURCES, *TABLE_SOURCES})
