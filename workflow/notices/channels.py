"""The built-in notice channels: the in-app inbox, e-mail, and the PDF letter (attached to the e-mail).

Each is a `NoticeChannel` whose `deliver` gets one `RecipientNotice` while a batch is prepared
(workflow/notices/prepare.py). Importing this module registers them (the app wires it through the
`EXTENSIONS` setting).
"""

from __future__ import annotations

from workflow.notices.prepare import Email, RecipientNotice, delivery_row, notification_row, stored_letter
from workflow.notices.staff import STAFF_KINDS
from workflow.vocabulary.channels import NoticeChannel, register_channel


def _letter(notice: RecipientNotice) -> None:
    # a stored letter does not by itself tell the person: without e-mail, the inbox says it is there
    notice.attachment = stored_letter(notice.batch, notice.facts, notice.recipient, notice.message)


def _email(notice: RecipientNotice) -> None:
    outbox, recipient = notice.outbox, notice.recipient
    if not notice.statutory:
        user_ids = [r.user_id for r in notice.recipients]
        if recipient.user_id in notice.batch.opted_out(user_ids, outbox["template"]):
            return
    notice.reached.add("email")
    if notice.delivery_state in ("sent", "failed"):
        return
    if not recipient.has_address:
        notice.result.problems.append(f"no e-mail address for user {recipient.user_id} ({recipient.name})")
        notice.deliveries.append(
            delivery_row(notice.batch, outbox["id"], recipient, "failed", "no e-mail address")
        )
        return
    if notice.delivery_state is None:
        notice.deliveries.append(delivery_row(notice.batch, outbox["id"], recipient, "sending", None))
    message = notice.message
    notice.result.emails.append(
        Email(
            outbox["id"],
            recipient.user_id,
            recipient.name,
            recipient.email,
            message.subject,
            message.text,
            message.html,
            notice.attachment,
        )
    )


def _inbox(notice: RecipientNotice) -> None:
    outbox = notice.outbox
    if outbox["template"] in STAFF_KINDS and not notice.statutory:
        # a staff kind turned off in the preferences is not sent at all, not even to the inbox
        user_ids = [r.user_id for r in notice.recipients]
        if notice.recipient.user_id in notice.batch.opted_out(user_ids, outbox["template"]):
            return
    emailed = "email" in notice.reached
    notice.notifications.append(
        notification_row(notice.outbox, notice.recipient, notice.message, notice.statutory, emailed)
    )
    notice.reached.add("inbox")


register_channel(NoticeChannel("pdf", _letter, order=10, needs_all_facts=True))
register_channel(NoticeChannel("email", _email, order=20))
register_channel(NoticeChannel("inbox", _inbox, order=30, fallback=True))
