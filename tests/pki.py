"""A throwaway PKI for the mutual TLS tests, written as PEM files: a CA, a server certificate
for 127.0.0.1 and client certificates (made with the `cryptography` package, a test-only
dependency). EC P-256 keys: quick to make."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

Key = ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class Identity:
    cert: Path
    key: Path

    @property
    def pem(self) -> str:
        return self.cert.read_text(encoding="ascii")


class Authority:
    """A CA that signs server and client certificates into ``folder``."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder, self.name = folder, name
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = _name(name)
        self.certificate = (_builder(subject, subject, self.key.public_key())
                            .add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
                            .sign(self.key, hashes.SHA256()))
        self.cert = folder / f"{name}.ca.pem"
        self.cert.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))

    def server(self, name: str = "server") -> Identity:
        san = x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1")),
                                           x509.DNSName("localhost")])
        return self._issue(name, ExtendedKeyUsageOID.SERVER_AUTH, san)

    def client(self, name: str) -> Identity:
        return self._issue(name, ExtendedKeyUsageOID.CLIENT_AUTH, None)

    def _issue(self, name: str, usage: x509.ObjectIdentifier,
               san: x509.SubjectAlternativeName | None) -> Identity:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (_builder(_name(name), self.certificate.subject, key.public_key())
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
                   .add_extension(x509.ExtendedKeyUsage([usage]), False))
        if san is not None:
            builder = builder.add_extension(san, False)
        identity = Identity(self.folder / f"{name}.pem", self.folder / f"{name}.key")
        identity.cert.write_bytes(builder.sign(self.key, hashes.SHA256())
                                  .public_bytes(serialization.Encoding.PEM))
        identity.key.write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        return identity


def client_context(ca: Path, identity: Identity | None = None) -> ssl.SSLContext:
    """What an HTTPS client trusts (``ca``) and, optionally, the certificate it presents."""
    context = ssl.create_default_context(cafile=str(ca))
    if identity is not None:
        context.load_cert_chain(identity.cert, identity.key)
    return context


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey
             ) -> x509.CertificateBuilder:
    now = datetime.now(UTC)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1)))
