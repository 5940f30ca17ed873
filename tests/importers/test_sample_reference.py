"""The demo's FINESS reference: every establishment of the sample has its ``finess_site`` row,
and the authorisations agree with the sample's offers (emergency 157 → 14/23…)."""

from __future__ import annotations

from openror.importers.sample import load_reference, sample_resources
from openror.services.container import Services
from openror.store import finess_reference

TRE_R66 = "TRE_R66-CategorieEtablissement"


def test_demo_sites_and_authorisations_follow_the_sample(services: Services) -> None:
    load_reference(services)
    with services.db.read() as conn:
        sites = {site.finess: site for site in finess_reference.sites(conn)}
        authorised = finess_reference.authorisations(conn)

    resources = list(sample_resources())
    establishments = {r["id"][3:]: r for r in resources
                      if r["resourceType"] == "Organization" and r["id"].startswith("eg-")
                      and any(TRE_R66 in c["system"] for t in r.get("type", [])
                              for c in t["coding"])}
    assert set(establishments) <= set(sites)
    for number, org in list(establishments.items())[:50]:
        assert sites[number].category == org["type"][0]["coding"][0]["code"]
        assert sites[number].state == "open"
    assert {site.region for site in sites.values()} == {"32", "03"}  # Aisne, Guyane

    emergencies = {o["providedBy"]["reference"].removeprefix("Organization/eg-")
                   for o in resources if o["resourceType"] == "HealthcareService"
                   and any(c["code"] == "157" for s in o.get("specialty", [])
                           for c in s["coding"])
                   and o["providedBy"]["reference"].startswith("Organization/eg-")}
    assert emergencies
    for number in emergencies:
        assert ("14", "23") in {(a.activity, a.modality) for a in authorised[number]}
    assert any(a.activity == "03" and a.modality == "01"
               for rows in authorised.values() for a in rows)  # obstetrics

    with services.db.read() as conn:
        before = list(finess_reference.sites(conn)), finess_reference.authorisations(conn)
    load_reference(services)  # the demo restarted: nothing changes
    with services.db.read() as conn:
        assert (list(finess_reference.sites(conn)),
                finess_reference.authorisations(conn)) == before
