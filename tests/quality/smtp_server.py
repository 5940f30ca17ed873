"""A minimal SMTP server on a loopback port, started by the test itself (no aiosmtpd in the
environment): EHLO with AUTH PLAIN, MAIL, RCPT (some addresses refused), DATA, QUIT. It keeps
what it received."""

from __future__ import annotations

import base64
import socketserver
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from types import TracebackType


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: Message


@dataclass
class State:
    refused: set[str] = field(default_factory=set)
    logins: list[tuple[str, str]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, *lines: str) -> None:
        text = "".join(f"{line}\r\n" for line in lines)
        self.wfile.write(text.encode())

    def handle(self) -> None:
        self.reply("220 test ESMTP")
        sender, recipients = "", list[str]()
        while line := self.rfile.readline():
            command = line.decode().rstrip("\r\n")
            verb, _, argument = command.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self.reply("250-test", "250-AUTH PLAIN", "250 8BITMIME")
            elif verb == "AUTH":
                _, user, password = base64.b64decode(argument.split()[1]).decode().split("\0")
                self.server.state.logins.append((user, password))
                self.reply("235 ok")
            elif verb == "MAIL":
                sender, recipients = argument.split(":", 1)[1].strip("<> "), list[str]()
                self.reply("250 ok")
            elif verb == "RCPT":
                address = argument.split(":", 1)[1].strip("<> ")
                if address in self.server.state.refused:
                    self.reply("550 no such mailbox")
                else:
                    recipients.append(address)
                    self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                self._data(sender, recipients)
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # RSET, NOOP, HELO
                self.reply("250 ok")

    def _data(self, sender: str, recipients: list[str]) -> None:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        self.server.state.received.append(
            Received(sender, recipients, message_from_bytes(b"".join(lines))))
        self.reply("250 queued")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: State


class SmtpServer:
    def __init__(self) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.state = State()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        port: int = self.server.server_address[1]
        return port

    @property
    def state(self) -> State:
        return self.server.state

    def __enter__(self) -> SmtpServer:
        self.thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()
