"""The reviewer's pages: inbox, the confidentiality pledge and a conflict declaration before any access,
the rubric (draft, then locked scores) and the application's files — only the stages the rule file shows
reviewers (`review_visible:`)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from forms.review import ConflictForm, PledgeForm, rubric_form
from workflow.engine.access import reviewer_status
from workflow.models import ReviewAssignment
from workflow.services import reviews
from workflow.services.board import inbox as reviewer_inbox
from workflow.services.status import application_view, load_application
from workflow.storage.blobs import ChunkReader, StorageError
from workflow.web.auth import current_actor, page_reads, roles_required, workflow
from workflow.web.common import file_store
from workflow.web.i18n import current_lang, message_text
from workflow.web.i18n import gettext as _
from workflow.web.i18n import lazy_gettext as _l
from workflow.web.nav import register_nav
from workflow.web.reads import log_read

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.get("/")
@roles_required("reviewer")
def inbox():
    with page_reads() as connection:
        rows = reviewer_inbox(connection, current_actor().id)
        for row in rows:
            row["program"] = workflow().pinned(
                connection, row["program_key"], row["program_version"], row["definition_sha"]
            )
    return render_template("review/inbox.html", rows=rows)


def _assignment(application_id: int):
    """(row, program, coi) for an application assigned to this reviewer; 404 if not assigned."""
    actor = current_actor()
    with page_reads() as connection:
        coi = reviewer_status(connection, application_id, actor.id)
        if coi is None:
            abort(404)
        row, program = load_application(workflow(), connection, application_id)
    return row, program, coi


def _pledged() -> bool:
    with page_reads() as connection:
        return reviews.pledged_at(connection, current_actor().id) is not None


@bp.route("/pledge", methods=["GET", "POST"])
@roles_required("reviewer")
def pledge():
    """The confidentiality pledge (보안서약): accepted once, before the reviewer opens any application."""
    with page_reads() as connection:
        accepted_at = reviews.pledged_at(connection, current_actor().id)
    form = PledgeForm()
    if accepted_at is None and form.validate_on_submit():
        reviews.accept_pledge(workflow(), current_actor())
        flash(_("Thank you. Your pledge was recorded."), "success")
        target = request.args.get("next", type=int)
        if target is not None:
            return redirect(url_for("review.declare", application_id=target))
        return redirect(url_for("review.inbox"))
    return render_template("review/pledge.html", form=form, accepted_at=accepted_at)


@bp.route("/<int:application_id>/declare", methods=["GET", "POST"])
@roles_required("reviewer")
def declare(application_id: int):
    row, program, coi = _assignment(application_id)
    if not _pledged():
        return redirect(url_for("review.pledge", next=application_id))
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
        parties=_parties(program, row.data),
    )


def _parties(program, data: dict) -> list[tuple]:
    """(label, value) of the organisation, representative and participants the rule file names."""
    facts = []
    for role in ("organisation", "representative", "participants"):
        spec = program.key_field(role)
        if spec is not None:
            facts.append((spec.label, program.key_value(role, data) or "—"))
    return facts


@bp.route("/<int:application_id>", methods=["GET", "POST"])
@roles_required("reviewer")
def score(application_id: int):
    row, program, coi = _assignment(application_id)
    if coi == "pending" or not _pledged():
        return redirect(url_for("review.declare", application_id=application_id))
    if coi == "conflict" or program.spec.review is None:
        abort(404)
    with page_reads() as connection:
        view = application_view(workflow(), connection, application_id)
        mine = (
            connection.execute(
                ReviewAssignment.__table__.select()
                .where(
                    ReviewAssignment.application_id == application_id,
                    ReviewAssignment.reviewer_id == current_actor().id,
                )
                .order_by(ReviewAssignment.round.desc())
            )
            .mappings()
            .first()
        )
    rubric = program.spec.review.rubric
    form = rubric_form(rubric, current_lang(), request.form if request.method == "POST" else None)
    locked = mine["submitted_at"] is not None
    if request.method == "GET" and not locked and mine["draft"]:
        _fill_from_draft(form, rubric, mine["draft"])
    if request.method == "POST" and locked:
        flash(_("Your scores were already submitted and cannot be changed."), "error")
    elif request.method == "POST" and request.form.get("action") == "draft":
        if _draft_valid(form, rubric):
            scores = {item.name: form[f"score_{item.name}"].data for item in rubric}
            result = reviews.save_draft(
                workflow(), application_id, current_actor(), scores, form.comment.data or ""
            )
            if result.ok:
                flash(_("Your draft was saved. It is not counted until you submit it."), "success")
                return redirect(url_for("review.score", application_id=application_id))
            flash(message_text(result.refusal), "error")
    elif request.method == "POST" and form.validate():
        scores = {item.name: form[f"score_{item.name}"].data for item in rubric}
        result = reviews.submit(workflow(), application_id, current_actor(), scores, form.comment.data or "")
        if result.ok:
            flash(_("Your scores were submitted and are now locked."), "success")
            return redirect(url_for("review.score", application_id=application_id))
        flash(message_text(result.refusal), "error")
    reviewable = program.spec.states[row.state].review
    log_read("review", row)
    return render_template(
        "review/score.html",
        view=view,
        fields=program.review_fields,
        form=form,
        mine=mine,
        locked=locked,
        rubric=rubric,
        reviewable=reviewable,
    )


def _fill_from_draft(form, rubric, draft: dict) -> None:
    for item in rubric:
        form[f"score_{item.name}"].data = (draft.get("scores") or {}).get(item.name)
    form.comment.data = draft.get("comment") or ""


def _draft_valid(form, rubric) -> bool:
    """A draft may leave scores blank; what is typed must still be a whole number in range."""
    form.validate()
    for item in rubric:
        field = form[f"score_{item.name}"]
        if not (field.raw_data and field.raw_data[0].strip()):
            field.errors = []
            field.data = None
    return not any(f.errors for f in form)


@bp.get("/<int:application_id>/files/<file_id>")
@roles_required("reviewer")
def file(application_id: int, file_id: str):
    """One of the application's files, opened in the browser (PDFs show inline), for a reviewer who
    declared no conflict, and only from a field of a stage shown to reviewers."""
    row, program, coi = _assignment(application_id)
    if coi != "none" or not _pledged():
        abort(404)
    refs = [
        row.data[name]
        for name, spec in program.review_fields.items()
        if spec.type == "file" and isinstance((row.data or {}).get(name), dict)
    ]
    refs = [ref for ref in refs if ref.get("id") == file_id]
    if not refs or not file_id.isalnum():
        abort(404)
    try:
        chunks = file_store().open(refs[0])
    except StorageError:
        abort(503)
    if chunks is None:
        abort(404)
    pdf = refs[0].get("content_type") == "application/pdf"  # anything else is not opened in the page
    return send_file(
        ChunkReader(chunks),
        mimetype="application/pdf" if pdf else "application/octet-stream",
        as_attachment=not pdf,
        download_name=refs[0]["name"],
    )


def init_app(app) -> None:
    app.register_blueprint(bp)
    register_nav(app, "review.inbox", _l("My reviews"), roles=("reviewer",), order=30)
