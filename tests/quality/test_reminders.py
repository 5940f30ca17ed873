"""Freshness reminders on both back-ends: due and not due, one mail per owner, not sent
again before the interval and sent again after it, snoozed by a confirmation; and
``openror quality remind``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner

from openror.cli import main
from openror.quality.freshness import Freshness
from openror.quality.reminders import Reminder, Reminders
from openror.services.ownership import OWNERSHIP
from openror.store import quality_reminders, resets
from openror.store.database import Database
from openror.store.quality_tables import quality_reminder
from openror.store.resources import utcnow
from tests.quality import world
from tests.services.roles_world import CALLERS


@pytest.fixture
def reminders(db: Database) -> Reminders:
    world.load(db)
    return Reminders(db, OWNERSHIP, after_days=365, every_days=30,
                     base_url="https://ror.example.org/fhir")


def _sent(sent: list[Reminder]) -> dict[str, list[str]]:
    return {r.recipient: [o.unit for o in r.offers] for r in sent}


def test_nothing_is_due_within_the_year(reminders: Reminders, db: Database) -> None:
    world.age_offers(db, 300)
    report = reminders.run()
    assert (report.overdue, report.reminders) == (0, [])
    with db.read() as conn:
        assert resets.outbox(conn) == []


def test_one_mail_per_owner(reminders: Reminders, db: Database) -> None:
    world.age_offers(db, 400)
    report = reminders.run()
    assert report.overdue == 5 and report.without_owner == 2  # hs-q, hs-84
    assert _sent(report.reminders) == {
        "pro@example.org": ["HealthcareService/hs-p"],
        "ref-a@example.org": ["HealthcareService/hs-a"],
        "ref-ej-b@example.org": ["HealthcareService/hs-b"]}
    with db.read() as conn:
        mails = {m.recipient: m for m in resets.outbox(conn)}
        rows = conn.execute(quality_reminder.select()).mappings().all()
    assert set(mails) == {"pro@example.org", "ref-a@example.org", "ref-ej-b@example.org"}
    mail = mails["ref-a@example.org"]
    assert mail.subject == "OpenROR : 1 offre à confirmer ou à mettre à jour"
    assert "Bonjour ref-a," in mail.body and "- Offre hs-a (dernière" in mail.body
    assert "https://ror.example.org/qualite/fraicheur" in mail.body
    assert {(r["recipient"], r["unit"], r["mail_id"]) for r in rows} == {
        (m.recipient, f"HealthcareService/{o}", m.id)
        for m, o in ((mails["pro@example.org"], "hs-p"), (mail, "hs-a"),
                     (mails["ref-ej-b@example.org"], "hs-b"))}


def test_not_again_before_the_interval_then_again_after(reminders: Reminders,
                                                        db: Database) -> None:
    world.age_offers(db, 400)
    assert len(reminders.run().reminders) == 3
    soon = reminders.run(now=utcnow() + timedelta(days=29))
    assert (soon.reminders, soon.not_due) == ([], 3)
    later = reminders.run(now=utcnow() + timedelta(days=31))
    assert len(later.reminders) == 3 and later.not_due == 0
    with db.read() as conn:
        assert len(resets.outbox(conn)) == 6


def test_a_confirmation_snoozes_the_reminders(reminders: Reminders, db: Database) -> None:
    world.age_offers(db, 400)
    Freshness(db, OWNERSHIP).confirm("Organization/eg-a", CALLERS["referent-site"])
    report = reminders.run()
    assert report.overdue == 4
    assert "ref-a@example.org" not in _sent(report.reminders)
    # a year after the confirmation, it is due again
    report = reminders.run(now=utcnow() + timedelta(days=366))
    assert _sent(report.reminders)["ref-a@example.org"] == ["HealthcareService/hs-a"]


def test_a_dry_run_writes_nothing(reminders: Reminders, db: Database) -> None:
    world.age_offers(db, 400)
    report = reminders.run(dry_run=True)
    assert len(report.reminders) == 3 and all(r.mail_id is None for r in report.reminders)
    with db.read() as conn:
        assert resets.outbox(conn) == []
        assert conn.execute(quality_reminder.select()).first() is None


def test_a_reminder_is_claimed_once_per_interval(db: Database) -> None:
    """Two runs at once (worker processes) claim each reminder once."""
    now = utcnow()
    with db.write() as conn:
        assert quality_reminders.claim(conn, "a@example.org", "HealthcareService/x", now,
                                       now - timedelta(days=30))
    with db.write() as conn:
        assert not quality_reminders.claim(conn, "a@example.org", "HealthcareService/x", now,
                                           now - timedelta(days=30))
        later = now + timedelta(days=31)
        assert quality_reminders.claim(conn, "a@example.org", "HealthcareService/x", later,
                                       later - timedelta(days=30))


def test_cli_remind(db: Database, database_url: str) -> None:
    world.load(db)
    world.age_offers(db, 400)
    runner = CliRunner()
    dry = runner.invoke(main, ["quality", "remind", "--dry-run", "--database", database_url])
    assert dry.exit_code == 0, dry.output
    assert "would remind ref-a@example.org: 1 offer(s): HealthcareService/hs-a" in dry.output
    assert "5 overdue offer(s)" in dry.output and "2 without an owner's account" in dry.output
    done = runner.invoke(main, ["quality", "remind", "--database", database_url])
    assert done.exit_code == 0 and "reminded pro@example.org" in done.output
    assert "3 recipient(s) reminded" in done.output and "(mail #" in done.output
    again = runner.invoke(main, ["quality", "remind", "--database", database_url])
    assert "0 recipient(s) reminded; 3 already reminded" in again.output
    wrong = runner.invoke(main, ["quality", "remind", "--database", "mysql://nope"])
    assert wrong.exit_code != 0
