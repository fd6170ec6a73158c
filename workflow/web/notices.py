"""Notice pages: each user's notices (read/unread) and e-mail choice per kind, the officers' failed
notices with retry, and the mail folder of a demo without SMTP. Letters are downloaded through the
application's page (applicant.letter), which checks who may see them.

Labels are English msgids in the gettext catalogue (workflow/translations).
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import login_required
from markupsafe import Markup, escape

from workflow.notices import inbox as notices
from workflow.notices.staff import STAFF_KINDS
from workflow.vocabulary.numbers import database_id
from workflow.vocabulary.roles import roles_that
from workflow.web.auth import current_actor, db, page_reads, roles_required, workflow
from workflow.web.i18n import current_lang
from workflow.web.i18n import gettext as _
from workflow.web.i18n import lazy_gettext as _l
from workflow.web.nav import register_nav

bp = Blueprint("notices", __name__, url_prefix="/notices")
RETRY_ROLES = roles_that("manage")


def _service():
    return current_app.extensions["notices"]


# kinds of notice are the message templates (templates/notices/); their names on the preference page
NOTICE_KINDS = {
    "received": _l("Application received"),
    "changes_requested": _l("Changes requested"),
    "submission_received": _l("Reports and claims received"),
    "deadline_reminder": _l("Deadline reminders"),
    "overdue": _l("Missed deadlines"),
    "decision": _l("Decisions"),
    "award": _l("Awards"),
    "payment": _l("Payments"),
    "recovery": _l("Recoveries"),
    "lapsed": _l("Lapsed applications"),
    "overdue_for_staff": _l("Overdue steps (staff)"),
    "new_submission": _l("New submissions (staff)"),
    "conflict_declared": _l("Conflicts of interest declared by reviewers (staff)"),
    "status_changed": _l("Step changes"),
    "event_registered": _l("Event registrations"),
    "event_waitlisted": _l("Places on a waiting list"),
    "event_promoted": _l("Moved up from a waiting list"),
    "event_cancelled": _l("Cancelled registrations"),
    "event_confirmed": _l("Attendance confirmations"),
    "event_waitlist_closed": _l("Waiting lists closed"),
    "attendance_certificate": _l("Certificates of attendance"),
    "obligation_recovery": _l("Recoveries for a breach of obligations"),
    "recovery_recorded": _l("Recoveries completed"),
}


def kind_label(kind: str, program=None, lang: str | None = None) -> str:
    """A kind of notice (its template) by name, never by its key: the shared templates' names above, else
    the `label:` a rule file gives a notice using it, else "<program>'s notices" for a program's own
    template. `program` narrows the search to one program (an application's); by default every loaded one."""
    if kind in NOTICE_KINDS:
        return str(NOTICE_KINDS[kind])
    lang = lang or current_lang()
    programs = [program] if program is not None else list(workflow().registry.current.values())
    using = [
        (p, n) for p in programs for n in p.spec.notices.values() if kind in (n.template, n.staff_template)
    ]
    for _program, notice in using:
        if notice.label is not None:
            return notice.label.get(lang)
    if using:
        return _("Notices of %(program)s", program=using[0][0].spec.title.get(lang))
    return _("Other notices")


def _unread() -> int:
    """Unread notices of the signed-in user, for the number beside "Notices" in the menu (counted when
    the user was loaded for this request, unless something since marked notices read)."""
    if "unread_notices" in g:
        return g.unread_notices
    with page_reads() as connection:
        return notices.unread_count(connection, current_actor().id)


@bp.get("/")
@login_required
def inbox():
    actor = current_actor()
    registry = workflow().registry
    with db().connect() as connection:
        rows = notices.inbox(connection, actor.id)
        prefs = notices.preferences(connection, registry, actor.id, actor)
    for pref in prefs:
        pref["label"] = kind_label(pref["kind"])
    settings = _service().settings
    return render_template(
        "notices_ui/inbox.html",
        rows=rows,
        prefs=prefs,
        demo_mail=not settings.smtp_configured,
        staff_kinds=any(p["kind"] in STAFF_KINDS for p in prefs),
    )


@bp.post("/read")
@login_required
def mark_read():
    raw = request.form.get("notification_id", "")
    notification_id = database_id(raw)
    if raw and notification_id is None:
        abort(400)
    notices.mark_read(db(), current_actor().id, notification_id, workflow().clock())
    g.pop("unread_notices", None)
    flash(_("Marked as read."), "success")
    return redirect(url_for("notices.inbox"))


@bp.post("/preferences")
@login_required
def save_preferences():
    actor = current_actor()
    notices.save_preferences(db(), workflow().registry, actor.id, set(request.form.getlist("email")), actor)
    flash(_("Your e-mail preferences were saved."), "success")
    return redirect(url_for("notices.inbox") + "#preferences")


@bp.get("/mail")
@login_required
def mail():
    actor = current_actor()
    settings = _service().settings
    mails = []
    if not settings.smtp_configured:
        with db().connect() as connection:
            mails = notices.mail_folder(_service(), connection, actor.id, "admin" in actor.roles)
    return render_template(
        "notices_ui/mail.html",
        mails=mails,
        help=_("No SMTP server is configured, so e-mails are kept here instead of being sent."),
        smtp=settings.smtp_configured,
    )


@bp.get("/failed")
@roles_required(*RETRY_ROLES)
def failed():
    with db().connect() as connection:
        rows = notices.failed_for(connection, current_actor())
    return render_template("notices_ui/failed.html", rows=rows)


@bp.post("/failed/retry")
@roles_required(*RETRY_ROLES)
def retry():
    raw = request.form.get("outbox_id", "")
    outbox_id = database_id(raw)
    if raw and outbox_id is None:
        abort(400)
    ids = notices.retry_failed(_service(), current_actor(), outbox_id)
    flash(
        ngettext("%(num)d notice put back for delivery.", "%(num)d notices put back for delivery.", len(ids)),
        "success",
    )
    return redirect(url_for("notices.failed"))


URL = re.compile(r"https?://[^\s<>\"']+")


def notice_text(body: str) -> Markup:
    """A notice's text as paragraphs, its addresses as links ("Open"), never as raw URLs."""
    base = current_app.extensions["notices"].settings.base_url
    paragraphs = []
    for line in (body or "").splitlines():
        if not line.strip():
            continue
        parts, last = [], 0
        for match in URL.finditer(line):
            url = match.group(0).rstrip(".,)")
            href = url[len(base) :] or "/" if url.startswith(base) else url
            parts.append(escape(line[last : match.start()]))
            parts.append(Markup('<a href="{}">{}</a>').format(href, _("Go to the page")))
            last = match.start() + len(url)
        parts.append(escape(line[last:]))
        paragraphs.append(Markup("<p>{}</p>").format(Markup("").join(parts)))
    return Markup("").join(paragraphs)


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.filters["notice_text"] = notice_text
    register_nav(app, "notices.inbox", _l("Notices"), order=80, count=_unread)
    register_nav(app, "notices.failed", _l("Failed notices"), roles=RETRY_ROLES, order=85)
