"""One click from the quality inbox to the field at fault: an anomaly or a finding of
« À compléter » about an offer, a place or an organisation the person may edit leads to the
editor's page of that object, anchored on the field (``#champ-<field>``), which the page
highlights with the rule's remedy next to it (``?regle=…&champ=…``, web.editor.flags).

The field comes from the rule's element (its FHIRPath, quality/data/rules.json), mapped the
way the editor maps the write path's issues (web.editor.messages.field_of); for the
population and medico-social rules (PE, CP5), from the first thing the finding says is
missing. Capacities (CP6, RE2) and the freshness of a site (RE1.2) keep their own pages,
and so does what the person may not edit."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from openror.access.caller import Caller
from openror.errors import OpenRORError
from openror.fhir import profiles as p
from openror.quality.inbox import Unit
from openror.quality.model import Rule
from openror.services.ownership import OWNERSHIP
from openror.store.database import Database
from openror.web.editor import offer_form, place_form
from openror.web.editor.messages import field_of
from openror.web.field_notes import MISSING

EDITOR = "/etablissement"
#: the organisation's details the editor's page shows (web.editor.org_view), by element
ORG_WHERE = (("Organization.partOf", "rattachement"), ("Organization.type", "categorie"),
             ("Organization.name", "nom"), ("Organization.alias", "alias"),
             ("Organization.address", "adresse"))
ORG_HINTS = ((p.SYSTEM_FINESS, "finess"), (p.EXT_ORG_CLOSING_TYPE, "fermeture"),
             ("organization-period", "fermeture"))
#: rules whose own pages say more than the editor (capacities, freshness)
KEEP = frozenset({"RE1.2"})


def editable(db: Database, caller: Caller, units: Iterable[Unit | None]) -> frozenset[str]:
    """The references of those units the person may edit (the editor's own rule)."""
    wanted = {u.reference: u for u in units
              if u is not None and u.type in ("HealthcareService", "Location", "Organization")}
    found = set()
    with db.read() as conn:
        for ref, unit in wanted.items():
            try:
                OWNERSHIP.authorise_edit(conn, caller, unit.type, unit.id)
            except OpenRORError:
                continue
            found.add(ref)
    return frozenset(found)


def link(unit: Unit, rule: Rule | None, detail: str | None, may_edit: frozenset[str]
         ) -> str | None:
    """The editor's page of ``unit`` opened on the field at fault; None when the inbox
    keeps its own link (not editable here, or better told elsewhere)."""
    if unit.reference not in may_edit or (rule is not None and rule.id in KEEP):
        return None
    if unit.type == "HealthcareService":
        return _url(f"{EDITOR}/offre/{unit.id}", rule, _offer_field(rule, detail))
    if unit.type == "Location":
        if rule is not None and p.EXT_SUPPORTED_CAPACITY in rule.path:
            return None  # the capacities' page (/capacites/lieu/…)
        field = field_of(rule.path, place_form.locate({}), place_form.HINTS) if rule else None
        return _url(f"{EDITOR}/lieu/{unit.id}", rule, field)
    if unit.type == "Organization":
        field = field_of(rule.path, ORG_WHERE, ORG_HINTS) if rule else None
        return _url(f"{EDITOR}/organisation/{unit.id}", rule, field)
    return None


def _offer_field(rule: Rule | None, detail: str | None) -> str | None:
    if rule is None:
        return None
    path = rule.path
    listed = (detail or "").removeprefix("manque : ")
    if rule.id in ("PE", "CP5") and listed != detail:
        first = listed.split(",")[0].strip()
        path = MISSING.get(first, path)
    return field_of(path, offer_form.locate({}), offer_form.HINTS)


def _url(page: str, rule: Rule | None, field: str | None) -> str:
    query = {k: v for k, v in (("regle", rule.id if rule else ""), ("champ", field or "")) if v}
    return page + (f"?{urlencode(query)}" if query else "") + (f"#champ-{field}" if field else "")
