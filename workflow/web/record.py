"""A record of what was submitted: the read-only, printable application and its receipt (접수증).

Only the applicant who owns it and staff who may see the application open these pages; reviewers read
the application on their own page, which shows only what the rule file marks for review."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import login_required

from workflow.services.receipt import receipt_of
from workflow.services.status import application_view
from workflow.web.auth import page_reads, workflow
from workflow.web.common import is_owner, sees_as_staff, visible_application

bp = Blueprint("record", __name__)


def _submitted_view(application_id: int):
    """(view, receipt, audience) of a submitted application the owner or staff may read; else 404."""
    with page_reads() as connection:
        row, compiled = visible_application(application_id, connection)
        if not is_owner(row) and not sees_as_staff(compiled):
            abort(404)
        audience = "staff" if sees_as_staff(compiled) else "applicant"
        view = application_view(workflow(), connection, application_id, loaded=(row, compiled))
    receipt = receipt_of(compiled, application_id, view.events)
    if receipt is None:
        abort(404)
    return view, receipt, audience


@bp.get("/applications/<int:application_id>/submitted")
@login_required
def submitted(application_id: int):
    view, receipt, audience = _submitted_view(application_id)
    stages = [
        stage
        for stage in view.program.spec.stages.values()
        if any(view.data.get(f.name) is not None for f in stage.fields)
    ]
    return render_template(
        "applicant/submitted.html", view=view, receipt=receipt, stages=stages, audience=audience
    )


@bp.get("/applications/<int:application_id>/receipt")
@login_required
def receipt(application_id: int):
    view, receipt, audience = _submitted_view(application_id)
    return render_template("applicant/receipt.html", view=view, receipt=receipt, audience=audience)


def init_app(app) -> None:
    app.register_blueprint(bp)
