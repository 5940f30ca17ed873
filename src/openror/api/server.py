"""How ``openror serve`` sets uvicorn up: the protocol that tells the app about the
connection (api.transport) and, with ``OPENROR_TLS_CERT``, TLS with optional client
certificates. Settings are checked here, before any worker starts, so that a mistake is one
line rather than a trace per worker."""

from __future__ import annotations

import ssl
from typing import Any

from openror.api.authentication import check_settings
from openror.api.transport import ConnectionInfoProtocol
from openror.config import Settings
from openror.errors import InvalidInput, error
from openror.store import replicas


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn.Config options: api.transport's protocol and, with ``OPENROR_TLS_CERT``, TLS with
    client certificates optional (clients of profile 0 and anonymous callers connect without
    one). Bad files are reported now, as one line, rather than by each worker."""
    check_settings(settings)
    replicas.check_urls(settings.effective_database_url, settings.replica_urls)
    options: dict[str, Any] = {"http": ConnectionInfoProtocol}
    if not settings.tls_cert:
        if settings.tls_key or settings.tls_client_ca:
            raise _bad("OPENROR_TLS_KEY and OPENROR_TLS_CLIENT_CA need OPENROR_TLS_CERT "
                       "(--tls-cert), the server certificate")
        return options
    options.update(ssl_certfile=settings.tls_cert, ssl_keyfile=settings.tls_key or None,
                   ssl_ca_certs=settings.tls_client_ca or None,
                   ssl_cert_reqs=ssl.CERT_OPTIONAL if settings.tls_client_ca else ssl.CERT_NONE)
    _check_files(settings)
    return options


def _check_files(settings: Settings) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(settings.tls_cert, settings.tls_key or None)
    except (OSError, ssl.SSLError) as exc:
        raise _bad(f"cannot use the server certificate {settings.tls_cert} and key "
                   f"{settings.tls_key or '(in the same file)'}: {exc}") from None
    if settings.tls_client_ca:
        try:
            context.load_verify_locations(settings.tls_client_ca)
        except (OSError, ssl.SSLError) as exc:
            raise _bad(f"cannot use the client CA bundle {settings.tls_client_ca}: "
                       f"{exc}") from None


def _bad(message: str) -> InvalidInput:
    return InvalidInput([error("value", message)])
