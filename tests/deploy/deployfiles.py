"""Reading the files of deploy/ the way their programs read them: systemd's unit and
environment files, nginx's configuration (through crossplane, nginx's own parser in Python),
PgBouncer's ini file."""

from __future__ import annotations

import configparser
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import crossplane

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
ENV_FILE = UNITS / "openror.env"
NGINX_CONF = DEPLOY / "nginx" / "openror.conf"
PGBOUNCER_INI = DEPLOY / "pgbouncer" / "pgbouncer.ini"
ADMIN = DEPLOY / "openror-admin"
GUIDE = ROOT / "docs" / "admin" / "deployment.md"
#: where the units expect the release's openror (the tests substitute a real one)
INSTALLED_BIN = "/opt/openror/current/venv/bin/openror"

Directive = dict[str, Any]


def unit_files() -> list[Path]:
    return sorted(p for p in UNITS.iterdir() if p.suffix in (".service", ".timer"))


def env_file(path: Path = ENV_FILE) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them: comments start with # or ;,
    a value in double or single quotes loses them."""
    values = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def unit_values(path: Path, key: str) -> list[str]:
    """Every value of ``key`` in a unit file (any section)."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() == key:
            found.append(value.strip())
    return found


def systemd_command(line: str, environment: dict[str, str]) -> list[str]:
    """An Exec*= command line as systemd runs it: specifiers (%%), $VAR and ${VAR} from the
    environment, $$ for a dollar, then split with its quoting rules."""
    line = line.replace("%%", "\0PCT\0")
    assert "%" not in line, f"unknown specifier in {line!r}"

    def variable(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        return environment.get(match.group(1) or match.group(2), "")

    line = re.sub(r"\$\$|\$\{(\w+)\}|\$(\w+)", variable, line)
    return shlex.split(line.replace("\0PCT\0", "%"))


def openror_commands(text: str) -> Iterator[list[str]]:
    """The words after each `openror` (or `…/bin/openror`, `openror-admin`) command in
    ``text``, up to its first option or value."""
    # at the start of a line, after a backtick or a bin/ (prose like "the openror user" and
    # arguments like "--owner openror" are not commands); openror-admin runs openror
    for match in re.finditer(r"(?:^[ \t]*|`|/bin/)openror(?:-admin)?((?: [a-z][a-z-]*)+)",
                             text, re.M):
        yield match.group(1).split()


# -- nginx ----------------------------------------------------------------------------------

def nginx_tree(tmp: Path, conf: Path = NGINX_CONF) -> tuple[dict[str, Any], list[Directive]]:
    """crossplane's parse of ``conf`` included in an http block, as nginx.conf does with
    sites-enabled: (the whole payload, the directives of ``conf``)."""
    main = tmp / "nginx.conf"
    main.write_text(f"events {{}}\nhttp {{\n    include {conf};\n}}\n", encoding="ascii")
    payload = crossplane.parse(str(main), check_ctx=True, check_args=True)
    ours = [c for c in payload["config"] if c["file"] == str(conf)]
    assert ours, payload
    return payload, ours[0]["parsed"]


def walk(directives: list[Directive], skip: frozenset[str] = frozenset()
         ) -> Iterator[Directive]:
    """Every directive, depth first; the contents of ``skip`` blocks (data, not directives)
    are not entered."""
    for directive in directives:
        yield directive
        if "block" in directive and directive["directive"] not in skip:
            yield from walk(directive["block"], skip)


def named(directives: list[Directive], name: str) -> list[Directive]:
    return [d for d in directives if d["directive"] == name]


def https_server(directives: list[Directive]) -> list[Directive]:
    servers = [d["block"] for d in named(directives, "server")
               if any("ssl" in listen["args"] for listen in named(d["block"], "listen"))]
    assert len(servers) == 1, "one server block listens with ssl"
    block: list[Directive] = servers[0]
    return block


# -- PgBouncer ------------------------------------------------------------------------------

def pgbouncer_ini() -> configparser.ConfigParser:
    ini = configparser.ConfigParser(comment_prefixes=(";", "#"), inline_comment_prefixes=None,
                                    interpolation=None)
    ini.read(PGBOUNCER_INI, encoding="utf-8")
    return ini
