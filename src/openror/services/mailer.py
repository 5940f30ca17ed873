"""The server's sender: delivers the pending rows of the mail outbox through the configured
backend (services.mail_backends), each once.

A batch is claimed first (the rows are marked sent in the claiming statement, store.outbox),
then delivered; a message whose delivery fails is given back, pending, and the error is
logged; the next run tries it again. Delivery is therefore at most once per run and never
twice for one row, even with several senders; a process killed between the claim and the
delivery loses the messages of its batch (the log names them: "claimed").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from openror.services.mail_backends import MailBackend
from openror.store import outbox
from openror.store.database import Database
from openror.store.resets import Mail
from openror.store.resources import utcnow

BATCH = 100
log = logging.getLogger("openror.mail")


@dataclass(frozen=True)
class Delivery:
    sent: int
    failed: int


def message(mail: Mail, sender: str) -> EmailMessage:
    built = EmailMessage()
    built["From"] = sender
    built["To"] = mail.recipient
    built["Subject"] = mail.subject
    built["Date"] = format_datetime(mail.created_at.replace(tzinfo=UTC))
    built["Message-ID"] = make_msgid(f"openror-{mail.id}")
    built["X-OpenROR-Mail-Id"] = str(mail.id)
    built.set_content(mail.body)
    return built


def send_pending(db: Database, backend: MailBackend, sender: str,
                 batch: int = BATCH) -> Delivery:
    """Deliver every pending message; stop at the first batch with a failure (its failed
    messages wait for the next run rather than being retried at once)."""
    sent = failed = 0
    while True:
        claimed_at = utcnow()
        with db.write() as conn:
            claimed = outbox.claim(conn, claimed_at, batch)
        if not claimed:
            break
        log.info("claimed messages %s", ",".join(str(m.id) for m in claimed))
        done = _deliver(db, backend, sender, claimed, claimed_at)
        sent, failed = sent + done, failed + len(claimed) - done
        if done < len(claimed) or len(claimed) < batch:
            break
    return Delivery(sent, failed)


def _deliver(db: Database, backend: MailBackend, sender: str, claimed: list[Mail],
             claimed_at: datetime) -> int:
    delivered: list[int] = []
    try:
        with backend.session() as send:
            for mail in claimed:
                try:
                    send(message(mail, sender))
                except (OSError, ValueError) as exc:
                    log.error("mail #%s to %s not delivered through %r: %s", mail.id,
                              mail.recipient, backend, exc)
                    continue
                delivered.append(mail.id)
    except OSError as exc:  # the session itself: connection, TLS, login
        log.error("mail backend %r failed: %s", backend, exc)
    failed = [m for m in claimed if m.id not in set(delivered)]
    if failed:
        with db.write() as conn:
            for mail in failed:
                outbox.give_back(conn, mail.id, claimed_at)
    return len(delivered)
