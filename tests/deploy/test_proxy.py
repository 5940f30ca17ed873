"""deploy/nginx/openror.conf: a configuration nginx accepts, that forwards only the client
certificate it verified, in the header and the format OpenROR is told to read, and whose
limits agree with OpenROR's settings."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import uvicorn
from crossplane.analyzer import DIRECTIVES

from openror.access import certificates
from openror.api.server import server_options
from openror.config import Settings, load_settings
from openror.services.clients import Clients
from openror.store.database import Database
from openror.store.migrate import upgrade
from tests.conftest import LiveServer
from tests.deploy.deployfiles import (
    GUIDE,
    NGINX_CONF,
    Directive,
    env_file,
    https_server,
    named,
    nginx_tree,
    walk,
)
from tests.pki import Authority, Identity

#: the blocks whose contents are data (map keys and values), not directives
DATA_BLOCKS = frozenset({"map", "types", "geo", "split_clients"})
#: nginx's $ssl_client_escaped_cert: ngx_escape_uri(…, NGX_ESCAPE_URI_COMPONENT), whose table
#: (src/core/ngx_string.c) escapes every byte but ALPHA, DIGIT, "-", ".", "_" and "~"
URI_COMPONENT = (0xFFFFFFFF, 0xFC009FFF, 0x78000001, 0xB8000001,
                 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)


def nginx_escaped(pem: str) -> str:
    return "".join(f"%{b:02X}" if URI_COMPONENT[b >> 5] & (1 << (b & 0x1F)) else chr(b)
                   for b in pem.encode("ascii"))


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> list[Directive]:
    payload, parsed = nginx_tree(tmp_path_factory.mktemp("nginx"))
    assert payload["errors"] == [], payload["errors"]
    return parsed


@pytest.fixture(scope="module")
def identity(tmp_path_factory: pytest.TempPathFactory) -> Identity:
    return Authority(tmp_path_factory.mktemp("pki"), "igc-sante-test").client("sas-aisne")


def forwarded_header(tree: list[Directive]) -> str:
    """The name of the header that carries the certificate to OpenROR."""
    names = [d["args"][0] for d in named(https_server(tree), "proxy_set_header")
             if d["args"][1] == "$openror_client_cert"]
    assert len(names) == 1
    return str(names[0])


# -- nginx accepts it --------------------------------------------------------------------

def test_nginx_knows_every_directive_in_its_place(tree: list[Directive]) -> None:
    """crossplane checked contexts and argument counts when parsing; names here."""
    unknown = [f"{d['directive']} (line {d['line']})" for d in walk(tree, DATA_BLOCKS)
               if d["directive"] not in DIRECTIVES]
    assert unknown == []


def test_nginx_t_accepts_it_with_real_certificates(tmp_path: Path, identity: Identity) -> None:
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if nginx is None:
        pytest.skip("nginx is not installed")
    ca = identity.cert.parent / "igc-sante-test.ca.pem"
    server = Authority(tmp_path, "server-ca").server()
    text = NGINX_CONF.read_text(encoding="utf-8")
    for old, new in (("/etc/nginx/tls/ror.example.org.fullchain.pem", server.cert),
                     ("/etc/nginx/tls/ror.example.org.key", server.key),
                     ("/etc/nginx/tls/igc-sante-ca.pem", ca),
                     ("/var/log/nginx/", f"{tmp_path}/")):
        assert old in text
        text = text.replace(old, str(new))
    (tmp_path / "openror.conf").write_text(text, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    include {tmp_path}/openror.conf;\n}}\n", encoding="ascii")
    done = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-e", f"{tmp_path}/error.log",
                           "-c", str(tmp_path / "nginx.conf")],
                          check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# -- the certificate header --------------------------------------------------------------

def test_only_a_verified_certificate_is_forwarded(tree: list[Directive]) -> None:
    maps = [d for d in named(tree, "map") if d["args"][1] == "$openror_client_cert"]
    assert len(maps) == 1 and maps[0]["args"][0] == "$ssl_client_verify"
    values = {entry["directive"]: entry["args"] for entry in maps[0]["block"]}
    assert values == {"SUCCESS": ["$ssl_client_escaped_cert"], "default": [""]}
    server = https_server(tree)
    assert named(server, "ssl_verify_client")[0]["args"] == ["optional"]
    assert named(server, "ssl_client_certificate")


def test_no_location_drops_the_certificate_header(tree: list[Directive]) -> None:
    """nginx inherits the server's proxy_set_header only where a location sets none: a
    location with one of its own would pass the client's own header of that name through."""
    for location in named(https_server(tree), "location"):
        inner = list(walk(location["block"]))
        assert named(inner, "proxy_pass"), location["args"]
        assert not named(inner, "proxy_set_header"), location["args"]


def test_the_guide_and_the_environment_name_the_header_nginx_sets(
        tree: list[Directive]) -> None:
    header = forwarded_header(tree).lower()
    assert env_file()["OPENROR_TLS_PROXY_HEADER"].lower() == header
    in_guide = re.findall(r"OPENROR_TLS_PROXY_HEADER=(\S+)", GUIDE.read_text(encoding="utf-8"))
    assert in_guide and {name.lower() for name in in_guide} == {header}


def test_openror_reads_the_certificate_nginx_forwards(tree: list[Directive],
                                                      identity: Identity) -> None:
    value = nginx_escaped(identity.pem)
    assert "%0A" in value and "%20" in value and "\n" not in value  # one header line
    assert certificates.header_thumbprint(value) == certificates.thumbprint(identity.pem)


@pytest.fixture(scope="module")
def proxied(tree: list[Directive], tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[LiveServer]:
    """OpenROR with the settings of deploy/systemd/openror.env, on a SQLite database."""
    folder = tmp_path_factory.mktemp("proxied")
    url = f"sqlite:///{folder / 'openror.sqlite'}"
    db = Database(url)
    upgrade(db)
    db.dispose()
    settings = replace(load_settings(env_file()), database_url=url, data_dir=folder,
                       log_level="WARNING")
    with LiveServer(settings, certificates_required=True, **server_options(settings)) as live:
        yield live


def test_a_client_gets_a_bound_token_through_the_proxy_only(
        proxied: LiveServer, tree: list[Directive], identity: Identity) -> None:
    """From the proxy's address (OPENROR_TLS_TRUSTED_PROXIES of the environment file), the
    header as nginx fills it authenticates the client; from another address it does not."""
    settings: Settings = proxied.app.state.services.settings
    made = Clients(proxied.app.state.services.db, settings).add(
        "through nginx", 1, cert_pem=identity.pem)
    header = {forwarded_header(tree): nginx_escaped(identity.pem)}
    proxy = settings.tls_trusted_proxies.split(",")[0].strip()
    assert proxy == "127.0.0.1"  # where the upstream of openror.conf is
    answer = _token(proxied, made.client_id, header, source=proxy)
    assert answer.status_code == 200, answer.text
    claims = jwt.decode(answer.json()["access_token"], options={"verify_signature": False})
    assert claims["cnf"]["x5t#S256"] == certificates.thumbprint(identity.pem)
    elsewhere = _token(proxied, made.client_id, header, source="127.0.0.2")
    assert elsewhere.status_code == 401 and elsewhere.json()["error"] == "invalid_client"


def _token(server: LiveServer, client_id: str, headers: dict[str, str], source: str
           ) -> httpx.Response:
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(base_url=server.url, transport=transport, timeout=30) as client:
        return client.post("/auth/token", headers=headers, data={
            "grant_type": "client_credentials", "client_id": client_id})


# -- limits agree with OpenROR -----------------------------------------------------------

def test_the_body_limit_is_openror_s(tree: list[Directive]) -> None:
    limit = named(https_server(tree), "client_max_body_size")[0]["args"][0]
    assert limit.isdigit(), "in bytes, as OPENROR_MAX_BODY_BYTES"
    assert int(limit) == load_settings(env_file()).max_body_bytes


def test_the_upstream_is_where_openror_serve_listens(tree: list[Directive]) -> None:
    upstream = named(tree, "upstream")[0]["block"]
    servers = [d["args"][0] for d in named(upstream, "server")]
    options = env_file()["SERVE_OPTIONS"].split()
    listen = f"{options[options.index('--host') + 1]}:{options[options.index('--port') + 1]}"
    assert servers == [listen]
    proxied = {d["args"][0] for d in walk(https_server(tree))
               if d["directive"] == "proxy_pass"}
    assert proxied == {"http://openror"}


def test_nginx_drops_idle_connections_before_uvicorn_does(tree: list[Directive]) -> None:
    upstream = named(tree, "upstream")[0]["block"]
    assert named(upstream, "keepalive")
    timeout = named(upstream, "keepalive_timeout")[0]["args"][0]
    uvicorn_s = uvicorn.Config(app=_nothing).timeout_keep_alive
    assert _seconds(timeout) < uvicorn_s
    server = https_server(tree)  # keep-alive to the upstream needs HTTP/1.1, no Connection
    assert named(server, "proxy_http_version")[0]["args"] == ["1.1"]
    assert ["Connection", ""] in [d["args"] for d in named(server, "proxy_set_header")]


def _nothing(*_: Any) -> None:
    raise AssertionError


def _seconds(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)(ms|s|m)?", value).groups()  # type: ignore[union-attr]
    return int(number) * {"ms": 0.001, "s": 1, "m": 60, None: 1}[unit]


def test_metrics_are_for_the_monitoring_network_only(tree: list[Directive]) -> None:
    found = [d for d in named(https_server(tree), "location") if "/-/metrics" in d["args"]]
    assert len(found) == 1
    rules = [(d["directive"], d["args"]) for d in found[0]["block"]
             if d["directive"] in ("allow", "deny")]
    assert rules and rules[-1] == ("deny", ["all"])
    assert all(d == "allow" for d, _ in rules[:-1])


def test_plain_http_only_redirects(tree: list[Directive]) -> None:
    plain = [d["block"] for d in named(tree, "server") if d["block"] is not https_server(tree)]
    assert plain and all(named(block, "return")[0]["args"][0] == "301" for block in plain)
    assert not any(named(list(walk(block)), "proxy_pass") for block in plain)
