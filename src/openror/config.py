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
    "database_replica_urls": "Comma-separated postgresql:// URLs of streaming replicas of the "
    "PostgreSQL database that serve the API's reads (docs/admin/replicas.md); empty: none.",
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
    "session_lifetime_s": "Lifetime of a person's session after login (seconds).",
    "cookie_secure": "Session cookies are Secure (HTTPS only); off only for a demo on "
    "http://127.0.0.1: sessions are then refused on any host but the loopback.",
    "login_max_failures": "Failed logins for one login name that lock it for "
    "login_lockout_s.",
    "login_lockout_s": "Window in which failed logins count, and length of the lock "
    "(seconds).",
    "password_reset_lifetime_s": "How long a password reset code sent by mail is valid "
    "(seconds).",
    "oidc_issuer": "Issuer URL of the OpenID Connect provider (Pro Santé Connect); its "
    "discovery document is read from <issuer>/.well-known/openid-configuration. Empty: no "
    "OpenID Connect login.",
    "oidc_client_id": "Client id registered with the OpenID Connect provider.",
    "oidc_client_secret": "Client secret registered with the OpenID Connect provider.",
    "oidc_redirect_uri": "Callback URL registered with the provider "
    "(https://<host>/auth/oidc/callback).",
    "oidc_scopes": "Scopes asked of the provider (space separated).",
    "oidc_idnat_claim": "Userinfo claim with the professional's national id (idNat_PS, "
    "'8' + RPPS), which links the account to the Practitioner.",
    "oidc_create_accounts": "At the first login of a professional without an account, "
    "create one with the professional role; off: refuse them.",
    "require_client_certificates": "Clients of access profiles 1-5 authenticate with their "
    "certificate (mutual TLS, RFC 8705) and their tokens are bound to it; off: a secret will "
    "do (tests, demo).",
    "tls_cert": "PEM server certificate (chain): openror serve terminates TLS itself.",
    "tls_key": "PEM private key of tls_cert (default: in the tls_cert file).",
    "tls_client_ca": "PEM bundle of the CAs whose client certificates TLS accepts (optional "
    "at the TLS layer).",
    "tls_proxy_header": "Request header in which a trusted reverse proxy forwards the client "
    "certificate (e.g. X-SSL-Client-Cert); empty: none.",
    "tls_trusted_proxies": "Comma list of addresses or networks allowed to set "
    "tls_proxy_header; it is ignored from any other.",
    "ror_headers": "The Ror-* request headers: required (on every read), accepted (checked "
    "when present) or ignored.",
    "rate_limit_per_minute": "Requests per minute allowed to each caller (API client, person, "
    "or anonymous address), per worker process.",
    "rate_limit_burst": "Requests a caller may send at once above its steady rate.",
    "audit_retention_days": "Days the audit trail of reads by API clients of profiles 1-5 "
    "is kept.",
    "alert_interval_seconds": "Seconds between two runs of the capacity alerts' background "
    "work (due webhook deliveries and retries, and a check of every alert); 0 turns it off.",
    "subscription_interval_seconds": "Seconds between two runs of the subscriptions' "
    "delivery (due notifications and retries) in each server process; 0 turns it off.",
    "subscription_max_failures": "Consecutive failed notifications (each after 8 attempts) "
    "after which a subscription is set to status error and its contacts are told.",
    "export_dir": "Directory of the $export files (default: data_dir/exports); with several "
    "hosts, storage they all share, since any of them may be asked for a file.",
    "export_retention_hours": "Hours the files of a finished $export are kept; then they are "
    "deleted and polling the job answers 404 (expired).",
    "export_file_max_resources": "Most resources in one $export file; a type with more is "
    "split into numbered files.",
    "export_lease_seconds": "Lease of a server process on the $export job it runs, renewed as "
    "it writes; when a process dies, another takes the job after this long.",
    "export_interval_seconds": "Seconds between two looks of each server process for $export "
    "jobs to run (queued, or abandoned by a stopped process) and expired files to delete; 0 "
    "turns it off (jobs then run only in the process that received them).",
    "opendata_dir": "Directory of the open-data publications (openror opendata publish "
    "--out): its 'current' one is served read-only, without a token, at /opendata/; empty: "
    "not served.",
    "capacity_stale_after": "How old an availability figure may be before it is flagged "
    "stale, per activity family: 'family=age,…' with ages in m, h or d; families are "
    "critical (intensive care), emergency and default (docs/api/capacity.md).",
    "mail_backend": "How the mail outbox is delivered: console (the log), file:<dir> (one "
    ".eml file per message) or smtp://[user:pass@]host:port[?starttls=true].",
    "mail_from": "The From address of the messages the server sends.",
    "mail_send_interval_seconds": "Seconds between two deliveries of the mail outbox by each "
    "server process; 0 turns it off (then: openror mail send).",
    "quality_remind_after_days": "Days after which an offer that nobody changed or confirmed "
    "is overdue and its owners are reminded (RE1.2 counts one year).",
    "quality_remind_every_days": "Days before the same person is reminded again about the "
    "same offer.",
    "quality_remind_interval_seconds": "Seconds between two freshness reminder runs of each "
    "server process; 0 turns them off (then: openror quality remind).",
    "quality_run_interval_seconds": "Seconds between two scheduled quality runs (one process "
    "of one server runs it); 0 turns them off (then: openror quality run).",
    "request_time_limit_s": "Seconds the database reads of one HTTP request may run; past "
    "them its statement is cancelled and the request gets a 503 'timeout' OperationOutcome "
    "(a search to narrow). 0: no limit.",
    "metrics_cache_seconds": "Seconds the database figures of /-/metrics (change feed, "
    "subscriptions, capacity freshness, imports) are kept before a scrape reads them again "
    "(docs/admin/monitoring.md).",
    "malloc_arenas": "Largest number of glibc malloc arenas of each server process (0: "
    "glibc's own, 8 per core; MALLOC_ARENA_MAX set in the environment wins).",
    "memory_trim_interval_seconds": "Seconds between two returns of each server process's "
    "freed C memory to the system (malloc_trim); 0 turns them off.",
    "map_tiles_url": "Template of the map tiles drawn under the orientation map "
    "(https://host/{z}/{x}/{y}.png); empty: none, the map uses only the bundled outlines "
    "and works offline.",
}


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("openror-data")
    database_url: str = ""
    database_replica_urls: str = ""
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
    session_lifetime_s: int = 8 * 3600
    cookie_secure: bool = True
    login_max_failures: int = 5
    login_lockout_s: int = 900
    password_reset_lifetime_s: int = 3600
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_redirect_uri: str = ""
    oidc_scopes: str = "openid scope_all"
    oidc_idnat_claim: str = "SubjectNameID"
    oidc_create_accounts: bool = True
    require_client_certificates: bool = True
    tls_cert: str = ""
    tls_key: str = ""
    tls_client_ca: str = ""
    tls_proxy_header: str = ""
    tls_trusted_proxies: str = ""
    ror_headers: str = "accepted"
    rate_limit_per_minute: int = 1200
    rate_limit_burst: int = 200
    audit_retention_days: int = 365
    export_dir: str = ""
    export_retention_hours: int = 24
    export_file_max_resources: int = 100_000
    export_lease_seconds: int = 120
    export_interval_seconds: int = 5
    opendata_dir: str = ""
    capacity_stale_after: str = "critical=24h,emergency=24h,default=72h"
    alert_interval_seconds: int = 10
    subscription_interval_seconds: int = 5
    subscription_max_failures: int = 8
    mail_backend: str = "console"
    mail_from: str = "OpenROR <ne-pas-repondre@localhost>"
    mail_send_interval_seconds: int = 60
    quality_remind_after_days: int = 365
    quality_remind_every_days: int = 30
    quality_remind_interval_seconds: int = 86_400
    quality_run_interval_seconds: int = 86_400
    metrics_cache_seconds: int = 30
    request_time_limit_s: float = 30.0
    malloc_arenas: int = 2
    memory_trim_interval_seconds: int = 30
    map_tiles_url: str = ""

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'openror.sqlite').resolve()}"

    @property
    def replica_urls(self) -> tuple[str, ...]:
        return tuple(u.strip() for u in self.database_replica_urls.split(",") if u.strip())

    def with_overrides(self, **changes: Any) -> Settings:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update({k: v for k, v in changes.items() if v is not None})
        return Settings(**values)


def _convert(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
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
