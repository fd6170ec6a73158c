"""The auditor's exports: CSV of a search, of an application's history and of the read log; the PDF
audit report of one application (Korean or English). Each export of an application is in the read log."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, Response, abort, request, stream_with_context
from flask_babel import force_locale

from workflow.audit import digest as digests
from workflow.audit import readlog
from workflow.audit import search as event_search
from workflow.audit.csvfiles import events_csv, reads_csv
from workflow.audit.report import application_report
from workflow.audit.timeline import audit_view
from workflow.db import utcnow
from workflow.web.auditor import ROLES, event_filter, read_filter
from workflow.web.auth import read_db, roles_required, workflow
from workflow.web.common import visible_application
from workflow.web.i18n import current_lang, seoul, won
from workflow.web.notices import kind_label
from workflow.web.reads import log_read

bp = Blueprint("auditor_exports", __name__, url_prefix="/auditor")
CSV_TYPE = "text/csv; charset=utf-8"


def _download(body, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _streamed(rows_of) -> Response:
    """Rows read inside the response (one connection for the whole stream)."""

    def generate():
        with read_db().connect() as connection:
            yield from rows_of(connection)

    return stream_with_context(generate())


@bp.get("/search.csv")
@roles_required(*ROLES)
def search_csv():
    where = event_filter()
    body = _streamed(lambda connection: events_csv(event_search.stream(connection, where)))
    return _download(body, "audit-search.csv", CSV_TYPE)


@bp.get("/applications/<int:application_id>/history.csv")
@roles_required(*ROLES)
def history_csv(application_id: int):
    row, _program = visible_application(application_id)
    log_read("export", row, "history.csv")
    where = event_search.EventFilter(application_id=application_id)
    body = _streamed(lambda connection: events_csv(event_search.stream(connection, where)))
    return _download(body, f"application-{application_id}-history.csv", CSV_TYPE)


@bp.get("/reads.csv")
@roles_required(*ROLES)
def reads_csv_download():
    where = read_filter()
    body = _streamed(lambda connection: reads_csv(readlog.stream(connection, where)))
    return _download(body, "read-log.csv", CSV_TYPE)


@bp.get("/applications/<int:application_id>/report.pdf")
@roles_required(*ROLES)
def report_pdf(application_id: int):
    lang = request.args.get("lang") or current_lang()
    if lang not in ("ko", "en"):
        abort(404)
    row, program = visible_application(application_id)
    app = workflow()
    with read_db().connect() as connection:
        audit = audit_view(app, connection, application_id, lang)
        latest = digests.latest(connection)
    with force_locale(lang):
        for notice in audit.notices:
            notice["label"] = kind_label(notice["template"], program, lang)
        # amounts in the report's language, which may differ from the page's
        pdf = application_report(audit, lang, seoul(utcnow()), latest, seoul, partial(won, lang=lang))
    log_read("export", row, f"report.{lang}.pdf")
    return _download(pdf, f"application-{application_id}-audit-{lang}.pdf", "application/pdf")


def init_app(app) -> None:
    app.register_blueprint(bp)
