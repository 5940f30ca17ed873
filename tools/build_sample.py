"""Build the minimal demo sample from the official ROR examples (../shared/ror-ig/spec).

The examples point at resources that do not exist (Organization/999999...): the sample rewires
them to each other so that the graph EJ <- EG <- offers -> places, practitioner <- role holds.
Run from the project root: python tools/build_sample.py
"""

from __future__ import annotations

import json
from pathlib import Path

SPEC = Path(__file__).resolve().parents[2] / "shared" / "ror-ig" / "spec" / "examples"
OUT = Path(__file__).resolve().parents[1] / "src/openror/services/data/sample-core.json"

FILES = [
    "compiled-from-fsh/Organization-ror-organization-exemple-ej.json",
    "compiled-from-fsh/Organization-ror-organisation-exemple-eg.json",
    "Location-ror-location-exemple.json",
    "compiled-from-fsh/Location-ror-location-exemple-1.json",
    "compiled-from-fsh/HealthcareService-ror-healthcareservice-exemple-ville.json",
    "HealthcareService-1234564.json",
    "compiled-from-fsh/Practitioner-ror-practitioner-exemple.json",
    "compiled-from-fsh/PractitionerRole-ror-practitionerrole-exemple.json",
    "Task-ror-task-exemple.json",
]
REWIRE = {
    "Organization/1111": "Organization/ror-organization-exemple-ej",
    "Organization/4947": "Organization/ror-organisation-exemple-eg",
    "Organization/999999": "Organization/ror-organisation-exemple-eg",
    "Location/1215": "Location/ror-location-exemple",
    "Location/888888": "Location/ror-location-exemple-1",
    "Practitioner/2524": "Practitioner/ror-practitioner-exemple",
    "HealthcareService/9597": "HealthcareService/ror-healthcareservice-exemple-ville",
}


def main() -> None:
    resources = []
    for name in FILES:
        text = (SPEC / name).read_text(encoding="utf-8")
        for old, new in REWIRE.items():
            text = text.replace(f'"{old}"', f'"{new}"')
        body = json.loads(text)
        body.get("meta", {}).pop("lastUpdated", None)
        resources.append(body)
    OUT.write_text(json.dumps(resources, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(resources)} resources to {OUT}")


if __name__ == "__main__":
    main()
