"""Partners on one application: the owner links a co-applicant (a university beside a company, a foreign
partner) or another applicant-side role the program declares, by the e-mail of their account.

The link goes through the engine (`add_member`: one event in the application's history); the partner then
finds the application under "My applications" and acts in the roles the rule file gives them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import login_required
from wtforms import EmailField, SelectField
from wtforms.validators import DataRequired, Length, Regexp

from forms import BaseForm, choices
from workflow.engine.members import add_member
from workflow.vocabulary.fields import EMAIL
from workflow.web.auth import current_actor, workflow
from workflow.web.common import is_owner, visible_application
from workflow.web.i18n import current_lang, message_text
from workflow.web.i18n import gettext as _
from workflow.web.i18n import lazy_gettext as _l

bp = Blueprint("members", __name__)


class MemberForm(BaseForm):
    email = EmailField(
        _l("Their e-mail address (of their account here)"),
        validators=[
            DataRequired(),
            Regexp(EMAIL, message=_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
    )
    relation = SelectField(_l("As"), validators=[DataRequired()])


def member_form(program) -> MemberForm:
    """The add-a-partner form, offering the program's applicant-side roles by their labels."""
    form = MemberForm(prefix="member")
    lang = current_lang()
    form.relation.choices = choices((role, program.role_label(role, lang)) for role in program.member_roles)
    return form


@bp.post("/applications/<int:application_id>/members")
@login_required
def add(application_id: int):
    row, compiled = visible_application(application_id)
    if not is_owner(row) or not compiled.member_roles:
        abort(404)
    form = member_form(compiled)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("applicant.status", application_id=application_id, _anchor="partners"))
    result = add_member(workflow(), application_id, current_actor(), form.email.data, form.relation.data)
    if result.ok:
        flash(_("%(email)s can now see and work on this application.", email=form.email.data), "success")
    else:
        flash(message_text(result.refusal), "error")
    return redirect(url_for("applicant.status", application_id=application_id, _anchor="partners"))


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["member_form"] = member_form
