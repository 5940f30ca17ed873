"""PKCE and the authorization request of OpenID Connect logins."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from openror.access import oidc


def test_pkce_s256_matches_rfc_7636_appendix_b() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert oidc.challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_the_authorization_request_carries_state_nonce_and_challenge() -> None:
    login = oidc.pending()
    assert 43 <= len(login.verifier) <= 128  # RFC 7636 §4.1
    assert len({login.state, login.nonce, login.verifier, login.browser}) == 4
    url = oidc.authorization_url("https://psc.example/auth?kc=1", "client", "https://ror/cb",
                                 "openid scope_all", login)
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query == {"kc": "1", "response_type": "code", "client_id": "client",
                     "redirect_uri": "https://ror/cb", "scope": "openid scope_all",
                     "state": login.state, "nonce": login.nonce,
                     "code_challenge": oidc.challenge(login.verifier),
                     "code_challenge_method": "S256"}


def test_the_issuer_must_be_https_but_on_the_loopback() -> None:
    import pytest

    from openror.errors import InvalidInput
    from openror.services.oidc_provider import check_issuer

    assert check_issuer("https://psc.example/realms/x/") == "https://psc.example/realms/x"
    assert check_issuer("http://127.0.0.1:9000/realms/x").startswith("http://127.0.0.1")
    for bad in ("http://psc.example/realms/x", "file:///etc/passwd", ""):
        with pytest.raises(InvalidInput, match="must be an https:// URL"):
            check_issuer(bad)
