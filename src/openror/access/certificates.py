"""Client certificates, for mutual TLS and certificate-bound tokens (RFC 8705). A client is
identified by its certificate's thumbprint (``x5t#S256``): the base64url SHA-256 of the DER,
without padding. Only the thumbprint is stored; the chain is verified by whoever terminates
TLS (this server with its client CA, or the trusted reverse proxy)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from urllib.parse import unquote

from openror.errors import InvalidInput, error

_PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.DOTALL)


def der_thumbprint(der: bytes) -> str:
    digest = hashlib.sha256(der).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def thumbprint(pem: str) -> str:
    """``x5t#S256`` of the first certificate of a PEM text."""
    der = _pem_der(pem)
    if der is None:
        raise InvalidInput([error("invalid", "the certificate is not PEM: give the file with "
                                  "-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----")])
    return der_thumbprint(der)


def header_thumbprint(value: str) -> str | None:
    """``x5t#S256`` of the certificate a reverse proxy forwards in a header: URL-encoded PEM
    (nginx ``$ssl_client_escaped_cert``), PEM with its line breaks turned into spaces, or bare
    base64 DER. None when the header is empty or unreadable: no certificate."""
    text = unquote(value).strip()
    der = _pem_der(text) if "-----BEGIN" in text else _der("".join(text.split()))
    return None if der is None else der_thumbprint(der)


def same(presented: str | None, expected: str) -> bool:
    """Whether a presented thumbprint is the expected one (in constant time)."""
    return presented is not None and hmac.compare_digest(presented, expected)


def _pem_der(pem: str) -> bytes | None:
    found = _PEM.search(pem)
    return _der("".join(found.group(1).split())) if found else None


def _der(encoded: str) -> bytes | None:
    try:
        der = base64.b64decode(encoded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return None
    return der if der.startswith(b"\x30") else None  # a DER certificate is an ASN.1 SEQUENCE
