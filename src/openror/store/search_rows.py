"""From a resource to its search index rows, one list per table (see ``search_tables``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from openror.fhir import search_values as sv
from openror.fhir.profiles import EXT_SENSITIVE_UNIT, nos_url
from openror.fhir.search_params import DERIVED, PARAMS, SearchParam
from openror.fhir.search_paths import compile_path, extension_value_url, extension_values
from openror.geo.current import current_gazetteer
from openror.store.capacity_records import capacity_rows
from openror.store.search_content import content_words
from openror.store.search_tables import INDEX_TABLES

Rows = dict[str, list[dict[str, Any]]]

#: ``grp`` of a grouped value = SUBGROUPS × rank of its element (+ rank of its sub-element)
SUBGROUPS = 1000

TRE_R30 = nos_url("TRE_R30-RegionOM")
TRE_G09 = nos_url("TRE_G09-DepartementOM")
_REFERENCE = re.compile(r"(?:^|/)([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/\S+)?$")


Path = Callable[[Any], list[Any]]


@dataclass(frozen=True)
class _Indexed:
    """A search parameter the indexer evaluates, with its compiled paths."""

    param: SearchParam
    select: Path  # from the resource, or from each element of its group
    root: Path | None  # the elements of its group (None: not grouped)
    subgroup: Path | None  # the sub-elements of each element, when they are the groups
    #: when ``select`` reads one extension of the element: its url (``extension_values``)
    url: str | None = None


@cache
def _indexed(rtype: str) -> tuple[_Indexed, ...]:
    """The parameters of ``rtype`` read from the resource, in their order: looked up once,
    not at every write."""
    return tuple(
        _Indexed(p, compile_path(p.expression, rtype), None, None) if not p.group else
        _Indexed(p, compile_path(p.expression), compile_path(p.group_root, rtype),
                 compile_path(p.subgroup) if p.subgroup else None,
                 extension_value_url(p.expression))
        for p in PARAMS.get(rtype, {}).values()
        if p.name not in ("_id", "_lastUpdated") and p.type != "special"
        and p.name not in DERIVED)


def index_rows(rtype: str, rid: str, body: dict[str, Any]) -> Rows:
    rows: Rows = {t: [] for t in INDEX_TABLES}
    owner = {"type": rtype, "id": rid}
    roots: dict[str, list[Any]] = {}
    by_url: dict[int, dict[str, list[Any]]] = {}  # id of a group element -> its extensions
    for indexed in _indexed(rtype):
        p = indexed.param
        if indexed.root is None:
            _add(rows, owner, p, 0, indexed.select(body))
            continue
        if p.group not in roots:
            roots[p.group] = indexed.root(body)
        for grp, element in _group_elements(indexed.subgroup, roots[p.group]):
            _add(rows, owner, p, grp, _select(indexed, element, by_url))
    if rtype == "HealthcareService" and is_sensitive_unit(body):
        rows["search_token"].append({**owner, **SENSITIVE_ROW})
    if rtype == "Location":
        _add_place(rows, owner, body)
        rows["search_capacity"] = capacity_rows(owner, rows["search_token"],
                                                rows["search_number"], rows["search_date"])
    rows["search_word"] = [{**owner, "word": w, "weight": n}
                           for w, n in content_words(rtype, body).items()]
    return rows


#: index tables whose rows carry ``param`` and ``grp`` (``search_capacity``: ``grp`` only)
GROUPED_TABLES = ("search_token", "search_date", "search_number")
_GROUP_ROOT = re.compile(r"^[A-Za-z]+\.extension\.where\(url = '([^']+)'\)$")
_GROUPED_TYPES = ("token", "uri", "date", "number", "quantity")


@cache
def _scoped_groups(rtype: str) -> dict[str, str]:
    """Extension url -> group, for the groups of ``rtype`` whose elements are extensions of
    the resource read by the parameters of that group alone, into grouped tables only: a
    write that changes nothing else changes only those parameters' rows (``group_rows``)."""
    indexed = _indexed(rtype)
    found: dict[str, str] = {}
    for group in dict.fromkeys(i.param.group for i in indexed if i.param.group):
        members = _members(rtype, group)
        root = _GROUP_ROOT.match(members[0].param.group_root or "")
        if root is None or any(i.param.type not in _GROUPED_TYPES for i in members):
            continue
        url = root.group(1)
        others = [i.param for i in indexed if i.param.group != group]
        if not any(url in p.expression or url in (p.group_root or "") for p in others):
            found[url] = group
    return found


def changed_group(rtype: str, before: dict[str, Any], after: dict[str, Any]) -> str | None:
    """The group whose elements are all that differ between two versions, apart from
    ``meta.versionId`` and ``meta.lastUpdated`` (a capacity update: ``capacity``); None
    when anything else differs, or when nothing does."""
    groups = _scoped_groups(rtype)
    if not groups or before.keys() != after.keys():
        return None
    volatile = ("versionId", "lastUpdated")
    if any(before[k] != after[k] for k in before if k not in ("meta", "extension")) or {
            k: v for k, v in (before.get("meta") or {}).items() if k not in volatile} != {
            k: v for k, v in (after.get("meta") or {}).items() if k not in volatile}:
        return None
    old, new = _by_url(before.get("extension")), _by_url(after.get("extension"))
    differ = {url for url in old.keys() | new.keys() if old.get(url) != new.get(url)}
    if len(differ) != 1 or next(iter(differ)) not in groups:
        return None
    return groups[differ.pop()]


def _by_url(extensions: Any) -> dict[Any, list[Any]]:
    found: dict[Any, list[Any]] = {}
    for ext in extensions if isinstance(extensions, list) else ():
        found.setdefault(ext.get("url") if isinstance(ext, dict) else None, []).append(ext)
    return found


def group_rows(rtype: str, rid: str, body: dict[str, Any], group: str,
               ranks: set[int] | None = None) -> Rows:
    """The rows ``index_rows`` makes for the parameters of one group (a group of
    ``_scoped_groups``), with the typed capacity rows they make on a place; only for the
    elements of these ranks (1 for the first), when given."""
    rows: Rows = {t: [] for t in GROUPED_TABLES}
    owner = {"type": rtype, "id": rid}
    members = _members(rtype, group)
    roots = members[0].root(body) if members[0].root is not None else []
    by_url: dict[int, dict[str, list[Any]]] = {}
    for indexed in members:
        for grp, element in _group_elements(indexed.subgroup, roots, ranks):
            _add(rows, owner, indexed.param, grp, _select(indexed, element, by_url))
    if rtype == "Location":  # (none for another group: the same before and after)
        rows["search_capacity"] = capacity_rows(owner, rows["search_token"],
                                                rows["search_number"], rows["search_date"])
    return rows


def changed_ranks(rtype: str, group: str, before: dict[str, Any], after: dict[str, Any]
                  ) -> set[int]:
    """The ranks (1 for the first) of the group's elements that differ between two versions:
    the rows of the others are the same."""
    root = _members(rtype, group)[0].root
    old, new = (root(before), root(after)) if root is not None else ([], [])
    return {rank for rank in range(1, max(len(old), len(new)) + 1)
            if old[rank - 1:rank] != new[rank - 1:rank]}


@cache
def _members(rtype: str, group: str) -> tuple[_Indexed, ...]:
    return tuple(i for i in _indexed(rtype) if i.param.group == group)


#: marks a sensitive unit for the read policy (``store.visibility``); no search parameter has
#: this name, so no client can query it
SENSITIVE_ROW = {"param": "_access", "grp": 0, "system": "", "code": "sensitive-unit"}


def is_sensitive_unit(body: dict[str, Any]) -> bool:
    return any(isinstance(e, dict) and e.get("url") == EXT_SENSITIVE_UNIT
               and e.get("valueBoolean") is True for e in body.get("extension") or [])


def _select(indexed: _Indexed, element: Any, by_url: dict[int, dict[str, list[Any]]]
            ) -> list[Any]:
    """What ``indexed`` selects from a group element; the element's extensions are read
    once for all the parameters of its group (the element lives as long as the body)."""
    if indexed.url is None:
        return indexed.select(element)
    found = by_url.get(id(element))
    if found is None:
        found = by_url[id(element)] = extension_values(element)
    return found.get(indexed.url, [])


def _group_elements(subgroup: Path | None, roots: list[Any], ranks: set[int] | None = None
                    ) -> Iterator[tuple[int, Any]]:
    """(grp, element): grp = SUBGROUPS × the element's rank + the rank in its subgroup; only
    the elements of these ranks, when given."""
    for index, element in enumerate(roots, start=1):
        if ranks is not None and index not in ranks:
            continue
        if subgroup is None:
            yield index * SUBGROUPS, element
            continue
        for sub_index, sub in enumerate(subgroup(element), start=1):
            yield index * SUBGROUPS + sub_index, sub


def _add(rows: Rows, owner: dict[str, str], p: SearchParam, grp: int, values: list[Any]) -> None:
    if not values:
        return
    base = {**owner, "param": p.name}
    if p.type in ("token", "uri"):
        rows["search_token"] += [{**base, "grp": grp, "system": s, "code": c}
                                 for s, c in _tokens(values)]
        if p.name == "identifier":
            rows["search_token"] += [{**base, "param": "identifier:of-type", "grp": 0,
                                      "system": s, "code": c} for s, c in _of_type(values)]
    elif p.type == "string":
        rows["search_string"] += [{**base, "value": sv.normalize_text(t)[:255], "exact": t[:255]}
                                  for t in dict.fromkeys(_strings(values))]
    elif p.type == "date":
        rows["search_date"] += [{**base, "grp": grp, "low": lo, "high": hi}
                                for lo, hi in dict.fromkeys(_dates(values))]
    elif p.type in ("number", "quantity"):
        rows["search_number"] += [{**base, "grp": grp, "value": float(v), "system": s, "unit": u,
                                   "raw": float(r)} for v, s, u, r in _numbers(values)]
    elif p.type == "reference":
        _add_references(rows, base, values)


def _tokens(values: list[Any]) -> list[tuple[str, str]]:
    """(system, code) of each value, once each, in order."""
    found: dict[tuple[str, str], None] = {}
    for v in values:
        if isinstance(v, str):
            found["", v] = None
        elif isinstance(v, dict):
            _dict_tokens(v, found)
        elif isinstance(v, bool):
            found["", "true" if v else "false"] = None
    return list(found)


def _dict_tokens(v: dict[str, Any], found: dict[tuple[str, str], None]) -> None:
    if "coding" in v:
        for c in v["coding"] or ():
            if isinstance(c, dict) and isinstance(code := c.get("code"), str):
                found[str(c.get("system") or ""), code] = None
    elif isinstance(code := v.get("code"), str):
        found[str(v.get("system") or ""), code] = None
    elif isinstance(value := v.get("value"), str):  # Identifier, ContactPoint
        found[str(v.get("system") or ""), value] = None


def _of_type(values: list[Any]) -> Iterator[tuple[str, str]]:
    for v in values:
        if isinstance(v, dict) and isinstance(v.get("value"), str):
            for c in (v.get("type") or {}).get("coding") or []:
                if isinstance(c, dict) and isinstance(c.get("code"), str):
                    yield str(c.get("system") or ""), f"{c['code']}|{v['value']}"


def _strings(values: list[Any]) -> Iterator[str]:
    for v in values:
        if isinstance(v, str):
            yield v
        elif isinstance(v, dict):  # HumanName, Address: every text part
            for key in ("text", "family", "given", "prefix", "line", "city", "district",
                        "state", "postalCode", "country"):
                part = v.get(key)
                yield from ([part] if isinstance(part, str) else
                            [p for p in part or [] if isinstance(p, str)])


def _dates(values: list[Any]) -> Iterator[tuple[str, str]]:
    for v in values:
        try:
            if isinstance(v, str):
                yield sv.date_range(v)
            elif isinstance(v, dict):  # Period: open ends reach the end of time
                low = sv.date_range(v["start"])[0] if v.get("start") else sv.LOWEST
                high = sv.date_range(v["end"])[1] if v.get("end") else sv.HIGHEST
                yield low, high
        except sv.BadDate:
            continue


def _numbers(values: list[Any]) -> Iterator[tuple[Decimal, str, str, Decimal]]:
    """(canonical value, system, canonical unit, value as written)."""
    for v in values:
        try:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                yield Decimal(str(v)), "", "", Decimal(str(v))
            elif isinstance(v, dict) and isinstance(v.get("value"), (int, float)):
                system, unit = str(v.get("system") or ""), str(v.get("code") or v.get("unit") or "")
                raw = Decimal(str(v["value"]))
                value, unit = sv.canonical_quantity(raw, system, unit)
                yield value, system, unit, raw
        except InvalidOperation:
            continue


def _add_references(rows: Rows, base: dict[str, str], values: list[Any]) -> None:
    for v in values:
        if isinstance(v, str):  # a canonical (MeasureReport.measure): its URL ends in Type/id
            m = _REFERENCE.search(v.split("|", 1)[0])
            if m is not None:
                rows["search_ref"].append({**base, "target_type": m.group(1),
                                           "target_id": m.group(2)})
            continue
        if not isinstance(v, dict):
            continue
        m = _REFERENCE.search(str(v.get("reference") or ""))
        if m is not None:
            rows["search_ref"].append({**base, "target_type": m.group(1),
                                       "target_id": m.group(2)})
        ident = v.get("identifier")
        if isinstance(ident, dict) and isinstance(ident.get("value"), str):
            rows["search_token"].append({**base, "param": base["param"] + ":identifier", "grp": 0,
                                         "system": str(ident.get("system") or ""),
                                         "code": ident["value"]})


def _add_place(rows: Rows, owner: dict[str, str], body: dict[str, Any]) -> None:
    """Coordinates, and the département and region of the commune."""
    pos = body.get("position")
    if isinstance(pos, dict) and isinstance(pos.get("latitude"), (int, float)) \
            and isinstance(pos.get("longitude"), (int, float)):
        rows["search_geo"].append({**owner, "lat": float(pos["latitude"]),
                                   "lon": float(pos["longitude"])})
    communes = [r["code"] for r in rows["search_token"] if r["param"] == "commune-cog"]
    for code in communes:  # already indexed above: no second evaluation
        commune = current_gazetteer().current(code)
        if commune is None:
            continue
        rows["search_token"] += [
            {**owner, "param": "departement", "grp": 0, "system": TRE_G09,
             "code": commune.departement},
            {**owner, "param": "region", "grp": 0, "system": TRE_R30, "code": commune.region}]
