"""Bulk actions from the officer's board: the rows ticked, one action (assign a reviewer or take a
decision), a confirmation page that lists what will happen to each, then one service call per
application and a page saying which succeeded and which were refused, and why."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from forms import BaseForm
from workflow.services import bulk
from workflow.vocabulary.numbers import database_id
from workflow.vocabulary.roles import roles_that
from workflow.web.account import safe_next
from workflow.web.auth import current_actor, page_reads, require_program_staff, roles_required, workflow
from workflow.web.i18n import gettext as _
from workflow.web.i18n import pick
from workflow.web.inputs import form_text

bp = Blueprint("officer_bulk", __name__, url_prefix="/officer")
OFFICER_ROLES = roles_that("manage")


def _program_and_action(key: str):
    require_program_staff(key, *OFFICER_ROLES)
    program = workflow().registry.latest(key)
    if program is None:
        abort(404)
    if not BaseForm(request.form).validate():
        abort(400)
    with page_reads() as connection:
        action = bulk.parse_action(connection, program, request.form.get("action", ""))
    return program, action


def _back(key: str) -> str:
    return safe_next(request.form.get("back") or url_for("officer.board", key=key))


def _ids(values: list[str]) -> list[int]:
    """The ticked numbers, each once, in order; 400 for anything that is not one or too many."""
    ids = []
    for value in values:
        number = database_id(value)
        if number is None:
            abort(400)
        if number not in ids:
            ids.append(number)
    if len(ids) > bulk.MAX_SELECTED:
        abort(400)
    return ids


@bp.post("/programs/<key>/bulk")
@roles_required(*OFFICER_ROLES)
def confirm(key: str):
    """The confirmation: every selected application with what will happen to it (nothing written)."""
    program, action = _program_and_action(key)
    ids = _ids(request.form.getlist("application_id"))
    if action is None or not ids:
        message = _("Tick at least one application.") if not ids else _("Choose what to do with them.")
        flash(message, "error")
        return redirect(_back(key))
    reason = form_text("reason", 4000, multiline=True)
    if action.needs_reason and not reason:
        flash(
            _("“%(action)s” needs a reason: write it in the reason box.", action=pick(action.label)), "error"
        )
        return redirect(_back(key))
    with page_reads() as connection:
        items = bulk.plan(workflow(), connection, program, ids, action, current_actor())
    return render_template(
        "officer/bulk_confirm.html",
        program=program,
        action=action,
        bulk_items=items,
        reason=reason or "",
        back=_back(key),
        ready=sum(1 for i in items if i.refusal is None),
    )


@bp.post("/programs/<key>/bulk/run")
@roles_required(*OFFICER_ROLES)
def run(key: str):
    """Each application through its own service call, against the version the confirmation showed."""
    program, action = _program_and_action(key)
    if action is None:
        abort(400)
    selected = []
    for value in request.form.getlist("item"):
        number, _sep, version = value.partition(":")
        application_id, row_version = database_id(number), database_id(version)
        if application_id is None or row_version is None:
            abort(400)
        if application_id not in (a for a, _v in selected):
            selected.append((application_id, row_version))
    if not selected or len(selected) > bulk.MAX_SELECTED:
        abort(400)
    reason = form_text("reason", 4000, multiline=True)
    items = bulk.run(workflow(), program, selected, action, current_actor(), reason)
    return render_template(
        "officer/bulk_results.html",
        program=program,
        action=action,
        bulk_items=items,
        back=_back(key),
        done=sum(1 for i in items if i.done),
    )


def init_app(app) -> None:
    app.register_blueprint(bp)
