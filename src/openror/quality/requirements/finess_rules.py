"""The rules that take FINESS as the reference: EX1.2, EX2, EX3–EX5, ST2, CO4."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from openror.quality import authorisations, catalog
from openror.quality.directory import Directory
from openror.quality.facts import Organization
from openror.quality.model import Finding, Place
from openror.store.finess_reference import FinessSite

_CABINETS = ("SA05", "SA07", "SA08", "SA09")
_FINESS_STATES = {"open": "ouvert", "provisional": "fermé provisoirement",
                  "closed": "fermé définitivement", "lapsed": "caduc"}


def _by_finess(directory: Directory) -> dict[str, list[Organization]]:
    found: dict[str, list[Organization]] = defaultdict(list)
    for site in directory.sites():
        if site.finess:
            found[site.finess].append(site)
    return found


def _finess_place(directory: Directory, row: FinessSite,
                  ror: list[Organization]) -> Place:
    site = ror[0] if ror else None
    return Place(region=row.region or (site.region if site else None),
                 departement=row.departement or directory.departement(site), field=None,
                 category=row.category,
                 site=f"Organization/{site.id}" if site else None)


def exhaustiveness(directory: Directory) -> Iterator[Finding]:
    """EX1.2: every FINESS site of the historical perimeter is in the ROR."""
    ror = _by_finess(directory)
    historical, sanitary = catalog.category_list("historical"), catalog.category_list("sanitary")
    for row in directory.finess_sites:
        if row.state != "open" or row.category not in historical:
            continue
        granted = authorisations.fields(directory.authorisations.get(row.finess, ()))
        if row.category in sanitary and not granted:
            continue
        present = bool(ror.get(row.finess))
        yield Finding("EX1.2", f"finess:{row.finess}",
                      "conformant" if present else "deviating",
                      _finess_place(directory, row, ror.get(row.finess, [])),
                      None if present else f"FINESS {row.finess} ({row.name or 'sans nom'}) "
                      "absent du ROR")


def _ror_state(site: Organization) -> str:
    if not site.closed:
        return "open"
    return "provisional" if site.closing_type == "PRO" else "closed"


def _state_gap(ror_state: str, row: FinessSite | None) -> str | None:
    """Why the ROR's state disagrees with FINESS, or None."""
    finess = row.state if row else "unknown"
    if ror_state == "open" and finess in ("unknown", "closed", "lapsed", "provisional"):
        return ("inconnu du FINESS" if finess == "unknown"
                else f"ouvert dans le ROR, {_FINESS_STATES[finess]} dans le FINESS")
    if ror_state != "open" and finess == "open":
        return "fermé dans le ROR, ouvert dans le FINESS"
    if finess in ("provisional", "closed") and ror_state != finess:
        return (f"fermeture {'provisoire' if finess == 'provisional' else 'définitive'} "
                "dans le FINESS, pas dans le ROR")
    return None


def _with_finess(directory: Directory) -> Iterator[tuple[Organization, FinessSite | None]]:
    reference = {row.finess: row for row in directory.finess_sites}
    for site in directory.sites():
        if site.finess and site.region:
            yield site, reference.get(site.finess)


def state(directory: Directory) -> Iterator[Finding]:
    """EX2: the site's open / closed state and closure type agree with FINESS."""
    for site, row in _with_finess(directory):
        gap = _state_gap(_ror_state(site), row)
        yield Finding("EX2", f"Organization/{site.id}", "deviating" if gap else "conformant",
                      directory.where(site), gap)


def resuscitation(directory: Directory) -> Iterator[Finding]:
    """EX3, EX4, EX5: an authorised resuscitation is described by an offer of that kind."""
    ror = _by_finess(directory)
    for rule_id in ("EX3", "EX4", "EX5"):
        params = catalog.params(rule_id)
        wanted = set(params["activities"])
        for row in directory.finess_sites:
            granted = directory.authorisations.get(row.finess, ())
            if not catalog.tracked(row.category) or not authorisations.holds(
                    granted, params["authorisations"]):
                continue
            sites = ror.get(row.finess, [])
            described = any(wanted & set(offer.activities)
                            for site in sites for offer in directory.offers_of(site.id))
            yield Finding(rule_id, f"finess:{row.finess}",
                          "conformant" if described else "deviating",
                          _finess_place(directory, row, sites),
                          None if described else "aucune offre d'activité "
                          f"{', '.join(sorted(wanted))} alors que le FINESS l'autorise")


def attachment_and_category(directory: Directory) -> Iterator[Finding]:
    """ST2 (legal entity of the site) and CO4 (category) against FINESS."""
    for site, row in _with_finess(directory):
        if _ror_state(site) == "closed":
            continue
        parent = directory.organizations.get(site.parent or "")
        parent_finess = parent.finess if parent else None
        expected = row.finess_ej if row else None
        attached = row is not None and parent_finess == expected
        yield Finding("ST2", f"Organization/{site.id}",
                      "conformant" if attached else "deviating", directory.where(site),
                      None if attached else f"entité juridique FINESS {parent_finess or 'aucune'}"
                      f" dans le ROR, {expected or 'inconnue'} dans le FINESS")
        if site.category in _CABINETS:
            continue
        same = row is not None and row.category == site.category
        yield Finding("CO4", f"Organization/{site.id}", "conformant" if same else "deviating",
                      directory.where(site),
                      None if same else f"catégorie {site.category or 'absente'} dans le ROR, "
                      f"{(row.category if row else None) or 'inconnue'} dans le FINESS")
