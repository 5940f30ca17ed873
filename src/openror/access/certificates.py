"""Client certificates, for certificate-bound tokens (RFC 8705). Only the thumbprint is kept:
mutual TLS is not enforced yet."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

from openror.errors import InvalidInput, error

_PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.DOTALL)


def thumbprint(pem: str) -> str:
    """``x5t#S256`` of the first certificate of a PEM text: the base64url SHA-256 of its DER,
    without padding."""
    found = _PEM.search(pem)
    try:
        der = base64.b64decode("".join(found.group(1).split()), validate=True) if found else b""
    except binascii.Error:
        der = b""
    if not der.startswith(b"\x30"):  # a DER certificate is an ASN.1 SEQUENCE
        raise InvalidInput([error("invalid", "the certificate is not PEM: give the file with "
                                  "-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----")])
    digest = hashlib.sha256(der).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
