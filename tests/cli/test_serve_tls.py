"""openror serve with TLS and mutual TLS settings: what reaches uvicorn, and settings it cannot
use refused as one line before any worker starts."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from click.testing import CliRunner

from openror.api.server import server_options
from openror.api.transport import ConnectionInfoProtocol
from openror.cli import main
from openror.config import Settings
from tests.pki import Authority


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'serve.sqlite'}"
    assert CliRunner().invoke(main, ["db", "upgrade", "--database", url]).exit_code == 0
    return url


def _serve(url: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["serve", "--database", url, *args], env=env)
    return result.exit_code, result.output


def test_client_certificates_are_optional_at_the_tls_layer(tmp_path: Path) -> None:
    ca = Authority(tmp_path, "ca")
    server = ca.server()
    options = server_options(Settings(tls_cert=str(server.cert), tls_key=str(server.key),
                                      tls_client_ca=str(ca.cert)))
    assert options["http"] is ConnectionInfoProtocol
    assert options["ssl_cert_reqs"] == ssl.CERT_OPTIONAL
    assert options["ssl_ca_certs"] == str(ca.cert)
    plain = server_options(Settings(tls_cert=str(server.cert), tls_key=str(server.key)))
    assert plain["ssl_cert_reqs"] == ssl.CERT_NONE
    assert server_options(Settings()) == {"http": ConnectionInfoProtocol}


@pytest.mark.parametrize(("args", "env", "message"), [
    (("--tls-cert", "/nonexistent.pem"), {}, "cannot use the server certificate "
     "/nonexistent.pem"),
    (("--tls-client-ca", "/ca.pem"), {}, "need OPENROR_TLS_CERT"),
    ((), {"OPENROR_TLS_PROXY_HEADER": "X-SSL-Client-Cert"},
     "OPENROR_TLS_TRUSTED_PROXIES is empty"),
    ((), {"OPENROR_TLS_PROXY_HEADER": "X-SSL-Client-Cert",
          "OPENROR_TLS_TRUSTED_PROXIES": "10.0.0.1, proxy.local"},
     "'proxy.local' is not an IP address or network"),
    ((), {"OPENROR_ROR_HEADERS": "sometimes"}, "OPENROR_ROR_HEADERS is 'sometimes'"),
])
def test_unusable_settings_are_one_line(url: str, args: tuple[str, ...], env: dict[str, str],
                                        message: str) -> None:
    code, out = _serve(url, *args, env=env)
    assert code == 1, out
    assert out.startswith("openror: error:") and out.count("\n") == 1 and message in out


def test_a_bad_client_ca_is_one_line(url: str, tmp_path: Path) -> None:
    server = Authority(tmp_path, "ca").server()
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("not a certificate", encoding="ascii")
    code, out = _serve(url, "--tls-cert", str(server.cert), "--tls-key", str(server.key),
                       "--tls-client-ca", str(not_pem))
    assert code == 1 and out.count("\n") == 1 and "cannot use the client CA bundle" in out
