"""A PostgreSQL primary and a streaming replica on loopback, made for a test module: initdb,
``pg_basebackup -R``, a replica that applies commits ``apply_delay_s`` late (so that a read
it serves is visibly stale), and everything removed afterwards.

PostgreSQL refuses to run as root: as root, the binaries run as the ``postgres`` user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg


def binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def missing() -> str | None:
    """Why a cluster cannot be made here (None: it can)."""
    if binaries() is None:
        return "PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed"
    if os.geteuid() == 0 and (shutil.which("runuser") is None or _uid("postgres") is None):
        return "running as root needs runuser and a 'postgres' user to start PostgreSQL"
    return None


def _uid(user: str) -> int | None:
    import pwd

    try:
        return pwd.getpwnam(user).pw_uid
    except KeyError:
        return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Cluster:
    def __init__(self, apply_delay_s: int) -> None:
        found = binaries()
        assert found is not None
        self.bin = found
        self.root = Path(tempfile.mkdtemp(prefix="openror-replicas-"))
        self.primary_dir, self.replica_dir = self.root / "primary", self.root / "replica"
        self.primary_port, self.replica_port = _free_port(), _free_port()
        self.apply_delay_s = apply_delay_s
        self.database = "openror"

    # -- commands ------------------------------------------------------------------------

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120,
                              cwd=self.root, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {done.stdout}{done.stderr}")

    def start(self) -> None:
        if os.geteuid() == 0:
            uid = _uid("postgres")
            assert uid is not None
            os.chown(self.root, uid, uid)
        self._run("initdb", "-D", str(self.primary_dir), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--no-sync")
        self._append(self.primary_dir / "postgresql.conf", {
            "port": str(self.primary_port), "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.root}'", "wal_level": "replica",
            "max_wal_senders": "4", "fsync": "off", "max_connections": "200"})
        with open(self.primary_dir / "pg_hba.conf", "a", encoding="utf-8") as hba:
            hba.write("\nhost replication all 127.0.0.1/32 trust\n")
        self._run("pg_ctl", "-D", str(self.primary_dir), "-l", str(self.root / "primary.log"),
                  "-w", "start")
        self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port),
                  "-U", "postgres", "-D", str(self.replica_dir), "-R", "-X", "stream")
        self._append(self.replica_dir / "postgresql.conf", {
            "port": str(self.replica_port), "hot_standby": "on",
            "recovery_min_apply_delay": f"'{self.apply_delay_s}s'"})
        self.start_replica()
        with psycopg.connect(self.primary_admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')

    def _append(self, conf: Path, values: dict[str, str]) -> None:
        with open(conf, "a", encoding="utf-8") as out:
            out.write("\n" + "".join(f"{k} = {v}\n" for k, v in values.items()))

    def start_replica(self) -> None:
        self._run("pg_ctl", "-D", str(self.replica_dir), "-l", str(self.root / "replica.log"),
                  "-w", "start")

    def stop_replica(self) -> None:
        self._run("pg_ctl", "-D", str(self.replica_dir), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        """Stop both servers (whatever state they are in) and remove their files."""
        for data in (self.replica_dir, self.primary_dir):
            if (data / "postmaster.pid").exists():
                with contextlib.suppress(RuntimeError):  # already stopped
                    self._run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    # -- addresses -----------------------------------------------------------------------

    @property
    def primary_admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.primary_port}/postgres"

    @property
    def primary_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.primary_port}/{self.database}"

    @property
    def replica_url(self) -> str:
        # a password trust ignores: it must not appear where the replica is shown
        return f"postgresql://postgres:s3cret@127.0.0.1:{self.replica_port}/{self.database}"

    # -- replication ---------------------------------------------------------------------

    def primary_position(self) -> int:
        with psycopg.connect(self.primary_url, autocommit=True) as conn:
            found = conn.execute(
                "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')").fetchone()
        assert found is not None
        return int(found[0])

    def replayed(self) -> int:
        with psycopg.connect(self.replica_url, autocommit=True) as conn:
            found = conn.execute(
                "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')").fetchone()
        assert found is not None
        return int(found[0])

    def wait_replayed(self, position: int, within_s: float = 60.0) -> None:
        """Wait until the replica has replayed ``position`` (a bound, not a measure)."""
        deadline = time.monotonic() + within_s
        while True:
            try:
                if self.replayed() >= position:
                    return
            except psycopg.OperationalError:  # the database not replicated yet
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the replica did not replay {position} in {within_s} s")
            time.sleep(0.1)
