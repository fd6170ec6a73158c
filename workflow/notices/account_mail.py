"""Account notices: e-mails to one user that belong to no application (a password-reset link, the link
that confirms an e-mail address). They go through the outbox like every notice — a row written in the
caller's transaction, delivered after commit by the relay (rq or in-process), retried and swept the same
way — so no request waits on SMTP or fails with it.

The row names the user (`outbox.user_id`) and the template; nothing secret is stored. The link is made
when the e-mail is prepared, by the function the web layer registered for the template in
`service.account_links` (it signs a token and builds the URL from `BASE_URL`, never from a request).
These mails are private to their recipient: `SECRET_TEMPLATES` are never shown to anyone else, admins
included (`inbox.mail_folder`).
"""

from __future__ import annotations

from sqlalchemy import insert, select

from workflow.models import OutboxMessage, User
from workflow.notices.recipients import Recipient

SECRET_TEMPLATES = frozenset({"password_reset", "verify_email", "invitation"})
# mailed to an account that is not active yet (an invited user sets a password, which activates it)
TO_INACTIVE = frozenset({"invitation"})
INSERT_ACCOUNT_NOTICE = insert(OutboxMessage).returning(OutboxMessage.id)


def add(connection, user_id: int, template: str, now) -> int:
    """Write an account notice for `user_id` in the caller's transaction; the outbox id. After commit,
    hand the id to `Workflow.committed([...])` so the relay delivers it."""
    return connection.execute(
        INSERT_ACCOUNT_NOTICE,
        {
            "application_id": None,
            "user_id": user_id,
            "event_seq": 0,
            "notice": template,
            "template": template,
            "recipients": [],
            "channels": ["email"],
            "payload": {},
            "status": "pending",
            "attempts": 0,
            "created_at": now,
        },
    ).scalar_one()


def recipient(connection, user_id: int, inactive_too: bool = False) -> Recipient | None:
    user = connection.execute(
        select(User.id, User.name, User.email, User.language, User.organisation, User.active).where(
            User.id == user_id
        )
    ).first()
    if user is None or not (user.active or inactive_too):
        return None
    return Recipient(
        user_id=user.id,
        name=user.name,
        email=(user.email or "").strip(),
        lang=user.language if user.language in ("ko", "en") else "ko",
        organisation=user.organisation or "",
        roles=(),
        audience="applicant",
    )


def render(service, template: str, who: Recipient, link: str) -> tuple[str, str, str]:
    """(subject, text, html) from templates/notices/<template>.<lang>.txt and _account_email.html."""
    from jinja2 import TemplateError

    from workflow.notices.render import RenderError, _paragraphs

    renderer = service.renderer
    context = {
        "recipient_name": who.name,
        "link": link,
        "lang": who.lang,
        "agency": service.settings.agency[who.lang],
    }
    try:
        source = renderer.text_env.get_template(f"{template}.{who.lang}.txt").render(**context)
        first, _, body = source.partition("\n")
        if not first.startswith("Subject:"):
            raise RenderError(f"{template}.{who.lang}.txt: the first line must be 'Subject: ...'")
        subject = " ".join(first[len("Subject:") :].split())
        text = body.strip() + "\n"
        html = renderer.html_env.get_template("_account_email.html").render(
            subject=subject, paragraphs=_paragraphs(text, link), **context
        )
    except TemplateError as error:
        raise RenderError(f"template {template}.{who.lang}: {type(error).__name__}: {error}") from None
    return subject, text, html


def prepare_row(batch, outbox: dict, states: dict):
    """The account notice's one e-mail, recorded `sending` (prepare.py's contract for a row)."""
    from workflow.notices.prepare import Email, PermanentNoticeError, Prepared, delivery_row

    service, connection = batch.service, batch.connection
    inactive_too = outbox["template"] in TO_INACTIVE
    who = recipient(connection, outbox["user_id"], inactive_too) if outbox["user_id"] is not None else None
    if who is None:
        raise PermanentNoticeError(f"no active user {outbox['user_id']} for this account notice")
    make_link = service.account_links.get(outbox["template"])
    link = make_link(connection, who.user_id) if make_link else None
    if link is None:
        raise PermanentNoticeError(f"no link for account notice {outbox['template']!r}")
    result = Prepared(outbox["id"])
    done = states.get((outbox["id"], who.user_id))
    if done in ("sent", "failed"):
        return result
    if not who.has_address:
        result.problems.append(f"no e-mail address for user {who.user_id} ({who.name})")
        batch.deliveries.append(delivery_row(batch, outbox["id"], who, "failed", "no e-mail address"))
        return result
    subject, text, html = render(service, outbox["template"], who, link)
    if done is None:
        batch.deliveries.append(delivery_row(batch, outbox["id"], who, "sending", None))
    result.emails.append(Email(outbox["id"], who.user_id, who.name, who.email, subject, text, html, None))
    return result
