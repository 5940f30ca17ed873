"""openror serve --workers 2 and SIGHUP: the workers are replaced one at a time by new
processes (after an upgrade, they run the installed code) while the server keeps answering.
Run in a network namespace of its own where the kernel hands an old worker's queued
connections to the others (net.ipv4.tcp_migrate_req), no request fails."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from openror.cli import main

pytestmark = pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"),
                                reason="SO_REUSEPORT: Linux and the BSDs only")
OPENROR = str(Path(sys.executable).with_name("openror"))
PROBE = str(Path(__file__).with_name("serve_reload_probe.py"))


def _own_network() -> bool:
    """Whether a network namespace can be made here (root, unshare and ip available)."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        return False
    return subprocess.run(["unshare", "-n", "true"], check=False,
                          capture_output=True).returncode == 0


def _probe(tmp_path: Path, own_network: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    url = f"sqlite:///{tmp_path / 'reload.sqlite'}"
    assert CliRunner().invoke(main, ["db", "upgrade", "--database", url]).exit_code == 0
    log = tmp_path / "serve.log"
    command = [sys.executable, PROBE, OPENROR, url, str(log)]
    if own_network:
        command = ["unshare", "-n", *command, "--own-network"]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    return json.loads(done.stdout.splitlines()[-1]), lines


def test_sighup_replaces_every_worker_while_the_server_answers(tmp_path: Path) -> None:
    result, log = _probe(tmp_path, own_network=False)
    assert result["started"] and result["replaced"], result
    assert len(result["new"]) == 2 and not set(result["new"]) & set(result["old"])
    assert result["answers"] and result["ok"] > 0 and result["exit"] == 0
    assert any(line["message"] == "every server worker replaced" for line in log)


@pytest.mark.skipif(not _own_network(), reason="needs root, unshare and ip to make a "
                    "network namespace with net.ipv4.tcp_migrate_req = 1")
def test_with_migrated_connections_no_request_fails_during_a_reload(tmp_path: Path) -> None:
    result, _ = _probe(tmp_path, own_network=True)
    assert result["migrate_req"] == "1" and result["replaced"], result
    assert result["failed"] == 0 and result["ok"] > 50, result
