"""The administrator's pages: users, role assignments per program, and the rule definitions."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from wtforms import SelectField

from forms import BaseForm, choices
from workflow.services import admin as admin_service
from workflow.services import invitations, role_log
from workflow.vocabulary.roles import ROLES
from workflow.web.auth import current_actor, db, page_reads, roles_required, workflow
from workflow.web.i18n import current_lang
from workflow.web.i18n import gettext as _
from workflow.web.i18n import lazy_gettext as _l
from workflow.web.inputs import query_text
from workflow.web.nav import register_nav

bp = Blueprint("admin", __name__, url_prefix="/admin")


class RoleForm(BaseForm):
    role = SelectField(_l("Role"))
    program_key = SelectField(_l("Program"))


def _role_form(formdata=None) -> RoleForm:
    form = RoleForm(formdata=formdata)
    lang = current_lang()
    grantable = admin_service.grantable_roles(workflow().registry.current)
    form.role.choices = choices((name, kind.label(lang)) for name, kind in grantable.items())
    form.program_key.choices = choices(
        [("", _("All programs (global)"))]
        + [
            (key, program.spec.title.get(lang))
            for key, program in sorted(workflow().registry.current.items())
        ]
    )
    return form


def admin_errors() -> dict[str, str]:
    return {
        "unknown_role": _("Unknown role."),
        "unknown_program": _("Unknown program."),
        "global_role": _("This role is held for all programs; choose “All programs”."),
        "program_role": _("This role belongs to a program; choose a program that declares it."),
        "unknown_user": _("Unknown user."),
        "unknown_assignment": _("That role assignment does not exist any more."),
        "own_admin": _("You cannot remove your own administrator access."),
        "email_taken": _("An account with this e-mail already exists."),
        "no_role": _("Choose at least one role."),
        "already_accepted": _("The invitation was already accepted: this person signs in with a password."),
    }


def invitation_state(user: dict) -> str | None:
    """ "open", "expired" or None (no invitation waiting) for an account."""
    if user.get("invited_at") is None:
        return None
    age = (workflow().clock() - user["invited_at"]).total_seconds()
    return "expired" if age > current_app.config.get("INVITE_MAX_AGE", invitations.INVITE_MAX_AGE) else "open"


@bp.get("/")
@roles_required("admin")
def users():
    q = query_text("q")
    with page_reads() as connection:
        rows = admin_service.list_users(connection, q)
    for row in rows:
        row["invitation"] = invitation_state(row)
    return render_template(
        "admin/users.html",
        users=rows,
        q=q,
        roles=admin_service.grantable_roles(workflow().registry.current) | ROLES,
    )


@bp.get("/users/<int:user_id>")
@roles_required("admin")
def user(user_id: int):
    with page_reads() as connection:
        found = admin_service.get_user(connection, user_id)
        changes = role_log.changes(connection, user_id=user_id, limit=20) if found else None
    if found is None:
        abort(404)
    found["invitation"] = invitation_state(found)
    return render_template(
        "admin/user.html",
        user=found,
        form=_role_form(),
        roles=admin_service.grantable_roles(workflow().registry.current) | ROLES,
        changes=changes,
    )


@bp.post("/users/<int:user_id>/roles")
@roles_required("admin")
def grant(user_id: int):
    form = _role_form(request.form)
    if form.validate():
        try:
            admin_service.grant_role(
                db(),
                user_id,
                form.role.data,
                form.program_key.data or None,
                workflow().registry.current,
                acting_user_id=current_actor().id,
            )
        except admin_service.AdminError as error:
            flash(admin_errors()[error.code], "error")
        else:
            flash(_("The role was given."), "success")
    else:
        flash(_("Choose a role and a program from the lists."), "error")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/roles/<int:assignment_id>/remove")
@roles_required("admin")
def revoke(user_id: int, assignment_id: int):
    if not BaseForm(request.form).validate():
        abort(400)
    try:
        admin_service.revoke_role(db(), user_id, assignment_id, current_actor().id)
    except admin_service.AdminError as error:
        flash(admin_errors()[error.code], "error")
    else:
        flash(_("The role was removed."), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/active")
@roles_required("admin")
def active(user_id: int):
    if not BaseForm(request.form).validate():
        abort(400)
    try:
        admin_service.set_active(db(), user_id, request.form.get("active") == "1", current_actor().id)
    except admin_service.AdminError as error:
        flash(admin_errors()[error.code], "error")
    else:
        flash(_("The account was updated."), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.get("/rules")
@roles_required("admin")
def rules():
    with page_reads() as connection:
        rows = admin_service.definitions(connection, workflow().registry)
    return render_template("admin/rules.html", rows=rows)


def init_app(app) -> None:
    from workflow.web import admin_accounts, admin_rules  # noqa: F401  (their routes join this blueprint)

    app.register_blueprint(bp)
    register_nav(app, "admin.users", _l("Users"), roles=("admin",), order=80)
    register_nav(app, "admin.rules", _l("Rule definitions"), roles=("admin",), order=81)
