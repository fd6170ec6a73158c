"""The program officer's pages: programs they run, the board by state, one application with its
allowed actions, and reviewer assignment (candidates with a conflict are excluded)."""

from __future__ import annotations

from typing import NamedTuple

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for

from forms import BaseForm
from forms.review import assign_form
from workflow.engine import signoff
from workflow.engine.access import effective_roles
from workflow.engine.actions import available_actions
from workflow.services import bulk, notes, reviews
from workflow.services.board import board as load_board
from workflow.services.board import declared_conflicts, reviewer_candidates, state_counts
from workflow.services.board_columns import parse_sort, selection_states
from workflow.services.contacts import administrators
from workflow.services.status import application_view
from workflow.vocabulary.numbers import database_id
from workflow.vocabulary.roles import roles_that
from workflow.web.auth import current_actor, page_reads, require_program_staff, roles_required, workflow
from workflow.web.board_export import FORMATS, board_csv, board_xlsx
from workflow.web.board_page import BoardLinks, board_rows, rows_html
from workflow.web.common import state_label, visible_application
from workflow.web.i18n import current_lang, message_text
from workflow.web.i18n import gettext as _
from workflow.web.i18n import lazy_gettext as _l
from workflow.web.inputs import form_text, query_page, query_text
from workflow.web.nav import register_nav
from workflow.web.reads import log_read

bp = Blueprint("officer", __name__, url_prefix="/officer")
OFFICER_ROLES = roles_that("manage")
BOARD_ROLES = roles_that("board")


@bp.get("/")
@roles_required(*BOARD_ROLES)
def index():
    actor = current_actor()
    programs = [
        p
        for key, p in sorted(workflow().registry.current.items())
        if actor.staff_roles(key) & set(BOARD_ROLES)
    ]
    with page_reads() as connection:
        counts = state_counts(connection, [p.key for p in programs])
        conflicts = declared_conflicts(connection, [p.key for p in programs])
    return render_template("officer/index.html", programs=programs, counts=counts, conflicts=conflicts)


def board_view(key: str, detail_endpoint: str, export_endpoint: str | None = None, bulk_tools: bool = False):
    """The board page (officers and auditors): step tabs, search, sortable columns, page numbers;
    in a selection step (a decision after reviews) the rows are ranked by average score."""
    program, state, q, sort = _board_query(key)
    after = database_id(request.args.get("after"))
    with page_reads() as connection:
        result = load_board(connection, program, state, q, query_page(), sort, after=after)
        tools = _bulk_tools(connection, program) if bulk_tools else None
    return render_template(
        "officer/board.html",
        program=program,
        board=result,
        rows=board_rows(result.rows, program, detail_endpoint, workflow().clock()),
        rows_html=rows_html,
        links=BoardLinks(request.endpoint, program, result, state, q),
        state=state,
        q=q,
        ranking=state in selection_states(program),
        export_endpoint=export_endpoint,
        bulk=tools,
    )


class BulkTools(NamedTuple):
    reviewers: list[dict]
    decisions: list[bulk.BulkAction]


def _bulk_tools(connection, program) -> BulkTools | None:
    """What the board's bulk bar offers an officer of the program: reviewers to assign, decisions."""
    if not current_actor().staff_roles(program.key) & set(OFFICER_ROLES):
        return None
    reviewers = bulk.program_reviewers(connection, program.key) if program.spec.review else []
    decisions = bulk.decision_choices(program)
    return BulkTools(reviewers, decisions) if reviewers or decisions else None


def _board_query(key: str):
    program = workflow().registry.latest(key)
    if program is None:
        abort(404)
    state = request.args.get("state") or None
    if state is not None and state not in program.spec.states:
        state = None
    default = "-score" if state in selection_states(program) else None
    sort = parse_sort(program, request.args.get("sort") or default)
    return program, state, query_text("q"), sort


@bp.get("/programs/<key>")
@roles_required(*BOARD_ROLES)
def board(key: str):
    require_program_staff(key, *BOARD_ROLES)
    return board_view(key, "officer.application", "officer.export", bulk_tools=True)


@bp.get("/programs/<key>/export.<fmt>")
@roles_required(*BOARD_ROLES)
def export(key: str, fmt: str):
    """The current view (step, search, order) as CSV or XLSX, every page of it."""
    require_program_staff(key, *BOARD_ROLES)
    if fmt not in FORMATS:
        abort(404)
    program, state, q, sort = _board_query(key)
    with page_reads() as connection:
        rows = load_board(connection, program, state, q, 1, sort, every_page=True).rows
    body = board_csv(program, rows) if fmt == "csv" else board_xlsx(program, rows)
    name = f"board-{program.key}" + (f"-{state}" if state else "") + f".{fmt}"
    return Response(
        body, mimetype=FORMATS[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _staff_application(application_id: int, connection=None):
    row, program = visible_application(application_id, connection)
    require_program_staff(program.key, *BOARD_ROLES)
    return row, program


@bp.get("/applications/<int:application_id>")
@roles_required(*BOARD_ROLES)
def application(application_id: int):
    with page_reads() as connection:
        row, program = _staff_application(application_id, connection)
        view = application_view(
            workflow(), connection, application_id, with_reviews=True, loaded=(row, program), staff_notes=True
        )
        actions = available_actions(workflow(), connection, row, current_actor())
        candidates, excluded = reviewer_candidates(connection, row, program)
        admins = administrators(connection) if not candidates else []
        sign_offs = signoff.status(connection, program, row)
        correctable = [
            stage
            for stage, roles in program.correctable_stages(row.state).items()
            if effective_roles(connection, program, row, current_actor(), roles)
        ]
    log_read("form", row)
    form = assign_form(program, current_lang(), candidates)
    may_assign = bool(program.spec.review and current_actor().staff_roles(program.key) & set(OFFICER_ROLES))
    decisions = _decisions(program, row.state, actions)
    decided = {option.trigger for _name, _spec, outcomes in decisions for _outcome, option in outcomes}
    return render_template(
        "officer/application.html",
        view=view,
        actions=[a for a in actions if a.trigger not in decided],
        decisions=decisions,
        states=list(program.spec.states) if "admin" in current_actor().roles else [],
        form=form,
        excluded=excluded,
        may_assign=may_assign,
        admins=admins,
        replaced={e["detail"].get("replaces") for e in view.events if e["detail"]} - {None},
        seats_open=_seats_open(program, view.reviews),
        note_draft=_note_draft(application_id),
        notes=notes.notes_of(view.events),
        may_note=bool(current_actor().staff_roles(program.key) & notes.WRITERS),
        note_max=notes.MAX_NOTE_LENGTH,
        sign_offs=sign_offs,
        correctable=correctable,
    )


def _seats_open(program, assigned: list[dict]) -> int:
    if program.spec.review is None:
        return 0
    taken = sum(1 for r in assigned if r["coi"] != "conflict")  # a conflict frees its seat
    return max(0, program.spec.review.reviewers_per_application - taken)


def _note_draft(application_id: int) -> str:
    """The note a refusal sent back (kept for one page view)."""
    draft = session.pop("note_draft", None) or {}
    return draft.get("text", "") if draft.get("application_id") == application_id else ""


def _decisions(program, state: str, actions) -> list:
    """The rule file's decisions in this state, each outcome paired with the engine's verdict for it."""
    by_trigger = {a.trigger: a for a in actions}
    found = []
    for name, spec in program.spec.decisions.items():
        if spec.state != state:
            continue
        outcomes = [(o, by_trigger[o.trigger]) for o in spec.outcomes if o.trigger in by_trigger]
        if outcomes:
            found.append((name, spec, outcomes))
    return found


@bp.post("/applications/<int:application_id>/move")
@roles_required("admin")
def move(application_id: int):
    """The administrator's escape hatch: any state, with a mandatory reason, recorded in the history."""
    _row, program = visible_application(application_id)
    to_state = request.form.get("to_state", "")
    if not BaseForm(request.form).validate() or to_state not in program.spec.states:
        abort(400)
    reason = form_text("reason", 4000, multiline=True)
    result = workflow().admin_move(application_id, to_state, current_actor(), reason)
    if result.ok:
        flash(
            _("The application was moved to “%(state)s”.", state=state_label(program, to_state, "staff")),
            "success",
        )
    else:
        flash(message_text(result.refusal), "error")
    return redirect(url_for("officer.application", application_id=application_id))


@bp.post("/applications/<int:application_id>/assign")
@roles_required(*OFFICER_ROLES)
def assign(application_id: int):
    row, program = _staff_application(application_id)
    require_program_staff(program.key, *OFFICER_ROLES)
    with page_reads() as connection:
        candidates, _excluded = reviewer_candidates(connection, row, program)
    form = assign_form(program, current_lang(), candidates)
    if not form.validate_on_submit():
        flash(_("Choose a reviewer from the list (reviewers with a conflict are not offered)."), "error")
    else:
        kind = form.kind.data if "kind" in form else None
        result = reviews.assign(workflow(), application_id, form.reviewer_id.data, current_actor(), kind=kind)
        if result.ok:
            flash(_("The reviewer was assigned and will declare conflicts of interest first."), "success")
        else:
            flash(message_text(result.refusal), "error")
    return redirect(url_for("officer.application", application_id=application_id))


@bp.post("/applications/<int:application_id>/replace")
@roles_required(*OFFICER_ROLES)
def replace(application_id: int):
    """A reviewer who declared a conflict is replaced by another eligible one (an event in the history)."""
    row, program = _staff_application(application_id)
    require_program_staff(program.key, *OFFICER_ROLES)
    replaced = database_id(request.form.get("replaces"))
    if replaced is None:
        abort(400)
    with page_reads() as connection:
        candidates, _excluded = reviewer_candidates(connection, row, program)
    form = assign_form(program, current_lang(), candidates)
    if "kind" in form:
        del form.kind  # the new reviewer takes the seat's kind
    if not form.validate_on_submit():
        flash(_("Choose a reviewer from the list (reviewers with a conflict are not offered)."), "error")
    else:
        result = reviews.replace(workflow(), application_id, replaced, form.reviewer_id.data, current_actor())
        if result.ok:
            flash(
                _("The reviewer was replaced; the new reviewer will declare conflicts of interest first."),
                "success",
            )
        else:
            flash(message_text(result.refusal), "error")
    return redirect(url_for("officer.application", application_id=application_id) + "#reviews-title")


@bp.post("/applications/<int:application_id>/notes")
@roles_required(*BOARD_ROLES)
def add_note(application_id: int):
    """An internal note: staff only, an event in the application's history."""
    _staff_application(application_id)
    text = form_text("note", notes.MAX_NOTE_LENGTH + 1, multiline=True) or ""
    result = notes.add_note(workflow(), application_id, current_actor(), text)
    if result.ok:
        flash(_("The note was added. Only staff and auditors can read it."), "success")
    else:
        session["note_draft"] = {"application_id": application_id, "text": text[: notes.MAX_NOTE_LENGTH]}
        flash(message_text(result.refusal), "error")
    return redirect(url_for("officer.application", application_id=application_id) + "#notes-title")


def init_app(app) -> None:
    app.register_blueprint(bp)
    register_nav(app, "officer.index", _l("Program management"), roles=BOARD_ROLES, order=40)
