"""The password-reset e-mail, sent through the notices issue's mailer (SMTP, or the folder sink
when SMTP is not configured), in the account holder's language."""

from __future__ import annotations

import logging
import secrets

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import select

from workflow.models import User
from workflow.notices.mail import build_message, make_mailer, sender_domain

log = logging.getLogger(__name__)


def send_reset_link(user_id: int, link: str) -> None:
    """Mail the reset link; a mail failure is logged, never shown (the page says the same either way)."""
    service = current_app.extensions["notices"]
    workflow = current_app.extensions["workflow"]
    with workflow.db.connect() as connection:
        user = connection.execute(
            select(User.name, User.email, User.language).where(User.id == user_id)
        ).first()
    if user is None:
        return
    with force_locale(user.language if user.language in ("ko", "en") else "ko"):
        subject = _("Reset your password")
        lines = [
            _("Hello %(name)s,", name=user.name),
            _("Open this link within one hour to choose a new password:"),
            link,
            _("If you did not ask for this, ignore this e-mail; your password stays as it is."),
        ]
    message = build_message(
        service.settings,
        to_name=user.name,
        to_address=user.email,
        subject=subject,
        text="\n\n".join(lines),
        html="".join(f"<p>{escape(line)}</p>" for line in lines),
        msg_id=f"<reset-{user_id}-{secrets.token_hex(8)}@{sender_domain(service.settings)}>",
        sent_at=workflow.clock(),
    )
    try:
        with make_mailer(service.settings) as mailer:
            mailer.send(message, user.email)
    except Exception:  # noqa: BLE001 - any mail failure: logged for staff, invisible to the requester
        log.exception("password reset e-mail to user %s failed", user_id)
