"""What uvicorn knows about a connection but does not put in the ASGI scope.

Two facts of the connection matter to mutual TLS (api.client_certificate):

- the client certificate the TLS handshake verified against ``OPENROR_TLS_CLIENT_CA``, put in
  the ASGI TLS extension ``scope["extensions"]["tls"]["client_cert_chain"]`` (PEM; the leaf
  only: Python 3.11 gives no verified chain);
- the address of the direct peer, under ``scope["extensions"]["openror.peer"]["client"]``:
  uvicorn replaces ``scope["client"]`` by the address an ``X-Forwarded-For`` header reports
  (from ``FORWARDED_ALLOW_IPS``), and whether to trust a certificate header must not depend on
  what the sender of that header says.

Both are known once the handshake is over, when uvicorn's protocol sees the connection: a
subclass of its h11 protocol wraps the application once per connection to add them to the
scope of every request.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.utils import get_remote_addr

PEER = "openror.peer"
_TLS_VERSIONS = {"TLSv1.2": 0x0303, "TLSv1.3": 0x0304}  # as the ASGI TLS extension numbers them


class ConnectionInfoProtocol(H11Protocol):
    """uvicorn's h11 protocol, adding the connection's peer and TLS client certificate to
    each request's ASGI scope."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.app = _with_extensions(self.app, connection_extensions(transport))


def connection_extensions(transport: asyncio.Transport) -> dict[str, Any]:
    extensions: dict[str, Any] = {PEER: {"client": get_remote_addr(transport)}}
    tls: ssl.SSLObject | None = transport.get_extra_info("ssl_object")
    if tls is not None:
        der = tls.getpeercert(binary_form=True)
        extensions["tls"] = {
            "server_cert": None,
            "client_cert_chain": [ssl.DER_cert_to_PEM_cert(der)] if der else [],
            "client_cert_name": None, "client_cert_error": None,
            "tls_version": _TLS_VERSIONS.get(tls.version() or ""), "cipher_suite": None}
    return extensions


def _with_extensions(app: Any, extensions: dict[str, Any]) -> Any:
    async def app_with_connection(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope["extensions"] = {**(scope.get("extensions") or {}), **extensions}
        await app(scope, receive, send)

    return app_with_connection
