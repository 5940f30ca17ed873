"""Redaction removes only what a profile may leave out: every resource as each profile sees
it passes ../shared/ror-ig/validator with no error that the complete resource does not have."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from openror.store.database import Database
from tests.access import world
from tests.access.test_read_matrix import CALLERS, VISIBLE, loaded, read
from tests.api.test_profile_validator import VALIDATOR, needs_validator

__all__ = ["loaded"]  # the module fixture, shared

Error = tuple[str, str]  # (resource id, element path)


def _errors(directory: Path) -> set[Error]:
    run = subprocess.run(["node", str(VALIDATOR / "validate.mjs"), "--json", str(directory)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode in (0, 1), run.stderr
    return {(Path(entry["resource"]).stem, issue["path"])
            for entry in json.loads(run.stdout)["report"] for result in entry["results"]
            for issue in result["issues"] if issue["severity"] == "error"}


def _as_seen_by(db: Database, who: str, directory: Path) -> set[Error]:
    directory.mkdir()
    for body in world.resources():
        if body["id"] in VISIBLE[who]:
            seen = read(db, CALLERS[who], body["resourceType"], body["id"])
            (directory / f"{body['id']}.json").write_text(json.dumps(seen), encoding="utf-8")
    return _errors(directory)


@needs_validator
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_redacted_resources_stay_valid(loaded: Database, tmp_path: Path) -> None:
    complete = _as_seen_by(loaded, "1", tmp_path / "complete")
    for who in ("0", "2", "3", "4", "5"):
        assert _as_seen_by(loaded, who, tmp_path / f"profile-{who}") <= complete, who
