"""The processes of ``openror serve`` as the tests see them: a free port, the children of a
process, the workers of a ``--workers N`` supervisor (read from /proc, Linux)."""

from __future__ import annotations

import socket
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _parent_and_command(entry: Path) -> tuple[int, bytes] | None:
    try:
        stat = (entry / "stat").read_text()
        cmdline = (entry / "cmdline").read_bytes()
    except (OSError, NotADirectoryError):
        return None
    return int(stat.rsplit(")", 1)[1].split()[1]), cmdline


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (seen := _parent_and_command(entry)) and seen[0] == pid:
            found.append(int(entry.name))
    return sorted(found)


def server_workers(supervisor: int) -> list[int]:
    """The supervisor's workers: its children started by multiprocessing's spawn (its
    resource tracker is a child too, and is not one)."""
    return [child for child in children(supervisor)
            if b"spawn_main" in (_parent_and_command(Path(f"/proc/{child}")) or (0, b""))[1]]
