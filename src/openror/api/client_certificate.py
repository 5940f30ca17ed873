"""The client certificate a request comes with, as its thumbprint (access.certificates):

- from a trusted reverse proxy (``OPENROR_TLS_TRUSTED_PROXIES``), the certificate it forwards
  in ``OPENROR_TLS_PROXY_HEADER``, and nothing else: a request through the proxy has no TLS
  certificate of its own to fall back on;
- otherwise, the one of the TLS connection this server terminated (api.transport). The
  header from any other address is ignored, so sending it gains nothing.
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Any

from openror.access import certificates
from openror.api.transport import PEER
from openror.config import Settings
from openror.errors import InvalidInput, error

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class CertificateSource:
    def __init__(self, settings: Settings) -> None:
        self.header = settings.tls_proxy_header.strip().lower().encode("latin-1")
        self.proxies = trusted_networks(settings.tls_trusted_proxies)
        if self.header and not self.proxies:
            raise InvalidInput([error("value", "OPENROR_TLS_PROXY_HEADER is set but "
                                      "OPENROR_TLS_TRUSTED_PROXIES is empty: list the "
                                      "addresses of the reverse proxies that set it")])

    def thumbprint(self, scope: Any) -> str | None:
        """The presented certificate's ``x5t#S256``, or None."""
        if self.header and self._from_proxy(scope):
            values = [v for k, v in scope["headers"] if k == self.header]
            # one value, as the proxy sets it; several are a forgery or a misconfiguration
            return certificates.header_thumbprint(values[0].decode("latin-1")) \
                if len(values) == 1 else None
        tls = (scope.get("extensions") or {}).get("tls") or {}
        chain = tls.get("client_cert_chain")
        return certificates.thumbprint(chain[0]) if chain else None

    def _from_proxy(self, scope: Any) -> bool:
        peer = ((scope.get("extensions") or {}).get(PEER) or {}).get("client") \
            or scope.get("client")
        try:
            address = ipaddress.ip_address(peer[0]) if peer else None
        except ValueError:  # a unix socket, or a test client's made-up name
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped  # an IPv4 peer of a dual-stack listener
        return address is not None and any(address in net for net in self.proxies)


@functools.lru_cache(maxsize=4)
def source_for(settings: Settings) -> CertificateSource:
    """The source for these settings, made once (the middleware and the token route share
    it)."""
    return CertificateSource(settings)


def trusted_networks(text: str) -> tuple[Network, ...]:
    """``OPENROR_TLS_TRUSTED_PROXIES``: addresses or networks, comma-separated."""
    networks = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise InvalidInput([error("value", f"OPENROR_TLS_TRUSTED_PROXIES: '{part}' is not "
                                      "an IP address or network (e.g. 10.0.0.5, "
                                      "10.0.0.0/24)")]) from None
    return tuple(networks)
