"""Correcting a stage where the rule file's `corrections:` allow it: the stage's form, prefilled, with a
required reason; the engine checks the role and the version and records the diff in the history."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from forms.dynamic import build_form, cleaned_values, widget_of
from workflow.engine.access import effective_roles
from workflow.web.auth import current_actor, page_reads, workflow
from workflow.web.common import visible_application
from workflow.web.i18n import current_lang, message_text
from workflow.web.i18n import gettext as _
from workflow.web.inputs import form_text, row_version, version_missing

bp = Blueprint("corrections", __name__, url_prefix="/officer")
MAX_REASON = 4000


def _correctable(application_id: int, stage: str):
    """(row, program, stage spec) if the signed-in user may correct the stage now; 404 for an application
    they cannot see or an unknown stage, 403 when the rule file gives their role no correction here."""
    with page_reads() as connection:
        row, program = visible_application(application_id, connection)
        spec = program.spec.stages.get(stage)
        if spec is None:
            abort(404)
        wanted = program.correction_roles(stage, row.state)
        if not wanted or not effective_roles(connection, program, row, current_actor(), wanted):
            abort(403)
    return row, program, spec


def _fields(spec) -> list:
    return [f for f in spec.fields if widget_of(f) != "file"]  # files are replaced by uploading, not here


@bp.route("/applications/<int:application_id>/correct/<stage>", methods=["GET", "POST"])
@login_required
def correct(application_id: int, stage: str):
    row, program, spec = _correctable(application_id, stage)
    fields = _fields(spec)
    posted = request.form if request.method == "POST" else None
    form = build_form(fields, current_lang(), row.data or {}, posted, strict=True)
    reason, status = "", 200
    if request.method == "POST":
        reason = form_text("reason", MAX_REASON, multiline=True) or ""
        form.validate()
        if "csrf_token" in form.errors:
            abort(400)
        version = row_version()
        if version is None:
            flash(version_missing(), "error")
            status = 400
        elif not form.errors:
            values = cleaned_values(form)
            result = workflow().correct(application_id, stage, current_actor(), values, reason, version)
            if result.ok:
                flash(_("The correction was saved and recorded in the history."), "success")
                return redirect(url_for("officer.application", application_id=application_id))
            flash(message_text(result.refusal), "error")
            for name, message in (result.errors or {}).items():
                field = getattr(form, name, None)
                if field is not None:
                    field.errors = [*field.errors, message_text(message)]
            status = 409 if result.refusal.code == "stale" else 400
        else:
            status = 400
    return (
        render_template(
            "officer/correct.html",
            row=row,
            program=program,
            stage=stage,
            spec=spec,
            form=form,
            reason=reason,
            has_files=len(fields) < len(spec.fields),
        ),
        status,
    )


def init_app(app) -> None:
    app.register_blueprint(bp)
