"""Prepare a batch of notices in one transaction: recipients from roles, each rendered in their language,
in-app notifications and PDF letters stored (each at most once per recipient, by unique constraints), and
every e-mail still to send recorded as `sending` before anything leaves.

What several rows of a batch share (the application, its program, the holders of a role, the award) is
read once per batch.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import SQLAlchemyError

from workflow.engine.results import Refused
from workflow.models import Letter, NoticeDelivery, NoticePreference, Notification, OutboxMessage
from workflow.notices import compose
from workflow.notices.dialect import insert_ignoring_duplicates
from workflow.notices.mail import message_id
from workflow.notices.recipients import resolve
from workflow.notices.render import EVERYTHING, NoticeFacts, RenderError, money_and_due

log = logging.getLogger(__name__)

READ_OUTBOX = (
    select(OutboxMessage)
    .where(OutboxMessage.id.in_(bindparam("b_ids", expanding=True)))
    .order_by(OutboxMessage.id)
)
READ_DELIVERIES = select(NoticeDelivery.outbox_id, NoticeDelivery.user_id, NoticeDelivery.status).where(
    NoticeDelivery.outbox_id.in_(bindparam("b_ids", expanding=True)), NoticeDelivery.channel == "email"
)
READ_OPTED_OUT = select(NoticePreference.user_id).where(
    NoticePreference.user_id.in_(bindparam("b_users", expanding=True)),
    NoticePreference.kind == bindparam("b_kind"),
    NoticePreference.email.is_(False),
)
READ_LETTER = select(Letter.filename, Letter.content).where(
    Letter.outbox_id == bindparam("b_outbox"), Letter.user_id == bindparam("b_user")
)
INSERT_LETTER = insert(Letter)
INSERT_DELIVERY = insert(NoticeDelivery)


class PermanentNoticeError(Exception):
    """Retrying cannot help (template error, nobody to send to): the notice is failed at once."""


@dataclass
class Email:
    outbox_id: int
    user_id: int
    name: str
    address: str
    subject: str
    text: str
    html: str
    attachment: tuple[str, bytes] | None


@dataclass
class Prepared:
    """One row of the batch, ready to send; `failure` (permanent) or `error` (transient) if it is not."""

    outbox_id: int
    emails: list[Email] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # recipients who cannot get the e-mail
    failure: str = ""
    error: str = ""


class Batch:
    """The reads a batch shares, each made once: applications, programs, role holders, money facts."""

    def __init__(self, service, connection):
        self.service = service
        self.connection = connection
        self.now = service.clock()
        self._applications: dict[int, tuple] = {}
        self._recipients: dict[tuple, tuple] = {}
        self._facts: dict[tuple, tuple] = {}
        self._opted_out: dict[tuple, set[int]] = {}
        self.notifications: list[dict] = []
        self.deliveries: list[dict] = []

    def application(self, application_id: int) -> tuple[dict, object]:
        if application_id not in self._applications:
            application = self.service.read_application(self.connection, application_id)
            if application is None:
                program = PermanentNoticeError(f"no application {application_id}")
            else:
                try:
                    program = self.service.workflow.program_of(self.connection, application)
                except Refused as refused:
                    program = PermanentNoticeError(refused.message.en)
            self._applications[application_id] = (application, program)
        application, program = self._applications[application_id]
        if isinstance(program, PermanentNoticeError):
            raise program
        return application, program

    def recipients(self, application: dict, roles: list[str]):
        key = (application["id"], tuple(roles))
        if key not in self._recipients:
            self._recipients[key] = resolve(self.connection, application, roles)
        return self._recipients[key]

    def facts(self, application: dict, program, outbox: dict, needs: frozenset) -> NoticeFacts:
        key = (application["id"], needs, "pdf" in outbox["channels"])
        if key not in self._facts:
            self._facts[key] = money_and_due(self.connection, application, outbox["channels"], needs)
        award, tranches, due = self._facts[key]
        return NoticeFacts(application, program, outbox, award, tranches, due)

    def opted_out(self, user_ids: list[int], kind: str) -> set[int]:
        key = (tuple(user_ids), kind)
        if key not in self._opted_out:
            rows = self.connection.execute(READ_OPTED_OUT, {"b_users": user_ids, "b_kind": kind})
            self._opted_out[key] = set(rows.scalars())
        return self._opted_out[key]


def prepare(service, connection, outbox_ids: list[int]) -> dict[int, Prepared]:
    """Within the caller's transaction: every row of the batch prepared, or its reason not to be. A
    database error propagates (the whole batch is retried); any other error fails only its row."""
    batch = Batch(service, connection)
    outboxes = [dict(row) for row in connection.execute(READ_OUTBOX, {"b_ids": outbox_ids}).mappings()]
    states: dict[tuple[int, int], str] = {}
    for row in connection.execute(READ_DELIVERIES, {"b_ids": outbox_ids}):
        states[(row.outbox_id, row.user_id)] = row.status
    prepared = {}
    for outbox in outboxes:
        try:
            prepared[outbox["id"]] = _prepare_row(batch, outbox, states)
        except (PermanentNoticeError, RenderError) as error:
            prepared[outbox["id"]] = Prepared(outbox["id"], failure=str(error))
        except SQLAlchemyError:
            raise
        except Exception as error:  # noqa: BLE001 - one broken notice must not hold up its batch
            log.exception("notice %s: preparing failed", outbox["id"])
            prepared[outbox["id"]] = Prepared(outbox["id"], error=f"{type(error).__name__}: {error}")
    if batch.notifications:
        insert_ignoring_duplicates(connection, Notification, batch.notifications)
    if batch.deliveries:
        connection.execute(INSERT_DELIVERY, batch.deliveries)
    return prepared


def _prepare_row(batch: Batch, outbox: dict, states: dict) -> Prepared:
    service = batch.service
    application, program = batch.application(outbox["application_id"])
    recipients, unheld = batch.recipients(application, list(outbox["recipients"]))
    if not recipients:
        raise PermanentNoticeError(f"no recipient: nobody holds {', '.join(unheld) or 'the roles'}")
    # a letter's own text (templates/letters/) may use any fact: read them all for letters
    needs = EVERYTHING if "pdf" in outbox["channels"] else service.renderer.needs(outbox["template"])
    facts = batch.facts(application, program, outbox, needs)
    statutory = bool((outbox["payload"] or {}).get("statutory"))
    channels = set(outbox["channels"])
    opted_out: set[int] = set()
    if "email" in channels and not statutory:
        opted_out = batch.opted_out([r.user_id for r in recipients], outbox["template"])
    rendered = [(recipient, service.renderer.render(facts, recipient)) for recipient in recipients]
    result = Prepared(outbox["id"])
    notifications, deliveries = [], []
    for recipient, message in rendered:
        wants_email = "email" in channels and recipient.user_id not in opted_out
        letter = _letter(batch, facts, recipient, message) if "pdf" in channels else None
        if "inbox" in channels or not wants_email:
            notifications.append(_notification(outbox, recipient, message, statutory, wants_email))
        done = states.get((outbox["id"], recipient.user_id))
        if not wants_email or done in ("sent", "failed"):
            continue
        if not recipient.has_address:
            result.problems.append(f"no e-mail address for user {recipient.user_id} ({recipient.name})")
            deliveries.append(_delivery(batch, outbox["id"], recipient, "failed", "no e-mail address"))
            continue
        if done is None:
            deliveries.append(_delivery(batch, outbox["id"], recipient, "sending", None))
        result.emails.append(
            Email(
                outbox["id"],
                recipient.user_id,
                recipient.name,
                recipient.email,
                message.subject,
                message.text,
                message.html,
                letter,
            )
        )
    # only now, with nothing left to fail: a row that failed half-way writes nothing but its letters
    batch.notifications += notifications
    batch.deliveries += deliveries
    return result


def _notification(outbox, recipient, message, statutory: bool, emailed: bool) -> dict:
    return {
        "outbox_id": outbox["id"],
        "user_id": recipient.user_id,
        "application_id": outbox["application_id"],
        "kind": outbox["template"],
        "lang": message.lang,
        "subject": message.subject,
        "body": message.text,
        "statutory": statutory,
        "emailed": emailed,
        "created_at": outbox["created_at"],
    }


def _letter(batch: Batch, facts, recipient, message) -> tuple[str, bytes]:
    outbox_id = facts.outbox["id"]
    row = batch.connection.execute(READ_LETTER, {"b_outbox": outbox_id, "b_user": recipient.user_id}).first()
    if row is not None:
        return row.filename, row.content
    letter = compose.letter(batch.service, facts, recipient, message)
    batch.connection.execute(INSERT_LETTER, {**letter, "created_at": batch.now})
    return letter["filename"], letter["content"]


def _delivery(batch: Batch, outbox_id: int, recipient, status: str, error: str | None) -> dict:
    return {
        "outbox_id": outbox_id,
        "user_id": recipient.user_id,
        "channel": "email",
        "address": recipient.email[:254],
        "message_id": message_id(outbox_id, recipient.user_id, batch.service.mail_domain),
        "status": status,
        "error": error,
        "created_at": batch.now,
    }
