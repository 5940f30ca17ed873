"""A loopback HTTP proxy the federation tests control: one request per connection, passed
to the upstream server, with faults on demand — cut a response after N bytes, deliver the
previous feed page again instead of the one asked — and a record of every request's path."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable


def _read_request(conn: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    lines = [line for line in head.split(b"\r\n")
             if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


class CuttingProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.paths: list[str] = []
        self.lock = threading.Lock()
        #: (path substring, bytes to let through) for the next matching responses
        self.cuts: list[tuple[str, int]] = []
        #: path substrings whose next matching request gets the previous matching answer
        self.replays: list[str] = []
        self.last: dict[str, bytes] = {}
        self.delivered: list[Callable[[str], None]] = []  # told after each full answer
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def count(self, fragment: str) -> int:
        with self.lock:
            return sum(fragment in path for path in self.paths)

    def close(self) -> None:
        self.listener.close()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            request = _read_request(conn)
            if request is None:
                return
            path = request.split(b" ", 2)[1].decode()
            with self.lock:
                self.paths.append(path)
                replay = next((f for f in self.replays if f in path and f in self.last), None)
                if replay is not None:
                    self.replays.remove(replay)
            if replay is not None:
                conn.sendall(self.last[replay])
                return
            answer = self._forward(request)
            if answer is None:
                return  # upstream down: the client sees the connection closed
            with self.lock:
                for fragment in self.replays:
                    if fragment in path:
                        self.last[fragment] = answer
                cut = next((c for c in self.cuts if c[0] in path), None)
                if cut is not None:
                    self.cuts.remove(cut)
            if cut is not None:
                conn.sendall(answer[:cut[1]])
                conn.shutdown(socket.SHUT_RDWR)
                return
            conn.sendall(answer)
            for hook in self.delivered:
                hook(path)

    def _forward(self, request: bytes) -> bytes | None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30)
        except OSError:
            return None
        with upstream:
            upstream.sendall(request)
            chunks = []
            while True:
                try:
                    chunk = upstream.recv(65536)
                except OSError:
                    return None
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks) or None
