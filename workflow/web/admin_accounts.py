"""The administrator's account tools: invite a staff member or reviewer, send an invitation again, and
the log of role changes (the staff chain). Routes live on the admin blueprint."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from itsdangerous import BadSignature, URLSafeSerializer

from forms import BaseForm, choices
from forms.admin import ConfirmImportForm, ImportForm, InviteForm, parse_role_choice, role_choice
from workflow.services import admin as admin_service
from workflow.services import invitations, reviewer_import, role_log, spreadsheet_rows
from workflow.vocabulary.numbers import MAX_ID, whole_number
from workflow.vocabulary.roles import ROLES
from workflow.web.admin import admin_errors, bp
from workflow.web.auth import current_actor, page_reads, roles_required, workflow
from workflow.web.common import language_name
from workflow.web.i18n import LANGUAGES, current_lang
from workflow.web.i18n import gettext as _


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


@bp.post("/users/<int:user_id>/invitation/withdraw")
@roles_required("admin")
def withdraw_invitation(user_id: int):
    if not BaseForm(request.form).validate():
        abort(400)
    if invitations.withdraw(workflow().db, user_id):
        flash(_("The invitation was withdrawn: its link no longer works."), "success")
    else:
        flash(_("No invitation is open for this account."), "info")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.get("/roles/log")
@roles_required("admin")
def role_changes():
    before = whole_number(request.args.get("before"), MAX_ID)
    with page_reads() as connection:
        page = role_log.changes(connection, before=before)
    return render_template("admin/role_log.html", page=page, roles=role_kinds())


def role_kinds() -> dict:
    return admin_service.grantable_roles(workflow().registry.current) | ROLES


def _import_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="reviewer-import")


def _import_preview(rows, status: int = 200):
    ready = bool(rows) and not any(row.problems for row in rows)
    confirm = ConfirmImportForm()
    if ready:
        confirm.payload.data = _import_serializer().dumps([row.as_dict() for row in rows])
    return _import_page(ImportForm(formdata=None), rows=rows, ready=ready, confirm=confirm), status


def _import_page(form, **context) -> str:
    programs = sorted(workflow().registry.current)
    columns = {
        "name": _("Name"),
        "email": _("E-mail"),
        "organisation": _("Organisation"),
        "programs": _("Programs"),
        "language": _("Language"),
    }
    context.setdefault("rows", None)
    return render_template(
        "admin/import.html",
        form=form,
        problems=import_problems(),
        column_names=columns,
        example_program=programs[0] if programs else None,
        **context,
    )


@bp.route("/users/import", methods=["GET", "POST"])
@roles_required("admin")
def import_reviewers():
    form = ImportForm()
    if request.method == "GET":
        return _import_page(form)
    if form.validate_on_submit():
        upload = form.file.data
        try:
            data = upload.read(spreadsheet_rows.MAX_BYTES + 1)
        finally:
            upload.close()  # a large upload is spooled to a temporary file
        try:
            rows = spreadsheet_rows.read_rows(upload.filename or "", data)
            parsed = reviewer_import.preview(workflow().db, rows, workflow().registry.current)
        except (spreadsheet_rows.SheetError, reviewer_import.ImportRefused) as error:
            form.file.errors = [*form.file.errors, import_problems()[error.code]]
        else:
            return _import_preview(parsed)
    return _import_page(form), 400


@bp.post("/users/import/confirm")
@roles_required("admin")
def confirm_import():
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        items = _import_serializer().loads(form.payload.data or "")
        rows = reviewer_import.from_dicts(items, workflow().registry.current)
    except (BadSignature, KeyError, TypeError, ValueError):
        abort(400)
    try:
        created = reviewer_import.create_all(workflow(), rows, current_actor().id)
    except reviewer_import.ImportRefused as error:
        flash(
            _("Nothing was created: some rows have problems now. Correct the file and upload it again."),
            "error",
        )
        return _import_preview(error.rows, status=409)
    flash(
        ngettext("%(num)d reviewer was invited.", "%(num)d reviewers were invited.", len(created)),
        "success",
    )
    return redirect(url_for("admin.users"))


def import_problems() -> dict[str, str]:
    """What each refusal means: the file as a whole, or one row (a value may follow)."""
    return {
        "too_big": _("The file is too large: at most 1 MB (and 32 MB unpacked)."),
        "too_many_rows": _("The file has too many rows: at most 500 reviewers at a time."),
        "file_type": _("Upload a .csv or .xlsx file."),
        "encoding": _("The CSV file is neither UTF-8 nor CP949 text. Save it again as CSV UTF-8."),
        "unreadable": _("The file cannot be read as a CSV or XLSX spreadsheet."),
        "empty": _("The file has no reviewers: a header row and at least one row are needed."),
        "no_header": _("The first row must name the columns: at least name and email."),
        "control": _("Control characters (such as NUL) in the column"),
        "formula": _("The cell starts like a spreadsheet formula (=, +, -, @) in the column"),
        "too_long": _("The value is too long in the column"),
        "no_name": _("The name is missing."),
        "bad_email": _("Not a valid e-mail address:"),
        "bad_language": _("Unknown language (use ko or en):"),
        "unknown_program": _("Unknown program:"),
        "ambiguous_program": _("This title names more than one program; write the program's key instead:"),
        "duplicate_in_file": _("The same e-mail address is on an earlier row of the file, row"),
        "account_exists": _("An account with this e-mail address exists already:"),
    }
