"""The reviewer's pages: inbox, conflict declaration before any access, the rubric, locked scores."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forms.review import ConflictForm, rubric_form
from workflow.engine.access import reviewer_status
from workflow.models import ReviewAssignment
from workflow.services import reviews
from workflow.services.board import inbox as reviewer_inbox
from workflow.services.status import application_view, load_application
from workflow.web.auth import current_actor, read_db, roles_required, workflow
from workflow.web.i18n import current_lang, message_text
from workflow.web.nav import register_nav

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.get("/")
@roles_required("reviewer")
def inbox():
    with read_db().connect() as connection:
        rows = reviewer_inbox(connection, current_actor().id)
        for row in rows:
            row["program"] = workflow().pinned(
                connection, row["program_key"], row["program_version"], row["definition_sha"]
            )
    return render_template("review/inbox.html", rows=rows)


def _assignment(application_id: int):
    """(row, program, coi) for an application assigned to this reviewer; 404 if not assigned."""
    actor = current_actor()
    with read_db().connect() as connection:
        coi = reviewer_status(connection, application_id, actor.id)
        if coi is None:
            abort(404)
        row, program = load_application(workflow(), connection, application_id)
    return row, program, coi


@bp.route("/<int:application_id>/declare", methods=["GET", "POST"])
@roles_required("reviewer")
def declare(application_id: int):
    row, program, coi = _assignment(application_id)
    if coi != "pending":
        return redirect(url_for("review.score", application_id=application_id))
    form = ConflictForm()
    if form.validate_on_submit():
        if form.declaration.data != "none" and not (form.reason.data or "").strip():
            form.reason.errors.append(_("Give the reason for the exclusion or recusal."))
        else:
            result = reviews.declare(
                workflow(), application_id, current_actor(), form.declaration.data, form.reason.data
            )
            if not result.ok:
                flash(message_text(result.refusal), "error")
            elif form.declaration.data == "none":
                flash(_("Thank you. You can now read and score the application."), "success")
                return redirect(url_for("review.score", application_id=application_id))
            else:
                flash(
                    _("Your declaration was recorded. The assignment is removed and the officer is told."),
                    "info",
                )
                return redirect(url_for("review.inbox"))
    return render_template(
        "review/declare.html",
        row=row,
        program=program,
        form=form,
        organisation=program.organisation_of(row.data),
    )


@bp.route("/<int:application_id>", methods=["GET", "POST"])
@roles_required("reviewer")
def score(application_id: int):
    row, program, coi = _assignment(application_id)
    if coi == "pending":
        return redirect(url_for("review.declare", application_id=application_id))
    if coi == "conflict" or program.spec.review is None:
        abort(404)
    with read_db().connect() as connection:
        view = application_view(workflow(), connection, application_id)
        mine = (
            connection.execute(
                ReviewAssignment.__table__.select().where(
                    ReviewAssignment.application_id == application_id,
                    ReviewAssignment.reviewer_id == current_actor().id,
                )
            )
            .mappings()
            .first()
        )
    rubric = program.spec.review.rubric
    form = rubric_form(rubric, current_lang(), request.form if request.method == "POST" else None)
    locked = mine["submitted_at"] is not None
    if request.method == "POST" and not locked and form.validate():
        scores = {item.name: form[f"score_{item.name}"].data for item in rubric}
        result = reviews.submit(workflow(), application_id, current_actor(), scores, form.comment.data or "")
        if result.ok:
            flash(_("Your scores were submitted and are now locked."), "success")
            return redirect(url_for("review.score", application_id=application_id))
        flash(message_text(result.refusal), "error")
    elif request.method == "POST" and locked:
        flash(_("Your scores were already submitted and cannot be changed."), "error")
    reviewable = program.spec.states[row.state].review
    return render_template(
        "review/score.html",
        view=view,
        form=form,
        mine=mine,
        locked=locked,
        rubric=rubric,
        reviewable=reviewable,
    )


def init_app(app) -> None:
    app.register_blueprint(bp)
    register_nav(app, "review.inbox", _l("My reviews"), roles=("reviewer",), order=30)
