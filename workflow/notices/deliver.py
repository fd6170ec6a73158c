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
from sqlalchemy.exc import OperationalError

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
from workflow.notices.dialect import insert_ignoring_duplicates
from workflow.notices.mail import PermanentMailError, TransientMailError, message_id
from workflow.notices.recipients import resolve
from workflow.notices.render import EVERYTHING, NoticeFacts, RenderError


class PermanentNoticeError(Exception):
    """Retrying cannot help (template error, nobody to send to): the notice is failed at once."""


INSERT_DELIVERY = insert(NoticeDelivery)


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
    accepted: list[int] = []
    try:
        emails, problems = _prepare(service, outbox_id)
        problems += _send_all(service, outbox_id, emails, accepted)
    except PermanentNoticeError as error:
        return _finish(service, outbox_id, token, "failed", str(error), accepted=accepted)
    except (TransientMailError, OSError, OperationalError) as error:
        if attempts >= service.settings.max_attempts:
            detail = f"gave up after {attempts} attempts: {error}"
            return _finish(service, outbox_id, token, "failed", detail, accepted=accepted)
        return _finish(service, outbox_id, token, "retry", str(error), attempts, accepted)
    if problems:
        return _finish(service, outbox_id, token, "failed", "; ".join(problems), accepted=accepted)
    return _finish(service, outbox_id, token, "sent", "", accepted=accepted)


class _Busy(Exception):
    """Another run holds the lease: roll the attempt count back."""


def _claim(service, outbox_id: int, token: str) -> int | Outcome:
    """Count the attempt and take the lease, or nothing (the outbox row is locked first, always)."""
    now = service.clock()
    lease = {"lease_token": token, "lease_until": now + timedelta(seconds=service.settings.lease_seconds)}
    try:
        with service.db.begin() as connection:
            attempts = connection.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == outbox_id, OutboxMessage.status.in_(("pending", "queued")))
                .values(attempts=OutboxMessage.attempts + 1)
                .returning(OutboxMessage.attempts)
            ).scalar()
            if attempts is None:
                return Outcome(outbox_id, "skipped", "already sent or failed, or no such notice")
            claimed = insert_ignoring_duplicates(
                connection, NoticeRun, {"outbox_id": outbox_id, "updated_at": now, **lease}
            )
            if not claimed:
                claimed = connection.execute(
                    update(NoticeRun)
                    .where(
                        NoticeRun.outbox_id == outbox_id,
                        or_(NoticeRun.lease_until.is_(None), NoticeRun.lease_until < now),
                    )
                    .values(updated_at=now, **lease)
                ).rowcount
            if not claimed:
                raise _Busy
    except _Busy:
        return Outcome(outbox_id, "busy", "another run holds the lease")
    return attempts


def _prepare(service, outbox_id: int) -> tuple[list[Email], list[str]]:
    """Render for every recipient, store in-app notices and letters, and record each e-mail as
    `sending` before anything leaves; return the e-mails still to send."""
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
        # a letter's own text (templates/letters/) may use any fact: read them all for letters
        needs = EVERYTHING if "pdf" in outbox["channels"] else service.renderer.needs(outbox["template"])
        facts = NoticeFacts.load(connection, application, program, outbox, needs)
        statutory = bool((outbox["payload"] or {}).get("statutory"))
        channels = set(outbox["channels"])
        opted_out = set()
        if "email" in channels and not statutory:
            opted_out = _opted_out(connection, [r.user_id for r in recipients], outbox["template"])
        rendered = []
        for recipient in recipients:
            try:
                rendered.append((recipient, service.renderer.render(facts, recipient)))
            except RenderError as error:
                raise PermanentNoticeError(str(error)) from None
        done = _delivery_states(connection, outbox_id)
        emails, problems = [], []
        for recipient, message in rendered:
            wants_email = "email" in channels and recipient.user_id not in opted_out
            letter = (
                _store_letter(service, connection, facts, recipient, message) if "pdf" in channels else None
            )
            if "inbox" in channels or not wants_email:
                _store_notification(connection, outbox, recipient, message, statutory, wants_email)
            if not wants_email or done.get(recipient.user_id) in ("sent", "failed"):
                continue
            if not recipient.has_address:
                problems.append(f"no e-mail address for user {recipient.user_id} ({recipient.name})")
                _insert_delivery(connection, service, outbox_id, recipient, "failed", "no e-mail address")
                continue
            if recipient.user_id not in done:
                _insert_delivery(connection, service, outbox_id, recipient, "sending", None)
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


def _delivery_states(connection, outbox_id: int) -> dict[int, str]:
    rows = connection.execute(
        select(NoticeDelivery.user_id, NoticeDelivery.status).where(
            NoticeDelivery.outbox_id == outbox_id, NoticeDelivery.channel == "email"
        )
    )
    return {row.user_id: row.status for row in rows}


def _store_notification(connection, outbox, recipient, message, statutory: bool, emailed: bool) -> None:
    insert_ignoring_duplicates(
        connection,
        Notification,
        {
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
        },
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


def _insert_delivery(connection, service, outbox_id, recipient, status: str, error: str | None) -> None:
    connection.execute(
        INSERT_DELIVERY,
        {
            "outbox_id": outbox_id,
            "user_id": recipient.user_id,
            "channel": "email",
            "address": recipient.email[:254],
            "message_id": message_id(outbox_id, recipient.user_id, service.mail_domain),
            "status": status,
            "error": error,
            "created_at": service.clock(),
        },
    )


def _send_all(service, outbox_id: int, emails: list[Email], accepted: list[int]) -> list[str]:
    """Send each e-mail; record `sent` at once for all but the last accepted one, which the finishing
    transaction records (one commit less per notice; the duplicate window stays one message wide)."""
    problems = []
    mailer = service.mailer()
    for email in emails:
        msg_id = message_id(outbox_id, email.user_id, service.mail_domain)
        try:
            mailer.send(compose.email(service, email, msg_id), email.address)
        except PermanentMailError as error:
            _mark(service, outbox_id, [email.user_id], "failed", str(error))
            problems.append(str(error))
            continue
        # --- the duplicate window: accepted by the server, not yet recorded ---
        if accepted:
            _mark(service, outbox_id, accepted, "sent", None)
            accepted.clear()
        accepted.append(email.user_id)
    return problems


def _delivery_update(outbox_id: int, user_ids: list[int], status: str, error: str | None, now):
    values = {"status": status, "error": error}
    if status == "sent":
        values["sent_at"] = now
    return (
        update(NoticeDelivery)
        .where(
            NoticeDelivery.outbox_id == outbox_id,
            NoticeDelivery.user_id.in_(user_ids),
            NoticeDelivery.channel == "email",
        )
        .values(**values)
    )


def _mark(service, outbox_id: int, user_ids: list[int], status: str, error: str | None) -> None:
    with service.db.begin() as connection:
        connection.execute(_delivery_update(outbox_id, user_ids, status, error, service.clock()))


def _finish(
    service, outbox_id: int, token: str, status: str, detail: str, attempts: int = 0, accepted=()
) -> Outcome:
    now = service.clock()
    with service.db.begin() as connection:
        if accepted:
            connection.execute(_delivery_update(outbox_id, list(accepted), "sent", None, now))
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
