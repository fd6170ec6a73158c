"""One endpoint that fires a transition from any page: the buttons of `templates/macros/actions.html`.

The engine decides (role, object, guard, version); a refusal comes back as a message on the page the
user came from, with what they typed (the reason) kept for the retry.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_login import login_required

from forms.dynamic import build_form, cleaned_values
from workflow.web.account import safe_next
from workflow.web.auth import current_actor, workflow
from workflow.web.common import state_label, trigger_label, visible_application
from workflow.web.i18n import current_lang, message_text
from workflow.web.i18n import gettext as _
from workflow.web.inputs import form_text, row_version, version_missing

bp = Blueprint("actions", __name__)


@bp.post("/applications/<int:application_id>/fire")
@login_required
def fire(application_id: int):
    row, program = visible_application(application_id)
    trigger = request.form.get("trigger", "")
    if trigger not in program.triggers:
        abort(400)
    back = safe_next(request.form.get("next") or url_for("applicant.status", application_id=application_id))
    version, reason = row_version(), form_text("reason", 4000, multiline=True)
    if version is None:
        flash(version_missing(), "error")
        return redirect(back)
    fields = [f for t in program.transitions if t.trigger == trigger for f in t.spec.fields]
    data = None
    if fields:
        form = build_form(fields, current_lang(), {}, request.form, strict=True)
        form.validate()
        problems = {k: v for k, v in form.errors.items() if k != "csrf_token"}
        if problems:
            flash("; ".join(f"{form[k].label.text}: {' '.join(v)}" for k, v in problems.items()), "error")
            _keep(application_id, trigger)
            return redirect(back)
        data = cleaned_values(form, include_empty_required=True)
    result = workflow().fire(
        application_id,
        trigger,
        current_actor(),
        data=data,
        reason=reason,
        expected_version=version,
    )
    if result.ok and result.approved and result.state == row.state:
        session.pop("kept", None)
        flash(
            _(
                "Your approval of “%(action)s” was recorded. The step is taken when the other approvals "
                "it needs are in.",
                action=trigger_label(program, trigger),
            ),
            "success",
        )
    elif result.ok:
        session.pop("kept", None)
        flash(
            _(
                "Done: %(action)s. The application is now at “%(state)s”.",
                action=trigger_label(program, trigger),
                state=state_label(
                    program,
                    result.state,
                    "staff" if row.applicant_id != current_actor().id else "applicant",
                ),
            ),
            "success",
        )
    else:
        _keep(application_id, trigger)
        flash(message_text(result.refusal), "error")
    return redirect(back)


@bp.post("/applications/<int:application_id>/decide")
@login_required
def decide(application_id: int):
    """Record a determination: the chosen outcome picks the transition, fired with every check."""
    row, program = visible_application(application_id)
    name = request.form.get("decision", "")
    if name not in program.spec.decisions:
        abort(400)
    back = safe_next(request.form.get("next") or url_for("applicant.status", application_id=application_id))
    version, reason = row_version(), form_text("reason", 4000, multiline=True)
    if version is None:
        flash(version_missing(), "error")
        return redirect(back)
    outcome = request.form.get("outcome", "")
    result = workflow().decide(
        application_id, name, outcome, current_actor(), reason=reason, expected_version=version
    )
    if result.ok and result.approved and result.state == row.state:
        session.pop("kept", None)
        flash(
            _(
                "Your approval of “%(action)s” was recorded. The step is taken when the other approvals "
                "it needs are in.",
                action=program.spec.decisions[name].label.get(current_lang()),
            ),
            "success",
        )
    elif result.ok:
        session.pop("kept", None)
        flash(
            _(
                "Decision recorded. The application is now at “%(state)s”.",
                state=state_label(program, result.state, "staff"),
            ),
            "success",
        )
    else:
        refusal = result.refusal
        at_reason = refusal is not None and refusal.code == "reason_required"
        _keep(application_id, f"decision:{name}", outcome=outcome[:100], reason_error=at_reason)
        flash(message_text(refusal), "error")
    return redirect(back)


def _keep(application_id: int, trigger: str, outcome: str = "", reason_error: bool = False) -> None:
    """Keep what the user typed (and the decision chosen) so the page can offer it again after a
    refusal; `reason_error` marks the reason box as the field to fix."""
    session["kept"] = {
        "application_id": application_id,
        "trigger": trigger,
        "reason": (request.form.get("reason") or "")[:4000],
        "outcome": outcome,
        "reason_error": reason_error,
    }


def init_app(app) -> None:
    app.register_blueprint(bp)
