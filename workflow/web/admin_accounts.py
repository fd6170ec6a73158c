"""The administrator's account tools: invite a staff member or reviewer, send an invitation again, and
the log of role changes (the staff chain). Routes live on the admin blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forms import BaseForm, choices
from forms.admin import InviteForm, parse_role_choice, role_choice
from workflow.services import admin as admin_service
from workflow.services import invitations, role_log
from workflow.vocabulary.numbers import MAX_ID, whole_number
from workflow.vocabulary.roles import ROLES
from workflow.web.admin import admin_errors, bp
from workflow.web.auth import current_actor, read_db, roles_required, workflow
from workflow.web.common import language_name
from workflow.web.i18n import LANGUAGES, current_lang


def role_groups(lang: str) -> list[dict]:
    """The roles an admin may give, each with its choices: every program, or one program."""
    programs = workflow().registry.current
    groups = []
    for name, kind in sorted(admin_service.grantable_roles(programs).items(), key=lambda i: i[0]):
        options = [(role_choice(name, None), _("All programs (global)"))] if name in ROLES else []
        if kind.held_by != "global":
            for key, program in sorted(programs.items()):
                if name in ROLES or name in program.role_kinds:
                    options.append((role_choice(name, key), program.spec.title.get(lang)))
        groups.append({"role": name, "label": kind.label(lang), "options": options})
    return groups


def invite_form(formdata=None) -> tuple[InviteForm, list[dict]]:
    form = InviteForm(formdata=formdata)
    lang = current_lang()
    groups = role_groups(lang)
    form.language.choices = choices((code, language_name(code)) for code in LANGUAGES)
    form.roles.choices = choices(
        (value, f"{group['label']} · {label}") for group in groups for value, label in group["options"]
    )
    return form, groups


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def invite():
    form, groups = invite_form(request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        invitee = invitations.Invitee(
            email=form.email.data,
            name=form.name.data,
            organisation=form.organisation.data,
            language=form.language.data,
            roles=tuple(parse_role_choice(value) for value in form.roles.data),
        )
        try:
            user_id = invitations.invite(workflow(), invitee, workflow().registry.current, current_actor().id)
        except admin_service.AdminError as error:
            target = form.email if error.code == "email_taken" else form.roles
            target.errors = [*target.errors, admin_errors()[error.code]]
        else:
            flash(_("The account was made and the invitation is on its way by e-mail."), "success")
            return redirect(url_for("admin.user", user_id=user_id))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/invite.html", form=form, groups=groups), status


@bp.post("/users/<int:user_id>/invitation")
@roles_required("admin")
def resend_invitation(user_id: int):
    if not BaseForm(request.form).validate():
        abort(400)
    try:
        invitations.resend(workflow(), user_id, current_actor().id)
    except admin_service.AdminError as error:
        flash(admin_errors()[error.code], "error")
    else:
        flash(_("A new invitation is on its way; the earlier links no longer work."), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.get("/roles/log")
@roles_required("admin")
def role_changes():
    before = whole_number(request.args.get("before"), MAX_ID)
    with read_db().connect() as connection:
        page = role_log.changes(connection, before=before)
    return render_template("admin/role_log.html", page=page, roles=role_kinds())


def role_kinds() -> dict:
    return admin_service.grantable_roles(workflow().registry.current) | ROLES
