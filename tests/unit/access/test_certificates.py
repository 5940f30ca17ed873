"""Client certificate thumbprints (RFC 8705 x5t#S256)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from openror.access.certificates import thumbprint
from openror.errors import InvalidInput

DER = b"\x30\x03\x02\x01\x01"  # SEQUENCE { INTEGER 1 }: enough for a thumbprint


def pem(der: bytes) -> str:
    body = base64.b64encode(der).decode()
    return f"subject=CN test\n-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"


def test_the_thumbprint_is_the_base64url_sha256_of_the_der() -> None:
    expected = base64.urlsafe_b64encode(hashlib.sha256(DER).digest()).rstrip(b"=").decode()
    assert thumbprint(pem(DER)) == expected
    assert "=" not in expected and len(expected) == 43


@pytest.mark.parametrize("text", ["", "not a certificate", pem(b"plain text"),
                                  "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----"])
def test_anything_else_is_refused_with_what_to_give(text: str) -> None:
    with pytest.raises(InvalidInput, match="BEGIN CERTIFICATE"):
        thumbprint(text)


def test_a_proxy_header_gives_the_same_thumbprint_in_each_usual_form() -> None:
    from urllib.parse import quote

    from openror.access.certificates import header_thumbprint

    text = pem(DER)
    body = base64.b64encode(DER).decode()
    expected = thumbprint(text)
    for value in (quote(text), text.replace("\n", " "), body, f" {body} "):
        assert header_thumbprint(value) == expected, value
    for value in ("", "(null)", quote(pem(b"plain text")), "%%%"):
        assert header_thumbprint(value) is None, value


def test_thumbprints_are_compared_whole() -> None:
    from openror.access.certificates import same

    assert same("abc", "abc")
    assert not same(None, "abc") and not same("ab", "abc") and not same("", "abc")
