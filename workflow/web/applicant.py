"""The applicant's journey: open programs, apply, edit the draft (autosave), status, files, letters."""

from __future__ import annotations

import logging
from io import BytesIO

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from forms.dynamic import build_form, cleaned_values, widget_of
from workflow.engine import records, signoff
from workflow.engine.access import effective_roles
from workflow.engine.actions import available_actions
from workflow.engine.core import stage_problems
from workflow.ops.failures import log_once_per_kind
from workflow.services import finance, progress
from workflow.services.files import UploadRejected
from workflow.services.programs import program_cards
from workflow.services.receipt import receipt_of
from workflow.services.status import application_view, letter_content, my_applications
from workflow.storage.blobs import ChunkReader, StorageError
from workflow.vocabulary.messages import Message
from workflow.web.auth import current_actor, read_db, workflow
from workflow.web.common import (
    TRANCHE_STATUS,
    audience_for,
    file_store,
    is_owner,
    trigger_label,
    visible_application,
)
from workflow.web.i18n import current_lang, message_text
from workflow.web.inputs import row_version, version_missing
from workflow.web.nav import register_nav
from workflow.web.reads import log_read
from workflow.web.security import error_page

log = logging.getLogger(__name__)
APPLICANT_SIDE = frozenset({"owner", "member"})  # how the applicant's side holds its roles

bp = Blueprint("applicant", __name__)


@bp.get("/programs")
def programs():
    return render_template("applicant/programs.html", programs=program_cards(workflow()))


@bp.get("/programs/<key>")
def program(key: str):
    card = next((c for c in program_cards(workflow()) if c.key == key), None)
    if card is None:
        abort(404)
    compiled = workflow().registry.latest(key)
    first_stages = [s for s in compiled.spec.stages.values() if compiled.initial in s.editable_in]
    files = [f for stage in first_stages for f in stage.fields if f.accept]
    return render_template(
        "applicant/program.html", card=card, program=compiled, first_stages=first_stages, files=files
    )


@bp.post("/programs/<key>/apply")
@login_required
def apply(key: str):
    compiled = workflow().registry.latest(key)
    if compiled is None:
        abort(404)
    if compiled.spec.follow_up_only:
        refused = Message("follow_up_only", {"title": compiled.spec.title.model_dump()})
        return error_page(403, message_text(refused))
    if not current_user.email_verified:
        flash(_("Confirm your e-mail address first: open the link we sent you when you signed up."), "error")
        return redirect(url_for("applicant.program", key=key))
    if request.form.get("another") != "1":
        existing = _open_applications(key)
        if existing:  # ask first: a second draft for the same program is rarely meant
            return render_template("applicant/apply_again.html", program=compiled, existing=existing)
    result = workflow().create(key, current_actor(), {})
    if not result.ok:
        flash(message_text(result.refusal), "error")
        return redirect(url_for("applicant.program", key=key))
    flash(_("Your application was created. It is saved as a draft while you fill it in."), "success")
    return redirect(url_for("applicant.edit", application_id=result.application_id))


def _open_applications(key: str) -> list[dict]:
    """The signed-in user's applications in this program that have not reached a final state."""
    with read_db().connect() as connection:
        rows = my_applications(connection, current_actor().id)
        result = []
        for row in rows:
            if row["program_key"] != key:
                continue
            compiled = workflow().pinned(
                connection, row["program_key"], row["program_version"], row["definition_sha"]
            )
            if row["state"] in compiled.finals:
                continue
            row["label"] = compiled.state_label(row["state"], current_lang(), "applicant")
            row["title"] = compiled.title_of(row["data"])
            result.append(row)
    return result


@bp.get("/my")
@login_required
def dashboard():
    with read_db().connect() as connection:
        rows = my_applications(connection, current_actor().id)
        for row in rows:
            compiled = workflow().pinned(
                connection, row["program_key"], row["program_version"], row["definition_sha"]
            )
            row["program"] = compiled
            row["label"] = compiled.state_label(row["state"], current_lang(), "applicant")
            row["title"] = compiled.title_of(row.pop("data"))
            row["action_needed"] = _action_needed(connection, row["id"], compiled)
        deadlines = progress.next_deadlines(connection, [row["id"] for row in rows])
    for row in rows:
        row["deadline"] = deadlines.get(row["id"])
    return render_template("applicant/dashboard.html", applications=rows, now=workflow().clock())


def _action_needed(connection, application_id: int, compiled) -> bool:
    """The applicant can act now: a form of this step to fill in, or an enabled action that moves the
    application on (withdrawing is always possible early on; it is not something asked of them)."""
    row = records.read_application(connection, application_id)
    if _may_edit(connection, row, compiled):
        return True
    options = available_actions(workflow(), connection, row, current_actor())
    return any(a.enabled and not a.destructive for a in options)


@bp.get("/applications/<int:application_id>")
@login_required
def status(application_id: int):
    actor = current_actor()
    with read_db().connect() as connection:
        row, compiled = visible_application(application_id, connection)
        view = application_view(workflow(), connection, application_id, loaded=(row, compiled))
        actions = available_actions(workflow(), connection, row, actor)
        editable = _may_edit(connection, row, compiled)
        schedule = finance.award_schedule(connection, application_id)
        sign_offs = _sign_offs_shown(connection, compiled, row, actor)
    audience = audience_for(row, compiled)
    if audience == "staff":
        log_read("status", row)
    else:
        view.letters = [letter for letter in view.letters if letter["user_id"] == actor.id]
    return render_template(
        "applicant/status.html",
        view=view,
        actions=[a for a in actions if a.trigger not in _form_triggers(compiled, row)]
        if editable
        else actions,
        editable=editable,
        editable_stages=_stages(compiled, row.state) if editable else [],
        audience=audience,
        schedule=schedule,
        sign_offs=sign_offs,
        tranche_status=TRANCHE_STATUS,
        steps=progress.steps(compiled, row.state, current_lang(), audience),
        now=workflow().clock(),
        receipt=receipt_of(compiled, application_id, view.events)
        if is_owner(row) or audience == "staff"
        else None,
    )


def _sign_offs_shown(connection, compiled, row, actor) -> list:
    """Who approved and what is still needed: the program's staff see every sign-off; the applicant's side
    sees those only they approve (partners confirming a joint text), never who sits on a committee."""
    shown = signoff.status(connection, compiled, row)  # no query where no step needs a sign-off
    if actor.staff_roles(compiled.key):
        return shown
    return [p for p in shown if all(compiled.role_kinds[s.role].held_by in APPLICANT_SIDE for s in p.steps)]


def _may_edit(connection, row, compiled) -> bool:
    roles = compiled.stage_roles(row.state)
    return bool(roles and effective_roles(connection, compiled, row, current_actor(), roles))


def _form_triggers(compiled, row) -> set[str]:
    """Triggers offered on the form page itself (those that need the form's stage complete)."""
    return {t.trigger for t in compiled.leaving(row.state) if t.spec.requires}


def _stages(compiled, state: str) -> list:
    return [stage for stage in compiled.spec.stages.values() if state in stage.editable_in]


def _editable_or_redirect(application_id: int):
    row, compiled = visible_application(application_id)
    with read_db().connect() as connection:
        if not _may_edit(connection, row, compiled):
            return row, compiled, None
    specs = [f for stage in _stages(compiled, row.state) for f in stage.fields]
    return row, compiled, specs


def _attach_uploads(form, specs) -> dict[str, str]:
    """Store uploaded files (size and content checked); returns upload errors by field."""
    errors = {}
    for spec in specs:
        if widget_of(spec) != "file":
            continue
        upload = request.files.get(spec.name)
        if upload is None or not upload.filename:
            continue
        accept = tuple(e.lower().lstrip(".") for e in spec.accept or ())
        try:
            ref = file_store().save(upload.stream, upload.filename, accept=accept, max_mb=spec.max_mb)
        except UploadRejected as rejected:
            errors[spec.name] = Message(rejected.code, rejected.params).text(current_lang())
        else:
            getattr(form, spec.name).stored = ref
    return errors


@bp.route("/applications/<int:application_id>/form", methods=["GET", "POST"])
@login_required
def edit(application_id: int):
    row, compiled, specs = _editable_or_redirect(application_id)
    if specs is None:
        return redirect(url_for("applicant.status", application_id=application_id))
    lang = current_lang()
    form = build_form(specs, lang, row.data or {}, request.form if request.method == "POST" else None)
    version = row.row_version
    if request.method == "POST":
        version, done = _save_posted_form(application_id, compiled, form, specs, version)
        if done is not None:
            return done
    with read_db().connect() as connection:
        actions = [
            a
            for a in available_actions(workflow(), connection, application_id, current_actor())
            if a.trigger in _form_triggers(compiled, row)
        ]
        due_at = progress.next_deadlines(connection, [application_id]).get(application_id)
    return render_template(
        "applicant/form.html",
        due_at=due_at,
        now=workflow().clock(),
        row=row,
        program=compiled,
        stages=_stages(compiled, row.state),
        form=form,
        version=version,
        actions=actions,
    )


def _save_posted_form(application_id: int, compiled, form, specs, version: int):
    """Save the valid entries (and fire the chosen action); (the version now, a redirect when done)."""
    given = row_version()
    if given is None:  # every form of ours sends it: without it the version check would be skipped
        flash(version_missing(), "error")
        return version, None
    upload_errors = _attach_uploads(form, specs)
    form.validate()
    for name, text in upload_errors.items():
        getattr(form, name).errors = [*getattr(form, name).errors, text]
    if "csrf_token" in form.errors:
        abort(400)
    saved = workflow().save_draft(application_id, current_actor(), cleaned_values(form), given)
    if not saved.ok:
        flash(message_text(saved.refusal), "error")
        _show_engine_errors(form, saved.errors)
        return version, None
    trigger = request.form.get("action")
    if trigger and not form.errors:
        fired = workflow().fire(application_id, trigger, current_actor(), expected_version=saved.row_version)
        if fired.ok:
            flash(_("Done: %(label)s.", label=_action_label(compiled, trigger)), "success")
            return saved.row_version, redirect(url_for("applicant.status", application_id=application_id))
        flash(message_text(fired.refusal), "error")
        _show_engine_errors(form, fired.errors)
    elif trigger:
        flash(_("Your entries were saved, but some need correcting before you can continue."), "error")
        problems = _stage_problems(compiled, application_id, trigger)
        _show_engine_errors(form, {n: m for n, m in problems.items() if n not in form.errors})
    elif form.errors:
        flash(_("The valid entries were saved. Please correct the highlighted ones."), "error")
    else:
        flash(_("Saved."), "success")
    return saved.row_version, None


def _stage_problems(compiled, application_id: int, trigger: str) -> dict:
    """What the chosen action would also refuse (missing required fields), shown with the format errors."""
    with read_db().connect() as connection:
        row = records.read_application(connection, application_id)
    leaving = [t for t in compiled.leaving(row.state) if t.trigger == trigger]
    return stage_problems(compiled, [s for t in leaving for s in t.spec.requires], row.data or {})


def _show_engine_errors(form, errors) -> None:
    for name, message in (errors or {}).items():
        field = getattr(form, name, None)
        if field is not None and message_text(message) not in field.errors:
            field.errors = [*field.errors, message_text(message)]


def _action_label(compiled, trigger: str) -> str:
    return trigger_label(compiled, trigger)


@bp.post("/applications/<int:application_id>/autosave")
@login_required
def autosave(application_id: int):
    row, compiled, specs = _editable_or_redirect(application_id)
    if specs is None:
        return jsonify(ok=False, message=_("This form cannot be edited in the current step.")), 409
    form = build_form(
        [s for s in specs if widget_of(s) != "file"], current_lang(), row.data or {}, request.form
    )
    form.validate()
    if "csrf_token" in form.errors:
        return jsonify(
            ok=False, message=_("Your session expired. Sign in again; your entries stay on this page.")
        ), 400
    errors = {name: list(errs) for name, errs in form.errors.items() if name != "csrf_token"}
    version = row_version()
    if version is None:
        return jsonify(ok=False, message=version_missing(), errors=errors), 400
    saved = workflow().save_draft(application_id, current_actor(), cleaned_values(form), version)
    if not saved.ok:
        return jsonify(ok=False, message=message_text(saved.refusal), errors=errors), 409
    return jsonify(ok=True, row_version=saved.row_version, errors=errors, message=_("Draft saved."))


@bp.get("/applications/<int:application_id>/files/<file_id>")
@login_required
def download(application_id: int, file_id: str):
    row, compiled = visible_application(application_id)
    refs = [v for v in (row.data or {}).values() if isinstance(v, dict) and v.get("id") == file_id]
    if not refs or not file_id.isalnum():
        abort(404)
    try:
        chunks = file_store().open(refs[0])
    except StorageError as error:
        log_once_per_kind(log, "file_store", error, "file store unreachable: %s", error)
        abort(503)
    if chunks is None:
        abort(404)
    log_read("file", row, refs[0]["name"])
    return send_file(
        ChunkReader(chunks),
        mimetype=refs[0].get("content_type") or "application/octet-stream",
        as_attachment=True,
        download_name=refs[0]["name"],
    )


@bp.get("/applications/<int:application_id>/letters/<int:letter_id>")
@login_required
def letter(application_id: int, letter_id: int):
    row, compiled = visible_application(application_id)
    with read_db().connect() as connection:
        found = letter_content(connection, letter_id)
    staff = audience_for(row, compiled) == "staff"
    if found is None or found["application_id"] != application_id:
        abort(404)
    if not staff and found["user_id"] != current_actor().id:
        abort(404)
    log_read("letter", row, found["filename"])
    return send_file(
        BytesIO(found["content"]),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=found["filename"],
    )


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["days_left"] = progress.days_left
    register_nav(app, "applicant.programs", _l("Programs"), order=10, public=True)
    register_nav(app, "applicant.dashboard", _l("My applications"), roles=("applicant",), order=20)
