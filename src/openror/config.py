"""Settings, read from ``OPENROR_*`` environment variables, each with a documented default.

Every setting here has a line in docs/admin/configuration.md; a test checks that.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

#: name -> (default, one-line documentation)
SETTINGS_DOC: dict[str, str] = {
    "data_dir": "Directory for the embedded database, exports and logs.",
    "database_url": "sqlite:///PATH or postgresql://USER@HOST:PORT/DB (default: SQLite in "
    "data_dir).",
    "region": "INSEE region code (TRE_R30) of this instance: tags and functional identifiers.",
    "base_url": "Public base URL of the server (for absolute links); default: from the request.",
    "sqlite_readers": "Size of the SQLite reader connection pool (one writer is always used).",
    "pool_size": "PostgreSQL connection pool size per worker.",
    "history_page_size": "Default number of entries per _history page.",
    "history_max_page_size": "Largest _count accepted by _history.",
    "max_body_bytes": "Largest request body accepted (bytes).",
    "log_level": "Python logging level of the server (DEBUG, INFO, WARNING...).",
    "anonymous_access": "Serve requests without a token as access profile 0 (open data, no "
    "writes); off: they get 401.",
    "token_lifetime_s": "Lifetime of the access tokens of POST /auth/token (seconds).",
    "token_issuer": "The 'iss' claim of the access tokens this server issues and accepts.",
    "token_audience": "The 'aud' claim of the access tokens this server issues and accepts.",
    "rate_limit_per_minute": "Requests per minute allowed to each caller (API client, person, "
    "or anonymous address), per worker process.",
    "rate_limit_burst": "Requests a caller may send at once above its steady rate.",
}


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("openror-data")
    database_url: str = ""
    region: str = "11"
    base_url: str = ""
    sqlite_readers: int = 4
    pool_size: int = 8
    history_page_size: int = 100
    history_max_page_size: int = 1000
    max_body_bytes: int = 5_000_000
    log_level: str = "INFO"
    anonymous_access: bool = False
    token_lifetime_s: int = 3600
    token_issuer: str = "openror"
    token_audience: str = "openror"
    rate_limit_per_minute: int = 1200
    rate_limit_burst: int = 200

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'openror.sqlite').resolve()}"

    def with_overrides(self, **changes: Any) -> Settings:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update({k: v for k, v in changes.items() if v is not None})
        return Settings(**values)


def _convert(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, Path):
        return Path(raw)
    return raw


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from the environment (``OPENROR_<NAME>``), falling back to defaults."""
    env = os.environ if environ is None else environ
    defaults = Settings()
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = env.get(f"OPENROR_{f.name.upper()}")
        if raw is not None and raw != "":
            values[f.name] = _convert(raw, getattr(defaults, f.name))
    return Settings(**values)
