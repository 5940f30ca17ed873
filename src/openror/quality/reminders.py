"""Freshness reminders: one French mail per owner listing their overdue offers.

An offer is overdue when neither changed nor confirmed for ``after_days`` (quality.freshness).
Its owners are the active accounts with an e-mail address whose role governs it: a referent
of its site, legal entity or unit, or the professional of a liberal offer (services.scopes,
through the :class:`~openror.quality.freshness.Ownership` handed over). An overdue offer
without any such account is counted and skipped. Nobody is reminded about the same offer
twice within ``every_days``; a confirmation makes the offer fresh, so it stops the reminders.
The mail goes to the outbox (store.outbox) with the reminder rows that record it, in one
transaction per recipient.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import orjson
import sqlalchemy as sa

from openror.access.caller import Grant
from openror.access.roles import PROFESSIONAL, REFERENT
from openror.quality.freshness import DEPTH, HS, ORG, Ownership
from openror.store import outbox, quality_reminders
from openror.store import users as user_rows
from openror.store.database import Database
from openror.store.hierarchy import Graph
from openror.store.quality_tables import quality_confirmation
from openror.store.resources import read_current, utcnow
from openror.store.schema import resource
from openror.store.users import UserRow

PAGE = "/qualite/fraicheur"
ROLE = "PractitionerRole"


@dataclass(frozen=True)
class Overdue:
    id: str
    last_confirmed: datetime

    @property
    def unit(self) -> str:
        return f"{HS}/{self.id}"


@dataclass
class Reminder:
    recipient: str
    names: list[str]  # display names of the accounts behind the address
    offers: list[Overdue] = field(default_factory=list)
    mail_id: int | None = None


@dataclass
class Report:
    overdue: int = 0
    without_owner: int = 0  # overdue offers that no account with an address owns
    not_due: int = 0  # (recipient, offer) pairs reminded less than every_days ago
    reminders: list[Reminder] = field(default_factory=list)


class Reminders:
    def __init__(self, db: Database, ownership: Ownership, after_days: int, every_days: int,
                 base_url: str = "") -> None:
        self.db, self.ownership = db, ownership
        self.after, self.every = timedelta(days=after_days), timedelta(days=every_days)
        # the setting is the base of the FHIR API (…/fhir); the page is beside it
        site = base_url.rstrip("/").removesuffix("/fhir")
        self.after_days, self.link = after_days, site + PAGE

    def run(self, dry_run: bool = False, now: datetime | None = None) -> Report:
        now = now or utcnow()
        report = Report()
        with self.db.read() as conn:
            overdue = overdue_offers(conn, now - self.after)
            report.overdue = len(overdue)
            owners = self._owners(conn, overdue, report)
            due = self._due(conn, owners, now, report)
        for reminder in due:
            if not dry_run:
                self._send(reminder, now)
            if dry_run or reminder.mail_id is not None:
                report.reminders.append(reminder)
        return report

    def _owners(self, conn: sa.Connection, overdue: list[Overdue], report: Report
                ) -> dict[str, Reminder]:
        """address -> the overdue offers of the accounts with that address."""
        accounts = Accounts(conn)
        graph = Graph(conn)
        found: dict[str, Reminder] = {}
        for offer in overdue:
            owners = [user for user, grant in accounts.candidates(graph, offer.id)
                      if self.ownership.governs(conn, grant, HS, offer.id)]
            if not owners:
                report.without_owner += 1
            for address in dict.fromkeys(u.email.lower() for u in owners if u.email):
                reminder = found.setdefault(address, Reminder(address, []))
                reminder.names.extend(u.display_name for u in owners
                                      if (u.email or "").lower() == address
                                      and u.display_name not in reminder.names)
                reminder.offers.append(offer)
        return found

    def _due(self, conn: sa.Connection, owners: dict[str, Reminder], now: datetime,
             report: Report) -> list[Reminder]:
        due = []
        for address in sorted(owners):
            reminder = owners[address]
            sent = quality_reminders.last_sent(conn, address, [o.unit for o in reminder.offers])
            fresh = [o for o in reminder.offers if o.unit not in sent
                     or sent[o.unit] <= now - self.every]
            report.not_due += len(reminder.offers) - len(fresh)
            if fresh:
                reminder.offers = fresh
                due.append(reminder)
        return due

    def _send(self, reminder: Reminder, now: datetime) -> None:
        """Claim the reminders and queue the mail, in one transaction; another run that
        claimed some of them first leaves only the rest (or nothing) to this one."""
        with self.db.write() as conn:
            claimed = [o for o in reminder.offers if quality_reminders.claim(
                conn, reminder.recipient, o.unit, now, now - self.every)]
            if not claimed:
                return
            reminder.offers = claimed
            subject, body = self.mail(conn, reminder)
            reminder.mail_id = outbox.queue(conn, reminder.recipient, subject, body, now)
            quality_reminders.attach_mail(conn, reminder.recipient, [o.unit for o in claimed],
                                          reminder.mail_id)

    def mail(self, conn: sa.Connection, reminder: Reminder) -> tuple[str, str]:
        count = len(reminder.offers)
        plural = "s" if count > 1 else ""
        subject = f"OpenROR : {count} offre{plural} à confirmer ou à mettre à jour"
        hello = f"Bonjour {reminder.names[0]}," if len(reminder.names) == 1 else "Bonjour,"
        lines = [f"- {_name(conn, o.id)} (dernière mise à jour ou confirmation le "
                 f"{o.last_confirmed:%d/%m/%Y})" for o in reminder.offers]
        body = (f"{hello}\n\n"
                f"Ce{plural} offre{plural} n'{'ont' if plural else 'a'} été ni modifiée{plural} "
                f"ni confirmée{plural} dans OpenROR depuis plus de {self.after_days} jours :\n\n"
                + "\n".join(lines) + "\n\n"
                "Si leur description est toujours exacte, confirmez-la en un clic (« Tout est "
                f"à jour ») sur la page :\n{self.link}\n\n"
                "Sinon, corrigez-la dans OpenROR : une modification vaut aussi confirmation.\n\n"
                "Vous recevez ce message parce que vous êtes responsable de ces offres dans "
                "OpenROR (référent de l'établissement ou professionnel).\n")
        return subject, body


def overdue_offers(conn: sa.Connection, cutoff: datetime) -> list[Overdue]:
    """Live offers neither changed nor confirmed since ``cutoff``."""
    r, c = resource, quality_confirmation
    stmt = (sa.select(r.c.id, r.c.last_updated, c.c.confirmed_at)
            .select_from(r.outerjoin(c, c.c.unit == sa.literal(f"{HS}/") + r.c.id))
            .where(r.c.type == HS, r.c.deleted.is_(False), r.c.last_updated < cutoff,
                   sa.or_(c.c.confirmed_at.is_(None), c.c.confirmed_at < cutoff))
            .order_by(r.c.id))
    return [Overdue(str(rid), max(changed, confirmed or changed))
            for rid, changed, confirmed in conn.execute(stmt)]


class Accounts:
    """Active accounts with an address and a referent's or professional's role, indexed by
    what their role is anchored to."""

    def __init__(self, conn: sa.Connection) -> None:
        grants = user_rows.all_grants(conn)
        self.above: dict[str, tuple[str, ...]] = {}
        self.referents: dict[str, list[tuple[UserRow, Grant]]] = defaultdict(list)
        self.professionals: dict[str, list[tuple[UserRow, Grant]]] = defaultdict(list)
        for user in user_rows.all_users(conn):
            if not user.active or not user.email:
                continue
            for grant in grants.get(user.id, ()):
                if grant.role == REFERENT and grant.scope:
                    self.referents[grant.scope].append((user, grant))
                elif grant.role == PROFESSIONAL and user.practitioner_id:
                    self.professionals[user.practitioner_id].append(
                        (user, Grant(PROFESSIONAL, user.practitioner_id)))

    def candidates(self, graph: Graph, offer: str) -> list[tuple[UserRow, Grant]]:
        """Accounts whose role may govern the offer (the role decides: Ownership.governs)."""
        found: list[tuple[UserRow, Grant]] = []
        if self.referents:
            for provider in graph.targets(HS, offer, "organization"):
                for org in self._ancestors(graph, provider):
                    found.extend(self.referents.get(org, ()))
        if self.professionals:
            for role in graph.referrers(ROLE, "service", HS, offer):
                for practitioner in graph.targets(ROLE, role, "practitioner"):
                    found.extend(self.professionals.get(practitioner, ()))
        return found

    def _ancestors(self, graph: Graph, org: str) -> tuple[str, ...]:
        """The organization and those above it (``partOf``), remembered for the run: many
        offers share a site."""
        known = self.above.get(org)
        if known is None:
            found, frontier = [org], [org]
            for _ in range(DEPTH):
                frontier = [parent for o in frontier
                            for parent in graph.targets(ORG, o, "partof") if parent not in found]
                found.extend(frontier)
            known = self.above[org] = tuple(found)
        return known


def _name(conn: sa.Connection, offer: str) -> str:
    stored = read_current(conn, HS, offer)
    body = orjson.loads(stored.content) if stored and stored.content else {}
    return str(body.get("name") or offer)
