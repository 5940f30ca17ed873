"""Where the server's messages go (setting ``mail_backend``): ``console`` (standard output,
for a demo or a test), ``file:<dir>`` (one ``.eml`` file per message, for a mail pick-up
directory or a look by hand) or ``smtp://[user:password@]host:port[?starttls=true]`` (a relay,
with smtplib). Each backend opens a session for a batch of messages; a failure raises
``OSError`` (``smtplib.SMTPException`` is one)."""

from __future__ import annotations

import os
import smtplib
import ssl
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TextIO
from urllib.parse import parse_qs, unquote, urlsplit

from openror.errors import InvalidInput, error

Send = Callable[[EmailMessage], None]
TIMEOUT_S = 30.0
FORMS = "console, file:<directory> or smtp://[user:password@]host:port[?starttls=true]"


@dataclass(frozen=True)
class Console:
    """Each message, headers and body, on a text stream (standard output by default)."""

    stream: TextIO | None = None

    @contextmanager
    def session(self) -> Iterator[Send]:
        out = self.stream or sys.stdout

        def send(message: EmailMessage) -> None:
            out.write(f"{message.as_string()}\n{'-' * 72}\n")
            out.flush()
        yield send

    def __repr__(self) -> str:
        return "console"


@dataclass(frozen=True)
class Directory:
    """One ``<id>.eml`` file per message, written under a temporary name then renamed: a
    reader of the directory never sees half a message."""

    path: Path

    @contextmanager
    def session(self) -> Iterator[Send]:
        self.path.mkdir(parents=True, exist_ok=True)

        def send(message: EmailMessage) -> None:
            name = str(message["X-OpenROR-Mail-Id"] or "message")
            handle, temporary = tempfile.mkstemp(dir=self.path, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(message.as_bytes())
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, self.path / f"{name}.eml")
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        yield send

    def __repr__(self) -> str:
        return f"file:{self.path}"


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    user: str | None = None
    password: str | None = None
    starttls: bool = False

    @contextmanager
    def session(self) -> Iterator[Send]:
        with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S) as client:
            if self.starttls:
                client.starttls(context=ssl.create_default_context())
            if self.user:
                client.login(self.user, self.password or "")

            def send(message: EmailMessage) -> None:
                client.send_message(message)
            yield send

    def __repr__(self) -> str:  # never the password in a log line
        who = f"{self.user}@" if self.user else ""
        return f"smtp://{who}{self.host}:{self.port}{'?starttls=true' if self.starttls else ''}"


MailBackend = Console | Directory | Smtp


def backend_from(setting: str) -> MailBackend:
    """The backend a ``mail_backend`` setting names (InvalidInput when it names none)."""
    text = setting.strip()
    if text == "console":
        return Console()
    if text.startswith("file:") and text[5:].strip():
        return Directory(Path(text[5:].strip()))
    if text.startswith("smtp://"):
        return _smtp(text)
    raise _bad(f"mail backend {setting!r} is not one of: {FORMS}")


def _smtp(text: str) -> Smtp:
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = None
    if not parts.hostname or port is None:
        raise _bad(f"mail backend {_hide_password(text)!r} needs a host and a port: "
                   "smtp://[user:password@]host:port[?starttls=true]")
    query = parse_qs(parts.query)
    unknown = set(query) - {"starttls"}
    if unknown:
        raise _bad(f"mail backend: unknown option {sorted(unknown)[0]!r} (only starttls)")
    starttls = query.get("starttls", ["false"])[-1].lower() in ("1", "true", "yes", "on")
    return Smtp(parts.hostname, port, unquote(parts.username) if parts.username else None,
                unquote(parts.password) if parts.password else None, starttls)


def _hide_password(text: str) -> str:
    parts = urlsplit(text)
    if parts.password is None:
        return text
    return text.replace(f":{parts.password}@", ":***@", 1)


def _bad(message: str) -> InvalidInput:
    return InvalidInput([error("invalid", message, "OPENROR_MAIL_BACKEND")])
