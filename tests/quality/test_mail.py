"""Delivery of the mail outbox on both back-ends: console, file and SMTP backends (SMTP
against a server of the test's own on the loopback), each message once, failures left
pending, and ``openror mail send``."""

from __future__ import annotations

import io
import logging
import socket
from email import message_from_bytes
from pathlib import Path

import pytest
from click.testing import CliRunner

from openror.cli import main
from openror.errors import InvalidInput
from openror.services.mail_backends import Console, Directory, Smtp, backend_from
from openror.services.mailer import send_pending
from openror.store import outbox, resets
from openror.store.database import Database
from openror.store.resources import utcnow
from tests.quality.smtp_server import SmtpServer

SENDER = "OpenROR <ne-pas-repondre@example.org>"


def _queue(db: Database, *recipients: str) -> list[int]:
    with db.write() as conn:
        return [outbox.queue(conn, r, f"Objet pour {r}", f"Bonjour {r},\n\nÀ bientôt.\n",
                             utcnow()) for r in recipients]


def _pending(db: Database) -> list[str]:
    with db.read() as conn:
        return [m.recipient for m in resets.outbox(conn)]


def test_the_setting_names_a_backend() -> None:
    assert isinstance(backend_from("console"), Console)
    assert backend_from("file:/tmp/boite") == Directory(Path("/tmp/boite"))
    smtp = backend_from("smtp://moi%40ars:s%C3%A9cret@relais.example:587?starttls=true")
    assert smtp == Smtp("relais.example", 587, "moi@ars", "sécret", True)
    assert "sécret" not in repr(smtp)
    for wrong in ("sendmail", "file:", "smtp://relais.example", "smtp://h:25?tls=1",
                  "smtp://u:motdepasse@h"):
        with pytest.raises(InvalidInput) as refused:
            backend_from(wrong)
        assert "motdepasse" not in refused.value.message


def test_console_prints_each_message_once(db: Database) -> None:
    _queue(db, "a@example.org", "b@example.org")
    out = io.StringIO()
    done = send_pending(db, Console(out), SENDER)
    assert (done.sent, done.failed) == (2, 0)
    printed = out.getvalue()
    assert printed.count("Subject: Objet pour") == 2 and "To: b@example.org" in printed
    assert _pending(db) == []
    again = io.StringIO()
    assert send_pending(db, Console(again), SENDER).sent == 0 and again.getvalue() == ""


def test_file_backend_writes_one_eml_per_message(db: Database, tmp_path: Path) -> None:
    first, second = _queue(db, "a@example.org", "b@example.org")
    done = send_pending(db, Directory(tmp_path / "boite"), SENDER, batch=1)
    assert done.sent == 2
    files = sorted(p.name for p in (tmp_path / "boite").iterdir())
    assert files == sorted([f"{first}.eml", f"{second}.eml"])  # no temporary file left
    message = message_from_bytes((tmp_path / "boite" / f"{first}.eml").read_bytes())
    assert message["To"] == "a@example.org" and message["From"] == SENDER
    assert "À bientôt." in message.get_payload(decode=True).decode()  # type: ignore[union-attr]


def test_smtp_delivers_with_login(db: Database) -> None:
    _queue(db, "a@example.org", "b@example.org")
    with SmtpServer() as server:
        done = send_pending(db, Smtp("127.0.0.1", server.port, "ars", "secret"), SENDER)
    assert (done.sent, done.failed) == (2, 0)
    assert server.state.logins == [("ars", "secret")]
    assert [r.recipients for r in server.state.received] == [["a@example.org"],
                                                             ["b@example.org"]]
    assert server.state.received[0].message["Subject"] == "Objet pour a@example.org"
    assert _pending(db) == []


def test_a_refused_message_stays_pending_and_the_others_go(db: Database,
                                                           caplog: pytest.LogCaptureFixture
                                                           ) -> None:
    _queue(db, "a@example.org", "inconnu@example.org", "c@example.org")
    # the server's log configuration (logs.configure) stops propagation to the root logger
    logger = logging.getLogger("openror.mail")
    logger.addHandler(caplog.handler)
    with SmtpServer() as server:
        server.state.refused.add("inconnu@example.org")
        done = send_pending(db, Smtp("127.0.0.1", server.port), SENDER)
        assert (done.sent, done.failed) == (2, 1)
        assert _pending(db) == ["inconnu@example.org"]
        assert "inconnu@example.org" in caplog.text  # the error is logged
        server.state.refused.clear()  # the next run sends it
        assert send_pending(db, Smtp("127.0.0.1", server.port), SENDER).sent == 1
    logger.removeHandler(caplog.handler)
    assert _pending(db) == []
    assert sorted(r.recipients[0] for r in server.state.received) == [
        "a@example.org", "c@example.org", "inconnu@example.org"]


def test_an_unreachable_relay_leaves_everything_pending(db: Database) -> None:
    _queue(db, "a@example.org", "b@example.org")
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = send_pending(db, Smtp("127.0.0.1", port), SENDER)
    assert (done.sent, done.failed) == (0, 2)
    assert _pending(db) == ["a@example.org", "b@example.org"]


def test_a_claimed_message_is_not_claimed_again(db: Database) -> None:
    """Two senders at once (worker processes): the claim marks the rows in the statement
    that takes them, so the second finds nothing to send."""
    _queue(db, "a@example.org")
    with db.write() as conn:
        first = outbox.claim(conn, utcnow(), 10)
    with db.write() as conn:
        second = outbox.claim(conn, utcnow(), 10)
    assert [m.recipient for m in first] == ["a@example.org"] and second == []


def test_cli_mail_send(db: Database, database_url: str, tmp_path: Path,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    _queue(db, "a@example.org")
    runner = CliRunner()
    monkeypatch.setenv("OPENROR_MAIL_BACKEND", f"file:{tmp_path}")
    result = runner.invoke(main, ["mail", "send", "--database", database_url])
    assert result.exit_code == 0, result.output
    assert "sent 1 message(s)" in result.output and len(list(tmp_path.iterdir())) == 1
    _queue(db, "b@example.org")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("OPENROR_MAIL_BACKEND", f"smtp://127.0.0.1:{port}")
    result = runner.invoke(main, ["mail", "send", "--database", database_url])
    assert result.exit_code == 1 and "1 failed (still pending)" in result.output
    monkeypatch.setenv("OPENROR_MAIL_BACKEND", "pigeon")
    result = runner.invoke(main, ["mail", "send", "--database", database_url])
    assert result.exit_code == 1 and "is not one of" in result.output
    assert _pending(db) == ["b@example.org"]
