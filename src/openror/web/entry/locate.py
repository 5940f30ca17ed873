"""Where an issue of the write path belongs in the entry: from the element it names
(OperationOutcome ``expression``: ``HealthcareService.extension[3].extension[1]…``) to the
form field it came from.

The resource is read as it was built: each element the entry manages is recognised by its
system or URL, and the n-th element of a repeated field is the field's n-th row (rows are
written in order; a field left unchanged keeps the order it was shown in)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openror.fhir import profiles as p
from openror.web.entry import ids
from openror.web.entry import values as v

HS, PLACE = "HealthcareService", "Location"


@dataclass
class Locator:
    """(element path prefix, field id), the longest prefix winning."""

    entries: list[tuple[str, str]] = field(default_factory=list)
    default: str | None = None  # an issue on the resource as a whole

    def add(self, prefix: str, field_id: str) -> None:
        self.entries.append((prefix, field_id))

    def find(self, expression: str) -> str | None:
        best: tuple[int, str] | None = None
        for prefix, field_id in self.entries:
            if _under(expression, prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), field_id)
        return best[1] if best else self.default


def _under(expression: str, prefix: str) -> bool:
    return expression == prefix or (expression.startswith(prefix)
                                    and expression[len(prefix)] in ".[(")


def _where(root: str, url: str) -> str:
    return f"{root}.extension.where(url='{url}')"


def offer_locator(body: dict[str, Any], i: int, k: int) -> Locator:
    """Offer ``i`` of the draft, entered at site ``k``."""
    found = Locator(default=ids.offer(i, "name"))
    for key in ("name", "comment"):
        found.add(f"{HS}.{key}", ids.offer(i, key))
    found.add(f"{HS}.specialty", ids.offer(i, "activity"))
    found.add(f"{HS}.type", ids.offer(i, "activity"))
    found.add(f"{HS}.characteristic", ids.offer(i, "care_mode"))
    found.add(f"{HS}.providedBy", ids.offer(i, "name"))
    found.add(f"{HS}.telecom", ids.site(k, "mss"))
    found.add(f"{HS}.notAvailable", ids.offer(i, "closure_start"))
    found.add(f"{HS}.availableTime", ids.hour(i, 0, "start"))
    _characteristics(found, body, i)
    _extensions(found, body, i, k)
    for j, _ in enumerate(body.get("availableTime") or []):
        root = f"{HS}.availableTime[{j}]"
        found.add(root, ids.hour(i, j, "start"))
        found.add(f"{root}.availableStartTime", ids.hour(i, j, "start"))
        found.add(f"{root}.availableEndTime", ids.hour(i, j, "end"))
        for n, ext in enumerate((body["availableTime"][j] or {}).get("extension") or []):
            attr = {p.EXT_TYPE_OF_TIME: "type", p.EXT_DAYS_OF_WEEK: "day",
                    p.EXT_EFFECTIVE_DATES: "from"}.get(ext.get("url"), "start")
            found.add(f"{root}.extension[{n}]", ids.hour(i, j, attr))
            if attr == "from":
                found.add(f"{root}.extension[{n}].valuePeriod.end", ids.hour(i, j, "to"))
    found.add(f"{HS}.notAvailable[0].during.end", ids.offer(i, "closure_end"))
    return found


def _characteristics(found: Locator, body: dict[str, Any], i: int) -> None:
    seen: dict[str, int] = {}
    for n, char in enumerate(body.get("characteristic") or []):
        name = v.characteristic_field(char)
        if name is None:
            continue
        row = seen.get(name, 0)
        seen[name] = row + 1
        single = name in ("care_mode", "expertise", "modalities")
        target = ids.offer(i, name) if single else ids.offer_row(i, name, row)
        found.add(f"{HS}.characteristic[{n}]", target)


def _extensions(found: Locator, body: dict[str, Any], i: int, k: int) -> None:
    zone = contact = 0
    for n, ext in enumerate(body.get("extension") or []):
        url, root = ext.get("url"), f"{HS}.extension[{n}]"
        if url == p.EXT_PATIENT_TYPE:
            _patient_type(found, ext, root, i)
        elif url == p.EXT_TERRITORIAL_DIVISION:
            found.add(root, ids.offer_row(i, "zone", zone))
            zone += 1
        elif url == p.EXT_HS_CONTACT:
            contact = _contact(found, ext, root, k, contact)
        elif url == p.EXT_SENSITIVE_UNIT:
            found.add(root, "diffusion")
    found.add(_where(HS, p.EXT_PATIENT_TYPE), ids.offer(i, "age_min"))
    found.add(_where(HS, p.EXT_SENSITIVE_UNIT), "diffusion")
    found.add(_where(HS, p.EXT_HS_CONTACT), ids.contact(k, 0, "value"))
    found.add(f"{HS}.extension('{p.EXT_PATIENT_TYPE}')", ids.offer(i, "age_min"))


def _patient_type(found: Locator, ext: dict[str, Any], root: str, i: int) -> None:
    found.add(root, ids.offer(i, "age_min"))
    for n, part in enumerate(ext.get("extension") or []):
        if part.get("url") == "supportedPatientInfo":
            found.add(f"{root}.extension[{n}]", ids.offer(i, "publics"))
        elif part.get("url") == "ageRange":
            found.add(f"{root}.extension[{n}].valueRange.high", ids.offer(i, "age_max"))


def _contact(found: Locator, ext: dict[str, Any], root: str, k: int, row: int) -> int:
    """Map one contact extension; return the next row number."""
    first = row
    found.add(root, ids.contact(k, first, "value"))
    found.add(f"{root}.extension('{p.EXT_CONFIDENTIALITY}')", ids.contact(k, first, "level"))
    for n, part in enumerate(ext.get("extension") or []):
        url, here = part.get("url"), f"{root}.extension[{n}]"
        if url == p.EXT_HS_CONTACT_TELECOM:
            found.add(here, ids.contact(k, row, "value"))
            found.add(f"{here}.extension('{p.EXT_TELECOM_CHANNEL}')",
                      ids.contact(k, row, "channel"))
            for u, bit in enumerate(part.get("extension") or []):
                attr = {p.EXT_TELECOM_CHANNEL: "channel",
                        p.EXT_TELECOM_CONFIDENTIALITY: "level"}.get(bit.get("url"), "value")
                found.add(f"{here}.extension[{u}]", ids.contact(k, row, attr))
            row += 1
        else:
            attr = {"purposeContact": "purpose", "description": "description",
                    p.EXT_CONFIDENTIALITY: "level"}.get(url, "value")
            found.add(here, ids.contact(k, first, attr))
    return max(row, first + 1)


def place_locator(body: dict[str, Any], m: int) -> Locator:
    found = Locator(default=ids.place(m, "line"))
    found.add(f"{PLACE}.address", ids.place(m, "line"))
    found.add(f"{PLACE}.address.postalCode", ids.place(m, "postal"))
    found.add(f"{PLACE}.address.city", ids.place(m, "city"))
    found.add(f"{PLACE}.position", ids.place(m, "postal"))
    found.add(f"{PLACE}.description", ids.place(m, "description"))
    found.add(f"{PLACE}.extension('{p.EXT_COMMUNE_COG}')", ids.place(m, "postal"))
    found.add(_where(PLACE, p.EXT_COMMUNE_COG), ids.place(m, "postal"))
    row = 0
    for n, ext in enumerate(body.get("extension") or []):
        root = f"{PLACE}.extension[{n}]"
        if ext.get("url") == p.EXT_COMMUNE_COG:
            found.add(root, ids.place(m, "postal"))
        elif ext.get("url") == p.EXT_EQUIPMENT:
            found.add(root, ids.equipment(m, row, "type"))
            for u, part in enumerate(ext.get("extension") or []):
                if part.get("url") == "nbInService":
                    found.add(f"{root}.extension[{u}]", ids.equipment(m, row, "count"))
            row += 1
    return found
