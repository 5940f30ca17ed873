"""Mutual TLS for API clients (RFC 8705): what a client must present at the token endpoint,
and the certificate a bound token must come with on every request.

When client certificates are required (``OPENROR_REQUIRE_CLIENT_CERTIFICATES``, the default),
a client of access profile 1–5 authenticates with its registered certificate, and its tokens
are bound to it (``cnf.x5t#S256``); profile 0 keeps its secret. Whatever the setting, a
client that presents its registered certificate gets a bound token, and a bound token is
only accepted with that certificate."""

from __future__ import annotations

from openror.access import certificates
from openror.errors import Unauthorized, error
from openror.store.clients import ClientRow


def needs_certificate(profile: int, required: bool) -> bool:
    return required and profile != 0


def token_binding(row: ClientRow, presented: str | None, required: bool) -> str | None:
    """The thumbprint the client's new token is bound to (None: unbound), once its secret,
    if it gave one, is verified; :class:`Unauthorized` when its certificate is missing or
    is not the registered one."""
    registered = row.cert_thumbprint
    if registered is not None and certificates.same(presented, registered):
        return registered
    if registered is not None and presented is not None:
        raise _refused(f"the client certificate presented is not the one registered for "
                       f"client '{row.client_id}'")
    if needs_certificate(row.profile, required):
        raise _refused(f"client '{row.client_id}' has access profile {row.profile}: it "
                       "authenticates with its client certificate (mutual TLS, RFC 8705), not "
                       "with its secret alone; connect with the registered certificate")
    return None


def check_token_certificate(bound_to: str | None, row: ClientRow, presented: str | None,
                            required: bool) -> None:
    """A token bound to a certificate needs that certificate; a client that must use one
    cannot use a token that is not bound (obtained before certificates were required)."""
    if bound_to is not None and not certificates.same(presented, bound_to):
        raise _invalid_token("certificate not matching the token: the token is bound to a "
                             "client certificate (RFC 8705) and the request does not come "
                             "with it; send it over mutual TLS with the same certificate")
    if bound_to is None and needs_certificate(row.profile, required):
        raise _invalid_token("the token is not bound to a client certificate, which a client "
                             f"of access profile {row.profile} needs: get a new token from "
                             "POST /auth/token over mutual TLS")


def _refused(message: str) -> Unauthorized:
    return Unauthorized([error("security", message)])


def _invalid_token(message: str) -> Unauthorized:
    return Unauthorized([error("security", message)], token_error="invalid_token")
