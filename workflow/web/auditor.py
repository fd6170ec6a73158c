"""The auditor's read-only pages: search the history, an application's timeline with its chain verified,
a program's activity, the rule files as they were, the read log, and program-wide verification runs."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from forms import BaseForm
from workflow.audit import readlog, runs
from workflow.audit import search as event_search
from workflow.audit.faults import ChainFault
from workflow.audit.timeline import audit_view
from workflow.definitions import diagram
from workflow.models import DefinitionSnapshot
from workflow.services.board import state_counts
from workflow.vocabulary.numbers import database_id
from workflow.vocabulary.roles import role_labels, roles_that
from workflow.web.auth import current_actor, db, page_reads, read_db, roles_required, workflow
from workflow.web.common import visible_application
from workflow.web.i18n import current_lang
from workflow.web.i18n import lazy_gettext as _l
from workflow.web.inputs import query_page, query_text
from workflow.web.nav import register_nav
from workflow.web.notices import kind_label
from workflow.web.officer import board_view
from workflow.web.reads import log_read

bp = Blueprint("auditor", __name__, url_prefix="/auditor")
ROLES = roles_that("audit")
SEOUL = ZoneInfo("Asia/Seoul")
READ_KINDS = {
    "status": _l("Status page"),
    "form": _l("Application form"),
    "file": _l("File download"),
    "bank": _l("Bank and payment details"),
    "letter": _l("Letter"),
    "review": _l("Review page"),
    "export": _l("Audit export"),
}
RUN_STATUS = {
    "queued": _l("Waiting"),
    "running": _l("Running"),
    "ok": _l("No problems found"),
    "faults": _l("Problems found"),
    "failed": _l("Could not finish"),
}


def day_arg(name: str, end: bool = False) -> datetime | None:
    """A YYYY-MM-DD query argument as a Seoul day's start (or the next day's start for `end`)."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=SEOUL)
    except ValueError:
        abort(400, description="YYYY-MM-DD")
    return day + timedelta(days=1) if end else day


def event_filter(program_key: str | None = None) -> event_search.EventFilter:
    registry = workflow().registry
    program_key = program_key or request.args.get("program") or None
    if program_key is not None and program_key not in registry.current:
        program_key = None
    program = registry.current.get(program_key) if program_key else None
    state = request.args.get("state") or None
    if state and not (program and state in program.spec.states):
        state = None
    trigger = request.args.get("trigger") or None
    if trigger and not (program and trigger in program.triggers):
        trigger = None
    return event_search.EventFilter(
        program_key=program_key,
        state=state,
        since=day_arg("from"),
        until=day_arg("to", end=True),
        actor=query_text("actor").strip(),
        trigger=trigger,
    )


def chain_text(fault: ChainFault | None) -> str | None:
    return None if fault is None else fault.line(current_lang())


@bp.get("/")
@roles_required(*ROLES)
def index():
    number = database_id(request.args.get("id"))
    if number is not None:
        return redirect(url_for("auditor.application", application_id=number))
    programs = list(workflow().registry.current.values())
    with page_reads() as connection:
        counts = state_counts(connection, [p.key for p in programs])
        recent = runs.recent(connection, 5)
    return render_template(
        "audit/index.html", programs=programs, counts=counts, runs=recent, run_status=RUN_STATUS
    )


def _search_page(program_key: str | None, template: str):
    where = event_filter(program_key)
    page = query_page()
    with page_reads() as connection:
        events, total = event_search.search(connection, where, page)
    programs = workflow().registry.current
    return render_template(
        template,
        events=events,
        total=total,
        page=page,
        pages=max(1, -(-total // event_search.PAGE_SIZE)),
        where=where,
        programs=programs,
        program=programs.get(where.program_key) if where.program_key else None,
        page_url=_page_url,
        csv_url=url_for("auditor_exports.search_csv", **_args(program=where.program_key)),
    )


def _args(**extra) -> dict:
    """The query arguments of this page (without its page number), with `extra` set."""
    args = {k: v for k, v in request.args.items() if k != "page"}
    args.update({k: v for k, v in extra.items() if v is not None})
    return args


def _page_url(number: int) -> str:
    return url_for(request.endpoint, **(request.view_args or {}), **_args(page=number))


@bp.get("/search")
@roles_required(*ROLES)
def search():
    return _search_page(None, "audit/search.html")


@bp.get("/programs/<key>/activity")
@roles_required(*ROLES)
def activity(key: str):
    if key not in workflow().registry.current:
        abort(404)
    return _search_page(key, "audit/search.html")


@bp.get("/programs/<key>")
@roles_required(*ROLES)
def board(key: str):
    return board_view(key, "auditor.application")


@bp.get("/applications/<int:application_id>")
@roles_required(*ROLES)
def application(application_id: int):
    row, program = visible_application(application_id)
    lang = current_lang()
    with page_reads() as connection:
        audit = audit_view(workflow(), connection, application_id, lang)
    for notice in audit.notices:
        notice["label"] = kind_label(notice["template"], program, lang)
    log_read("form", row)
    return render_template(
        "audit/application.html", audit=audit, view=audit.view, chain=chain_text(audit.fault)
    )


@bp.get("/rules/<sha>")
@roles_required(*ROLES)
def rules(sha: str):
    if len(sha) != 64 or not sha.isalnum():
        abort(404)
    with page_reads() as connection:
        row = (
            connection.execute(DefinitionSnapshot.__table__.select().where(DefinitionSnapshot.sha256 == sha))
            .mappings()
            .first()
        )
        if row is None:
            abort(404)
        program = workflow().registry.get(connection, row["program_key"], row["version"], sha)
    return render_template(
        "audit/rules.html",
        snapshot=row,
        program=program,
        text_diagram=diagram.as_text(program, current_lang()) if program else "",
        mermaid=diagram.as_mermaid(program) if program else "",
    )


@bp.get("/reads")
@roles_required(*ROLES)
def reads():
    where = read_filter()
    page = query_page()
    with page_reads() as connection:
        entries, total = readlog.search(connection, where, page)
    return render_template(
        "audit/reads.html",
        entries=entries,
        total=total,
        page=page,
        pages=max(1, -(-total // readlog.PAGE_SIZE)),
        where=where,
        kinds=READ_KINDS,
        page_url=_page_url,
        csv_url=url_for("auditor_exports.reads_csv_download", **_args()),
    )


def read_filter() -> readlog.ReadFilter:
    kind = request.args.get("kind") or None
    return readlog.ReadFilter(
        user=query_text("user").strip(),
        application_id=database_id(request.args.get("application")),
        kind=kind if kind in READ_KINDS else None,
        since=day_arg("from"),
        until=day_arg("to", end=True),
    )


@bp.post("/verify")
@roles_required(*ROLES)
def start_verification():
    """Starts a verification run: it writes only the run's own row, never application data."""
    if not BaseForm(request.form).validate():
        abort(400)
    program_key = request.form.get("program") or None
    if program_key is not None and program_key not in workflow().registry.current:
        abort(404)
    background = not current_app.config.get("AUDIT_RUNS_INLINE")
    notices = current_app.extensions.get("notices")
    queue = None if notices is None or notices.settings.embedded else notices.relay.queue()
    run_id = runs.start(
        db(), program_key, current_actor().id, background=background, reader=read_db(), queue=queue
    )
    return redirect(url_for("auditor.run", run_id=run_id))


@bp.get("/runs/<int:run_id>")
@roles_required(*ROLES)
def run(run_id: int):
    with page_reads() as connection:
        found = runs.get(connection, run_id)
    if found is None:
        abort(404)
    faults = [ChainFault.from_dict(f).line(current_lang()) for f in found["faults"] or []]
    program = workflow().registry.current.get(found["program_key"]) if found["program_key"] else None
    return render_template("audit/run.html", run=found, faults=faults, program=program, run_status=RUN_STATUS)


def roles_text(names) -> str:
    return role_labels(names, current_lang())


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.setdefault("audit_roles", roles_text)
    register_nav(app, "auditor.index", _l("Audit"), roles=ROLES, order=70)
    from workflow.web import auditor_exports

    auditor_exports.init_app(app)
