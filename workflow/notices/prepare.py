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
from workflow.notices.render import EVERYTHING, NoticeFacts, RenderError, money_and_due, templates_of
from workflow.vocabulary.channels import channels_of, fallbacks_for

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


@dataclass
class RecipientNotice:
    """One recipient of one outbox row, as the channels see it; channels note what they did."""

    batch: object  # prepare.Batch: the reads the batch shares
    outbox: dict
    facts: object  # render.NoticeFacts
    recipient: object  # recipients.Recipient
    message: object  # render.Rendered, in the recipient's language
    recipients: list  # everyone the row goes to (for reads made once per row)
    statutory: bool
    delivery_state: str | None  # the e-mail delivery already recorded for this recipient, if any
    result: object  # prepare.Prepared: the e-mails to send after commit, the problems
    notifications: list = field(default_factory=list)
    deliveries: list = field(default_factory=list)
    reached: set = field(default_factory=set)  # channels that reached the recipient
    attachment: tuple[str, bytes] | None = None  # (file name, content) for the e-mail


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

    def recipients(self, application: dict, roles: list[str], program=None):
        key = (application.id, tuple(roles))
        if key not in self._recipients:
            kinds = program.role_kinds if program is not None else None
            self._recipients[key] = resolve(self.connection, application, roles, kinds)
        return self._recipients[key]

    def facts(
        self, application: dict, program, outbox: dict, needs: frozenset, all_facts: bool
    ) -> NoticeFacts:
        key = (application.id, needs, all_facts)
        if key not in self._facts:
            self._facts[key] = money_and_due(self.connection, application, all_facts, needs)
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
    if outbox["application_id"] is None:  # an account notice: one user, no application
        from workflow.notices import account_mail

        return account_mail.prepare_row(batch, outbox, states)
    service = batch.service
    application, program = batch.application(outbox["application_id"])
    recipients, unheld = batch.recipients(application, list(outbox["recipients"]), program)
    if not recipients:
        raise PermanentNoticeError(f"no recipient: nobody holds {', '.join(unheld) or 'the roles'}")
    try:
        channels = channels_of(outbox["channels"])
    except KeyError as unknown:
        raise PermanentNoticeError(f"no notice channel {unknown}") from None
    fallbacks = fallbacks_for(outbox["channels"])
    # a letter's own text (templates/letters/) may use any fact: read them all for such channels
    all_facts = any(channel.needs_all_facts for channel in channels)
    needs = (
        EVERYTHING
        if all_facts
        else frozenset().union(*(service.renderer.needs(t, program.key) for t in templates_of(outbox)))
    )
    facts = batch.facts(application, program, outbox, needs, all_facts)
    statutory = bool((outbox["payload"] or {}).get("statutory"))
    rendered = [(recipient, service.renderer.render(facts, recipient)) for recipient in recipients]
    result = Prepared(outbox["id"])
    notifications, deliveries = [], []
    for recipient, message in rendered:
        notice = RecipientNotice(
            batch,
            outbox,
            facts,
            recipient,
            message,
            recipients,
            statutory,
            states.get((outbox["id"], recipient.user_id)),
            result,
            notifications,
            deliveries,
        )
        for channel in channels:
            channel.deliver(notice)
        for channel in fallbacks if not notice.reached else ():
            channel.deliver(notice)
    # only now, with nothing left to fail: a row that failed half-way writes nothing but its letters
    batch.notifications += notifications
    batch.deliveries += deliveries
    return result


def notification_row(outbox, recipient, message, statutory: bool, emailed: bool) -> dict:
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


def stored_letter(batch: Batch, facts, recipient, message) -> tuple[str, bytes]:
    outbox_id = facts.outbox["id"]
    row = batch.connection.execute(READ_LETTER, {"b_outbox": outbox_id, "b_user": recipient.user_id}).first()
    if row is not None:
        return row.filename, row.content
    letter = compose.letter(batch.service, facts, recipient, message)
    batch.connection.execute(INSERT_LETTER, {**letter, "created_at": batch.now})
    return letter["filename"], letter["content"]


def delivery_row(batch: Batch, outbox_id: int, recipient, status: str, error: str | None) -> dict:
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
