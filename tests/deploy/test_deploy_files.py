"""The systemd units, the environment file and the deployment guide: valid for systemd,
naming only settings and commands that exist, agreeing with the code they drive."""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from dataclasses import fields
from pathlib import Path

import click
import pytest

from openror import workers
from openror.cli import main as openror_cli
from openror.config import Settings, load_settings
from tests.deploy.deployfiles import (
    ADMIN,
    DEPLOY,
    ENV_FILE,
    GUIDE,
    INSTALLED_BIN,
    UNITS,
    env_file,
    openror_commands,
    systemd_command,
    unit_files,
    unit_values,
)

OPENROR_BIN = Path(sys.executable).with_name("openror")
SETTINGS = {f"OPENROR_{f.name.upper()}" for f in fields(Settings)}


def test_the_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    for unit in unit_files():  # with a program that exists where the release would be
        text = unit.read_text(encoding="utf-8").replace(INSTALLED_BIN, str(OPENROR_BIN))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    names = [str(tmp_path / u.name) for u in unit_files()]
    done = subprocess.run([analyze, "verify", *names], check=False, capture_output=True, text=True,
                          timeout=120)
    # unknown keys and sections are only warnings to systemd: they are mistakes here
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def test_there_is_a_server_unit_and_a_timer_for_each_job() -> None:
    names = {u.name for u in unit_files()}
    assert "openror.service" in names
    jobs = {n.removesuffix(".service") for n in names if n != "openror.service"
            and n.endswith(".service")}
    assert jobs >= {"openror-backup", "openror-check", "openror-quality-run",
                    "openror-quality-remind"}
    assert {f"{job}.timer" for job in jobs} <= names


def test_systemd_waits_longer_than_the_supervisor_before_killing_the_workers() -> None:
    unit = UNITS / "openror.service"
    # SIGTERM to the supervisor only: it stops its workers itself, each finishing its requests
    assert unit_values(unit, "KillMode") == ["mixed"]
    assert int(unit_values(unit, "TimeoutStopSec")[0]) > workers.STOP_TIMEOUT_S
    assert unit_values(unit, "ExecStartPre") == []  # no `openror db upgrade` on start


def test_every_unit_runs_as_the_service_user_with_the_environment_file() -> None:
    for unit in (u for u in unit_files() if u.suffix == ".service"):
        assert unit_values(unit, "User") == ["openror"], unit.name
        assert unit_values(unit, "EnvironmentFile") == ["/etc/openror/openror.env"], unit.name
        for key in ("NoNewPrivileges", "PrivateTmp"):
            assert unit_values(unit, key) == ["yes"], f"{unit.name}: {key}"
        assert unit_values(unit, "ProtectSystem") == ["strict"], unit.name


def test_every_openror_variable_named_is_a_setting() -> None:
    texts = [p.read_text(encoding="utf-8") for p in DEPLOY.rglob("*") if p.is_file()]
    named = set(re.findall(r"\bOPENROR_[A-Z0-9_]*[A-Z0-9]", "\n".join(
        [*texts, GUIDE.read_text(encoding="utf-8")])))
    assert len(named) > 10  # the scan sees the settings the files use
    assert named - SETTINGS == set()


def test_the_commands_named_in_the_units_and_the_guide_exist() -> None:
    texts = [u.read_text(encoding="utf-8") for u in unit_files()]
    texts.append(GUIDE.read_text(encoding="utf-8"))
    checked = 0
    for words in (w for text in texts for w in openror_commands(text)):
        command: click.Command = openror_cli
        for word in words:
            if not isinstance(command, click.Group):
                break  # the rest are the command's arguments
            found = command.get_command(click.Context(command), word)
            assert found is not None, f"`openror {' '.join(words)}`: no command {word!r}"
            command = found
            checked += 1
    assert checked > 10


def test_the_environment_file_gives_valid_settings() -> None:
    values = env_file()
    settings = load_settings(values)
    assert settings.database_url.startswith("postgresql://")
    assert settings.require_client_certificates and not settings.anonymous_access
    assert settings.cookie_secure
    assert settings.tls_proxy_header and settings.tls_trusted_proxies
    assert settings.max_body_bytes == Settings().max_body_bytes


def test_the_shell_reads_the_environment_file_as_systemd_does(tmp_path: Path) -> None:
    """openror-admin sources the file in bash: every value must come out the same."""
    done = subprocess.run(
        ["bash", "-c", 'set -a; . "$1"; exec "$2" -c "import json, os; '
         'print(json.dumps(dict(os.environ)))"', "bash", str(ENV_FILE), sys.executable],
        check=False, capture_output=True, text=True, env={"PATH": os.environ["PATH"]}, timeout=60)
    assert done.returncode == 0, done.stderr
    shell = json.loads(done.stdout)
    for key, value in env_file().items():
        assert shell.get(key) == value, key


def test_the_server_command_line_is_the_one_openror_serve_takes() -> None:
    line = unit_values(UNITS / "openror.service", "ExecStart")[0]
    words = systemd_command(line, env_file())
    assert words[0] == INSTALLED_BIN and words[1] == "serve"
    serve = openror_cli.get_command(click.Context(openror_cli), "serve")
    assert serve is not None
    parsed = serve.make_context("serve", words[2:])
    assert parsed.params["host"] == "127.0.0.1" and parsed.params["workers"] >= 2


def test_openror_admin_runs_openror_with_the_environment_file(tmp_path: Path) -> None:
    assert ADMIN.stat().st_mode & stat.S_IXUSR
    database = tmp_path / "openror.sqlite"
    env = tmp_path / "openror.env"
    env.write_text(ENV_FILE.read_text(encoding="utf-8").replace(
        env_file()["OPENROR_DATABASE_URL"], f"sqlite:///{database}"), encoding="utf-8")
    done = _admin(tmp_path, env, "db", "upgrade")  # the database the file names
    assert done.returncode == 0, done.stderr
    assert "database at schema" in done.stdout and database.exists()
    done = _admin(tmp_path, env, "clients", "add", "x", "--profile", "0", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["client_id"].startswith("x-")
    bad = _admin(tmp_path, env, "clients", "add", "y", "--profile", "9")
    assert bad.returncode == 1 and bad.stderr.startswith("openror: error:")


def _admin(folder: Path, env: Path, *args: str) -> subprocess.CompletedProcess[str]:
    variables = {"PATH": os.environ["PATH"], "ADMIN_ENV_FILE": str(env),
                 "ADMIN_BIN": str(OPENROR_BIN), "ADMIN_USER": _me(), "ADMIN_DIR": str(folder)}
    return subprocess.run([str(ADMIN), *args], check=False, capture_output=True, text=True,
                          env=variables, timeout=120)


def _me() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


def test_the_backup_unit_writes_a_dated_backup_and_needs_its_url(tmp_path: Path) -> None:
    """The unit's own command line, as systemd hands it to sh, on a SQLite database."""
    database = tmp_path / "openror.sqlite"
    assert _admin(tmp_path, _sqlite_env(tmp_path, database), "db", "upgrade").returncode == 0
    line = unit_values(UNITS / "openror-backup.service", "ExecStart")[0]
    line = line.replace(INSTALLED_BIN, str(OPENROR_BIN))
    line = line.replace("/var/backups/openror", str(tmp_path / "backups"))
    (tmp_path / "backups").mkdir()
    words = systemd_command(line, {})
    ok = subprocess.run(words, check=False, capture_output=True, text=True, timeout=120, env={
        "PATH": os.environ["PATH"], "BACKUP_DATABASE_URL": f"sqlite:///{database}"})
    assert ok.returncode == 0, ok.stderr
    made = list((tmp_path / "backups").glob("openror-*.backup"))
    assert len(made) == 1 and re.fullmatch(r"openror-\d{8}T\d{6}Z\.backup", made[0].name)
    with sqlite3.connect(made[0]) as copy:  # a database, with the schema's tables
        assert copy.execute("SELECT count(*) FROM resource").fetchone() == (0,)
    missing = subprocess.run(words, check=False, capture_output=True, text=True, timeout=60,
                             env={"PATH": os.environ["PATH"]})
    assert missing.returncode != 0 and "BACKUP_DATABASE_URL" in missing.stderr
    assert len(list((tmp_path / "backups").iterdir())) == 1  # nothing written without it


def test_the_backup_unit_deletes_only_backups_older_than_two_weeks(tmp_path: Path) -> None:
    line = unit_values(UNITS / "openror-backup.service", "ExecStartPost")[0]
    words = systemd_command(line.replace("/var/backups/openror", str(tmp_path)), {})
    old, recent = tmp_path / "openror-20200101T000000Z.backup", tmp_path / "openror-new.backup"
    other = tmp_path / "notes.txt"
    for path, days in ((old, 30), (recent, 10), (other, 30)):
        path.write_text("x", encoding="ascii")
        os.utime(path, (time.time() - days * 86400,) * 2)
    subprocess.run(words, check=True, timeout=60)
    assert not old.exists() and recent.exists() and other.exists()


def _sqlite_env(folder: Path, database: Path) -> Path:
    env = folder / "openror.env"
    env.write_text(f"OPENROR_DATABASE_URL=sqlite:///{database}\n", encoding="utf-8")
    return env
