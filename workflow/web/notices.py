"""Notice pages: each user's notices (read/unread) and e-mail choice per kind, the officers' failed
notices with retry, and the mail folder of a demo without SMTP. Letters are downloaded through the
application's page (applicant.letter), which checks who may see them.

Labels come from the bilingual `TEXT` catalogue below, like the finance pages.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from workflow.models import User
from workflow.notices import inbox as notices
from workflow.web.auth import current_actor, db, roles_required, workflow
from workflow.web.i18n import current_lang
from workflow.web.nav import register_nav

bp = Blueprint("notices", __name__, url_prefix="/notices")
RETRY_ROLES = ("officer", "lead_officer", "admin")

TEXT = {
    "notices": {"ko": "알림", "en": "Notices"},
    "unread": {"ko": "읽지 않음", "en": "Unread"},
    "read": {"ko": "읽음", "en": "Read"},
    "mark_read": {"ko": "읽음으로 표시", "en": "Mark as read"},
    "mark_all": {"ko": "모두 읽음으로 표시", "en": "Mark all as read"},
    "none": {"ko": "받은 알림이 없습니다.", "en": "No notices yet."},
    "application": {"ko": "신청서", "en": "Application"},
    "letter": {"ko": "공문(PDF) 내려받기", "en": "Download the letter (PDF)"},
    "emailed": {"ko": "메일로도 보냄", "en": "Also sent by e-mail"},
    "statutory": {"ko": "법정 통지", "en": "Statutory notice"},
    "preferences": {"ko": "메일 수신 설정", "en": "E-mail preferences"},
    "preferences_help": {
        "ko": "알림은 모두 이 화면에 남습니다. 종류별로 메일로도 받을지 고르세요. "
        "선정·지급·환수 등 법정 통지는 항상 메일로 보냅니다.",
        "en": "Every notice stays on this page. Choose which kinds also come by e-mail. "
        "Statutory notices (decisions, payments, recoveries) always do.",
    },
    "kind": {"ko": "알림 종류", "en": "Kind of notice"},
    "by_email": {"ko": "메일로 받기", "en": "By e-mail"},
    "always": {"ko": "항상(법정 통지)", "en": "Always (statutory)"},
    "save": {"ko": "설정 저장", "en": "Save preferences"},
    "saved": {"ko": "메일 수신 설정을 저장했습니다.", "en": "Your e-mail preferences were saved."},
    "marked": {"ko": "읽음으로 표시했습니다.", "en": "Marked as read."},
    "mail": {"ko": "보낸 메일함(데모)", "en": "Sent mail (demo)"},
    "mail_help": {
        "ko": "SMTP 서버가 설정되지 않아 메일을 보내지 않고 폴더에 저장했습니다: {folder}",
        "en": "No SMTP server is configured, so e-mails are written to a folder instead: {folder}",
    },
    "mail_none": {"ko": "저장된 메일이 없습니다.", "en": "No e-mails yet."},
    "to": {"ko": "받는 사람", "en": "To"},
    "date": {"ko": "보낸 시각", "en": "Date"},
    "attachments": {"ko": "첨부", "en": "Attachments"},
    "failed": {"ko": "발송 실패 알림", "en": "Failed notices"},
    "failed_help": {
        "ko": "재시도를 모두 마쳤거나 다시 보내도 소용없는 오류로 멈춘 알림입니다. 원인을 고친 뒤 다시 보내세요. "
        "이미 메일을 받은 사람에게는 다시 보내지 않습니다.",
        "en": "Notices that ran out of retries or hit an error retrying cannot fix. Fix the cause, then retry: "
        "people who already got the e-mail do not get it twice.",
    },
    "failed_none": {"ko": "발송에 실패한 알림이 없습니다.", "en": "No failed notices."},
    "notice": {"ko": "알림", "en": "Notice"},
    "recipients": {"ko": "받는 역할", "en": "Recipients"},
    "attempts": {"ko": "시도", "en": "Attempts"},
    "reason": {"ko": "실패 사유", "en": "Reason"},
    "written": {"ko": "발생 시각", "en": "Written"},
    "retry": {"ko": "다시 보내기", "en": "Retry"},
    "retry_all": {"ko": "모두 다시 보내기", "en": "Retry all"},
    "retried": {"ko": "{n}건을 다시 보냈습니다.", "en": "{n} notice(s) put back for delivery."},
    "emails_sent": {"ko": "메일 발송 완료 {n}명", "en": "{n} e-mail(s) already sent"},
}


class Label:
    """A nav label chosen in the reader's language when rendered."""

    def __init__(self, key: str):
        self.key = key

    def __str__(self) -> str:
        return TEXT[self.key][current_lang()]


def _text(key: str, **params) -> str:
    return TEXT[key][current_lang()].format(**params)


def _service():
    return current_app.extensions["notices"]


@bp.get("/")
@login_required
def inbox():
    actor = current_actor()
    registry = workflow().registry
    with db().connect() as connection:
        rows = notices.inbox(connection, actor.id)
        prefs = notices.preferences(connection, registry, actor.id)
    settings = _service().settings
    return render_template(
        "notices_ui/inbox.html", T=TEXT, rows=rows, prefs=prefs, demo_mail=not settings.smtp_configured
    )


@bp.post("/read")
@login_required
def mark_read():
    raw = request.form.get("notification_id", "")
    if raw and not raw.isdigit():
        abort(400)
    notices.mark_read(db(), current_actor().id, int(raw) if raw else None, workflow().clock())
    flash(_text("marked"), "success")
    return redirect(url_for("notices.inbox"))


@bp.post("/preferences")
@login_required
def save_preferences():
    notices.save_preferences(
        db(), workflow().registry, current_actor().id, set(request.form.getlist("email"))
    )
    flash(_text("saved"), "success")
    return redirect(url_for("notices.inbox") + "#preferences")


@bp.get("/mail")
@login_required
def mail():
    actor = current_actor()
    address = None
    if "admin" not in actor.roles:
        with db().connect() as connection:
            address = connection.execute(select(User.email).where(User.id == actor.id)).scalar_one()
    settings = _service().settings
    mails = [] if settings.smtp_configured else notices.mail_folder(_service(), address)
    return render_template(
        "notices_ui/mail.html",
        T=TEXT,
        mails=mails,
        help=_text("mail_help", folder=settings.mail_dir),
        smtp=settings.smtp_configured,
    )


@bp.get("/failed")
@roles_required(*RETRY_ROLES)
def failed():
    with db().connect() as connection:
        rows = notices.failed_for(connection, current_actor())
    return render_template("notices_ui/failed.html", T=TEXT, rows=rows, text=_text)


@bp.post("/failed/retry")
@roles_required(*RETRY_ROLES)
def retry():
    raw = request.form.get("outbox_id", "")
    if raw and not raw.isdigit():
        abort(400)
    ids = notices.retry_failed(_service(), current_actor(), int(raw) if raw else None)
    flash(_text("retried", n=len(ids)), "success")
    return redirect(url_for("notices.failed"))


def init_app(app) -> None:
    app.register_blueprint(bp)
    register_nav(app, "notices.inbox", Label("notices"), order=80)
    register_nav(app, "notices.failed", Label("failed"), roles=RETRY_ROLES, order=85)
