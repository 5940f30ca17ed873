"""Access tokens: what they carry, and each way a token is refused (no database)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from openror.access import tokens
from openror.access.tokens import TokenPolicy
from openror.errors import Unauthorized

KEY = b"k" * 64
POLICY = TokenPolicy("openror", "openror", 3600)
GEN = 1_700_000_000_123_456


def _token(policy: TokenPolicy = POLICY, key: bytes = KEY, thumbprint: str | None = None,
           now: datetime | None = None) -> str:
    return tokens.issue(key, policy, "aisne-sas-1a2b3c4d", 2, GEN, thumbprint, now)


def _refused(token: str, policy: TokenPolicy = POLICY) -> Unauthorized:
    with pytest.raises(Unauthorized) as refused:
        tokens.verify(KEY, policy, token)
    assert refused.value.status == 401
    assert 'error="invalid_token"' in refused.value.headers["WWW-Authenticate"]
    return refused.value


def test_a_token_carries_the_client_and_its_profile() -> None:
    claims = tokens.verify(KEY, POLICY, _token())
    assert (claims.client_id, claims.profile, claims.secret_gen) == ("aisne-sas-1a2b3c4d", 2, GEN)
    assert claims.expires_at - claims.issued_at == 3600
    assert claims.thumbprint is None
    header = jwt.get_unverified_header(_token())
    assert header == {"alg": "HS256", "typ": "at+jwt"}
    payload = jwt.decode(_token(), options={"verify_signature": False})
    assert {"iss", "aud", "sub", "iat", "exp", "jti", "profile"} <= set(payload)


def test_a_certificate_binds_the_token() -> None:
    claims = tokens.verify(KEY, POLICY, _token(thumbprint="abc_-"))
    assert claims.thumbprint == "abc_-"
    payload = jwt.decode(_token(thumbprint="abc_-"), options={"verify_signature": False})
    assert payload["cnf"] == {"x5t#S256": "abc_-"}


def test_every_token_has_its_own_id() -> None:
    assert tokens.verify(KEY, POLICY, _token()).jti != tokens.verify(KEY, POLICY, _token()).jti


def test_a_tampered_token_is_refused() -> None:
    head, _payload, signature = _token().split(".")
    claims = jwt.decode(_token(), options={"verify_signature": False}) | {"profile": 1}
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert "signature" in _refused(f"{head}.{forged}.{signature}").message


def test_a_token_signed_with_another_key_is_refused() -> None:
    assert "signature" in _refused(_token(key=b"x" * 64)).message


def test_an_expired_token_is_refused() -> None:
    past = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=2)
    refused = _refused(_token(now=past))
    assert "expired" in refused.message and refused.issues[0].code == "expired"


def test_a_token_for_another_audience_or_issuer_is_refused() -> None:
    assert "audience" in _refused(_token(TokenPolicy("openror", "elsewhere", 60))).message
    assert "issuer" in _refused(_token(TokenPolicy("elsewhere", "openror", 60))).message


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "Bearer x.y.z"])
def test_a_malformed_token_is_refused(token: str) -> None:
    assert "malformed" in _refused(token).message


def test_a_token_without_the_required_claims_is_refused() -> None:
    bare = jwt.encode({"sub": "x", "iss": "openror", "aud": "openror"}, KEY, algorithm="HS256")
    assert "lacks" in _refused(bare).message


def test_a_token_with_wrong_claim_types_is_refused() -> None:
    payload = jwt.decode(_token(), options={"verify_signature": False}) | {"profile": "1"}
    assert "malformed" in _refused(jwt.encode(payload, KEY, algorithm="HS256")).message


def test_only_hs256_is_accepted() -> None:
    payload = jwt.decode(_token(), options={"verify_signature": False})
    unsigned = jwt.encode(payload, None, algorithm="none")
    _refused(unsigned)


def test_a_token_accepted_before_is_refused_once_expired(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """A verified token is remembered (its signature is not checked at every request), but
    not past its expiry."""
    token = _token()
    claims = tokens.verify(KEY, POLICY, token)
    later = claims.expires_at + tokens.LEEWAY_S + 1
    monkeypatch.setattr(tokens.time, "time", lambda: float(later))
    assert "expired" in _refused(token).issues[0].diagnostics
