"""Deliver one outbox row — the body of the job, the same under rq and in embedded mode.

1. Claim: a lease row (notice_runs) so two runs never work on the same notice at once; count the attempt.
2. Prepare (one transaction): recipients from roles, render each in their language, write the in-app
   notifications and PDF letters (each at most once per recipient, by unique constraints).
3. Send: per recipient, a delivery row is written as `sending` (committed) before SMTP and as `sent`
   after the server accepted the message. A re-run skips `sent` rows.
4. Finish: sent, failed (with the reason) or back to waiting with a backoff.

Duplicate window: if the process dies after the SMTP server accepted a message and before the `sent`
commit, the next run sends it again, with the same Message-ID. A kill at any other moment yields
exactly one e-mail.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from workflow.engine.results import Refused
from workflow.models import (
    Letter,
    NoticeDelivery,
    NoticePreference,
    NoticeRun,
    Notification,
    OutboxMessage,
)
from workflow.notices import compose
from workflow.notices.mail import PermanentMailError, TransientMailError, make_mailer, message_id
from workflow.notices.recipients import resolve
from workflow.notices.render import NoticeFacts, RenderError


class PermanentNoticeError(Exception):
    """Retrying cannot help (template error, nobody to send to): the notice is failed at once."""


@dataclass(frozen=True)
class Outcome:
    outbox_id: int
    status: str  # sent | failed | retry | skipped | busy
    detail: str = ""


@dataclass
class Email:
    user_id: int
    name: str
    address: str
    subject: str
    text: str
    html: str
    attachment: tuple[str, bytes] | None


def deliver(service, outbox_id: int) -> Outcome:
    """Deliver one outbox row once; safe to call again at any time (after a crash, twice at once)."""
    token = uuid.uuid4().hex
    claim = _claim(service, outbox_id, token)
    if isinstance(claim, Outcome):
        return claim
    attempts = claim
    try:
        emails, problems = _prepare(service, outbox_id)
        problems += _send_all(service, outbox_id, emails)
    except PermanentNoticeError as error:
        return _finish(service, outbox_id, token, "failed", str(error))
    except (TransientMailError, OSError, OperationalError) as error:
        if attempts >= service.settings.max_attempts:
            return _finish(service, outbox_id, token, "failed", f"gave up after {attempts} attempts: {error}")
        return _finish(service, outbox_id, token, "retry", str(error), attempts)
    if problems:
        return _finish(service, outbox_id, token, "failed", "; ".join(problems))
    return _finish(service, outbox_id, token, "sent", "")


def _claim(service, outbox_id: int, token: str) -> int | Outcome:
    now = service.clock()
    with service.db.begin() as connection:
        row = connection.execute(
            select(OutboxMessage.status, OutboxMessage.attempts).where(OutboxMessage.id == outbox_id)
        ).first()
        if row is None:
            return Outcome(outbox_id, "skipped", "no such notice")
        if row.status in ("sent", "failed"):
            return Outcome(outbox_id, "skipped", f"already {row.status}")
        exists = connection.execute(
            select(NoticeRun.outbox_id).where(NoticeRun.outbox_id == outbox_id)
        ).scalar()
        if exists is None:
            try:
                with connection.begin_nested():
                    connection.execute(insert(NoticeRun).values(outbox_id=outbox_id, updated_at=now))
            except IntegrityError:
                pass  # another run created it a moment ago; the lease below decides
        claimed = connection.execute(
            update(NoticeRun)
            .where(
                NoticeRun.outbox_id == outbox_id,
                or_(NoticeRun.lease_until.is_(None), NoticeRun.lease_until < now),
            )
            .values(
                lease_token=token,
                lease_until=now + timedelta(seconds=service.settings.lease_seconds),
                updated_at=now,
            )
        )
        if claimed.rowcount != 1:
            return Outcome(outbox_id, "busy", "another run holds the lease")
        connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id)
            .values(attempts=OutboxMessage.attempts + 1)
        )
    return row.attempts + 1


def _prepare(service, outbox_id: int) -> tuple[list[Email], list[str]]:
    """Render for every recipient, store in-app notices and letters; return the e-mails still to send."""
    with service.db.begin() as connection:
        outbox = dict(
            connection.execute(select(OutboxMessage).where(OutboxMessage.id == outbox_id)).mappings().one()
        )
        application = service.read_application(connection, outbox["application_id"])
        try:
            program = service.workflow.program_of(connection, application)
        except Refused as refused:
            raise PermanentNoticeError(refused.message.en) from None
        recipients, unheld = resolve(connection, application, list(outbox["recipients"]))
        if not recipients:
            raise PermanentNoticeError(f"no recipient: nobody holds {', '.join(unheld) or 'the roles'}")
        facts = NoticeFacts.load(connection, application, program, outbox)
        statutory = bool((outbox["payload"] or {}).get("statutory"))
        channels = set(outbox["channels"])
        opted_out = _opted_out(connection, [r.user_id for r in recipients], outbox["template"])
        rendered = []
        for recipient in recipients:
            try:
                rendered.append((recipient, service.renderer.render(facts, recipient)))
            except RenderError as error:
                raise PermanentNoticeError(str(error)) from None
        emails, problems = [], []
        for recipient, message in rendered:
            wants_email = "email" in channels and (statutory or recipient.user_id not in opted_out)
            letter = None
            if "pdf" in channels:
                letter = _store_letter(service, connection, facts, recipient, message)
            if "inbox" in channels or not wants_email:
                _store_notification(connection, outbox, recipient, message, statutory, wants_email)
            if not wants_email:
                continue
            if not recipient.has_address:
                problems.append(f"no e-mail address for user {recipient.user_id} ({recipient.name})")
                _record_delivery(connection, service, outbox_id, recipient, "failed", "no e-mail address")
                continue
            emails.append(
                Email(
                    recipient.user_id,
                    recipient.name,
                    recipient.email,
                    message.subject,
                    message.text,
                    message.html,
                    letter,
                )
            )
    return emails, problems


def _opted_out(connection, user_ids: list[int], kind: str) -> set[int]:
    return set(
        connection.execute(
            select(NoticePreference.user_id).where(
                NoticePreference.user_id.in_(user_ids),
                NoticePreference.kind == kind,
                NoticePreference.email.is_(False),
            )
        ).scalars()
    )


def _store_notification(connection, outbox, recipient, message, statutory: bool, emailed: bool) -> None:
    exists = connection.execute(
        select(Notification.id).where(
            Notification.outbox_id == outbox["id"], Notification.user_id == recipient.user_id
        )
    ).scalar()
    if exists is None:
        connection.execute(
            insert(Notification).values(
                outbox_id=outbox["id"],
                user_id=recipient.user_id,
                application_id=outbox["application_id"],
                kind=outbox["template"],
                lang=message.lang,
                subject=message.subject,
                body=message.text,
                statutory=statutory,
                emailed=emailed,
                created_at=outbox["created_at"],
            )
        )


def _store_letter(service, connection, facts, recipient, message) -> tuple[str, bytes]:
    outbox = facts.outbox
    row = connection.execute(
        select(Letter.filename, Letter.content).where(
            Letter.outbox_id == outbox["id"], Letter.user_id == recipient.user_id
        )
    ).first()
    if row is not None:
        return row.filename, row.content
    letter = compose.letter(service, facts, recipient, message)
    connection.execute(insert(Letter).values(**letter, created_at=service.clock()))
    return letter["filename"], letter["content"]


def _record_delivery(connection, service, outbox_id, recipient, status, error=None) -> None:
    domain = service.mail_domain
    found = connection.execute(
        select(NoticeDelivery.id).where(
            NoticeDelivery.outbox_id == outbox_id,
            NoticeDelivery.user_id == recipient.user_id,
            NoticeDelivery.channel == "email",
        )
    ).scalar()
    values = {"status": status, "error": error, "address": recipient.email[:254]}
    if found is None:
        connection.execute(
            insert(NoticeDelivery).values(
                outbox_id=outbox_id,
                user_id=recipient.user_id,
                channel="email",
                message_id=message_id(outbox_id, recipient.user_id, domain),
                created_at=service.clock(),
                **values,
            )
        )
    else:
        connection.execute(update(NoticeDelivery).where(NoticeDelivery.id == found).values(**values))


def _send_all(service, outbox_id: int, emails: list[Email]) -> list[str]:
    problems = []
    with make_mailer(service.settings) as mailer:
        for email in emails:
            problem = _send_one(service, mailer, outbox_id, email)
            if problem:
                problems.append(problem)
    return problems


def _send_one(service, mailer, outbox_id: int, email: Email) -> str | None:
    msg_id = message_id(outbox_id, email.user_id, service.mail_domain)
    with service.db.begin() as connection:
        status = connection.execute(
            select(NoticeDelivery.status).where(
                NoticeDelivery.outbox_id == outbox_id,
                NoticeDelivery.user_id == email.user_id,
                NoticeDelivery.channel == "email",
            )
        ).scalar()
        if status in ("sent", "failed", "skipped"):
            return None
        if status is None:
            connection.execute(
                insert(NoticeDelivery).values(
                    outbox_id=outbox_id,
                    user_id=email.user_id,
                    channel="email",
                    address=email.address,
                    message_id=msg_id,
                    status="sending",
                    created_at=service.clock(),
                )
            )
    message = compose.email(service, email, msg_id)
    try:
        mailer.send(message, email.address)
    except PermanentMailError as error:
        _mark(service, outbox_id, email.user_id, "failed", str(error))
        return str(error)
    except TransientMailError as error:
        _mark(service, outbox_id, email.user_id, "sending", str(error))
        raise
    # --- the duplicate window: accepted by the server, not yet recorded ---
    _mark(service, outbox_id, email.user_id, "sent", None)
    return None


def _mark(service, outbox_id: int, user_id: int, status: str, error: str | None) -> None:
    values = {"status": status, "error": error}
    if status == "sent":
        values["sent_at"] = service.clock()
    with service.db.begin() as connection:
        connection.execute(
            update(NoticeDelivery)
            .where(
                NoticeDelivery.outbox_id == outbox_id,
                NoticeDelivery.user_id == user_id,
                NoticeDelivery.channel == "email",
            )
            .values(**values)
        )


def _finish(service, outbox_id: int, token: str, status: str, detail: str, attempts: int = 0) -> Outcome:
    now = service.clock()
    with service.db.begin() as connection:
        values: dict = {"last_error": detail[:2000] or None}
        if status == "sent":
            values.update(status="sent", sent_at=now, last_error=None)
        elif status == "failed":
            values["status"] = "failed"
        connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id, OutboxMessage.status.in_(("pending", "queued")))
            .values(**values)
        )
        next_attempt = (
            now + timedelta(seconds=service.settings.retry_delay(attempts)) if status == "retry" else None
        )
        connection.execute(
            update(NoticeRun)
            .where(NoticeRun.outbox_id == outbox_id, NoticeRun.lease_token == token)
            .values(lease_token=None, lease_until=None, next_attempt_at=next_attempt, updated_at=now)
        )
    return Outcome(outbox_id, status, detail)
