"""Every setting has a default, a line of documentation in code and one in the admin docs."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from openror.config import SETTINGS_DOC, Settings, load_settings

ADMIN_DOC = Path(__file__).resolve().parents[2] / "docs" / "admin" / "configuration.md"


def test_every_setting_is_documented() -> None:
    names = {f.name for f in fields(Settings)}
    assert names == set(SETTINGS_DOC)
    text = ADMIN_DOC.read_text(encoding="utf-8")
    for name in names:
        assert f"OPENROR_{name.upper()}" in text, f"OPENROR_{name.upper()} missing from docs"


def test_environment_overrides_defaults() -> None:
    settings = load_settings({"OPENROR_REGION": "32", "OPENROR_SQLITE_READERS": "2",
                              "OPENROR_DATA_DIR": "/tmp/x"})
    assert settings.region == "32"
    assert settings.sqlite_readers == 2
    assert settings.effective_database_url == "sqlite:////tmp/x/openror.sqlite"


def test_explicit_database_url_wins() -> None:
    settings = load_settings({"OPENROR_DATABASE_URL": "postgresql://u@h/db"})
    assert settings.effective_database_url == "postgresql://u@h/db"
